#!/usr/bin/env bash
# `tarmo erase` of a batch of customers from a lake of many days, next to one full rewrite of events.
#   bench/erasure.sh [CUSTOMERS] [DAYS] [SUBJECTS]   (default: 1000000 customers ≈ 1.08M events a day,
#                                                    30 days, 1000 subjects)
# One generated day is ingested and linked; events gets DAYS-1 earlier days (the day shifted back).
# Prints the share of events' data files and bytes the erasure rewrote, each stage's time (deletes per
# table, file rewrites, vacuum, the verifying scan of every file) and the ratio to the full rewrite.
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-1000000}"
days="${2:-30}"
subjects="${3:-1000}"
mvn -B -q -DskipTests -pl jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java $opens -Xmx12g -XX:+UseParallelGC -Duser.timezone=UTC ${BENCH_JAVA_OPTS:-} \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  io.tarmo.bench.ErasureBenchmark bench/out/erasure "$customers" "$days" "$subjects"
