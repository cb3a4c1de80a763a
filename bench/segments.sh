#!/usr/bin/env bash
# segments with 20 definitions vs 1, and profiles + segments next to a bare scan of the same window.
# Both segments runs are warmed up once, untimed, on the day before (so the timed runs find a previous night, as a nightly run does). BENCH_REUSE=1 times again on the lake an earlier run
# left; with it, BENCH_SEGMENTS_ONLY=1 times only the two segments runs; BENCH_EXPLAIN=1 prints the plan.
#   bench/segments.sh [EVENTS_PER_DAY] [DAYS] [REPEATS]   (default: 1000000 events/day × 30 days, 1 run)
# The events are synthetic, written straight into the events table (see SegmentsBenchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
per_day="${1:-1000000}"
days="${2:-30}"
repeats="${3:-1}"
mvn -B -q -o -DskipTests -pl jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java $opens -Xmx${BENCH_HEAP:-8g} -XX:+UseParallelGC -Duser.timezone=UTC ${BENCH_JAVA_OPTS:-} \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  io.tarmo.bench.SegmentsBenchmark bench/out/segments "$per_day" "$days" "$repeats"
