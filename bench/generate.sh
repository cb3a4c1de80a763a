#!/usr/bin/env bash
# How long generate takes, against a budget in seconds (exit 1 when over it).
#   bench/generate.sh [CUSTOMERS] [DAYS] [BUDGET_SECONDS]      (default: 20000 customers, 2 days, 15 s)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-20000}"
days="${2:-2}"
budget="${3:-15}"
mvn -B -q -DskipTests -pl jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
java $opens -Xmx4g -XX:+UseParallelGC -Duser.timezone=UTC ${BENCH_JAVA_OPTS:-} \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  io.tarmo.bench.LandingGeneratorBenchmark bench/out/generate "$customers" "$days" "$budget"
