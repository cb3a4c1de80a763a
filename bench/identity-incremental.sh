#!/usr/bin/env bash
# An incremental identity night against a --full rebuild of the same night, after DAYS generated
# days were ingested and resolved night by night (target: the night costs at most 0.25× the
# rebuild). One JVM: neither side pays for starting Spark. Prints a Markdown table.
#   bench/identity-incremental.sh [CUSTOMERS] [DAYS]      (default: 100000 customers, 30 days)
# BENCH_WORK=DIR puts the lake elsewhere (default bench/out/identity); BENCH_REUSE=1 times the last
# night again on the lake an earlier run left there; BENCH_PHASES=1 logs each step and Spark job;
# BENCH_RUNS=N times N incremental / --full pairs (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-100000}"
days="${2:-30}"
mvn -B -q -o -DskipTests -pl jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java $opens -Xmx${BENCH_HEAP:-8g} -XX:+UseParallelGC -Duser.timezone=UTC ${BENCH_JAVA_OPTS:-} \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  io.tarmo.bench.IdentityIncrementalBenchmark "${BENCH_WORK:-bench/out/identity}" "$customers" "$days"
