#!/usr/bin/env bash
# Ingest throughput against its floor (a bare read.json → write delta of the same files), one run.
#   bench/ingest.sh [CUSTOMERS] [REPEATS]      (default: 1000000 customers ≈ 1M events, 2 timed runs)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-1000000}"
repeats="${2:-2}"
mvn -B -q -DskipTests -pl jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java $opens -Xmx12g -XX:+UseParallelGC -Duser.timezone=UTC ${BENCH_JAVA_OPTS:-} \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  io.tarmo.bench.IngestBenchmark bench/out/ingest "$customers" "$repeats"
