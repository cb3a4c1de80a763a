#!/usr/bin/env bash
# `tarmo ingest` of one generated landing day (events, CRM and consent), in one JVM.
#   bench/ingest.sh [CUSTOMERS] [REPEATS]      (default: 1000000 customers ≈ 1.08M events, 1.0M CRM rows,
#                                               2.6M consent lines; 2 timed runs after an untimed warm-up)
# Whole day (the default): ingest against its floor, a bare Spark copy of the same three landing
#   folders into three Delta tables (read.json for events and consent, read.csv with a header for CRM),
#   alternating floor and ingest each repeat. Prints per-run wall and CPU ratios, the floor and ingest
#   per source, and ingest's phases (io.tarmo.Phases).
# History (BENCH_HISTORY_DAYS=N, N > 0): the same day ingested into an empty lake ("day 1") against a
#   lake already holding N earlier days of events, consent and CRM ("day N+1"), alternating; the
#   history is the day's own rows shifted back 1..N days with distinct keys, restored before each run.
# BENCH_JAVA_OPTS=-Dtarmo.bench.phases=true also logs every phase and Spark job on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-1000000}"
repeats="${2:-2}"
history_days="${BENCH_HISTORY_DAYS:-0}"
mvn -B -q -DskipTests -pl jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java $opens -Xmx12g -XX:+UseParallelGC -Duser.timezone=UTC ${BENCH_JAVA_OPTS:-} \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  io.tarmo.bench.IngestBenchmark bench/out/ingest "$customers" "$repeats" "$history_days"
