#!/usr/bin/env bash
# Connected components: Tarmo large-star/small-star vs GraphX vs union-find (see BENCHMARKS.md).
# Usage: bench/connected-components.sh [edges (default 10000000)] [path nodes (default 1000000)] [GraphX path iterations (default 100)] [GraphX realistic iterations (default unlimited)] [path also without the driver finish: true|false (default true)]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl jobs test-compile
classpath_file=jobs/target/bench-classpath.txt
mvn -B -o -q -pl jobs dependency:build-classpath -Dmdep.outputFile="$PWD/$classpath_file" -Dmdep.includeScope=test
add_opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
export SPARK_LOCAL_IP=127.0.0.1 TZ=UTC
# shellcheck disable=SC2086
exec java $add_opens -Xmx12g -XX:+UseParallelGC -Duser.timezone=UTC \
  -Dlog4j2.configurationFile=log4j2-test.properties \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat "$classpath_file")" \
  io.tarmo.bench.ConnectedComponentsBenchmark "$@"
