#!/usr/bin/env bash
# `consent` + `activate` for N customers (about 3 ledger records each, 20 segments x 4 channels) against
# their floor: the same activation rows as one plain Spark SQL query over the same tables, written to Delta;
# and a second floor with everything the issue asks the two commands to write, as plain Spark SQL
# (consent_state's whole history, the activation rows, a CSV file per channel and segment).
# Alternates floor and Tarmo; an untimed warm-up first, which also checks that both answers are equal.
#   bench/activation.sh [CUSTOMERS] [REPEATS]   (default: 1000000 customers, 3 timed runs)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-1000000}"
repeats="${2:-3}"
mvn -B -q -DskipTests -pl jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
opens=$(sed -n 's:.*<spark.add-opens>\(.*\)</spark.add-opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java $opens -Xmx${BENCH_HEAP:-12g} -XX:+UseParallelGC -Duser.timezone=UTC ${BENCH_JAVA_OPTS:-} \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  io.tarmo.bench.ActivationBenchmark bench/out/activation "$customers" "$repeats"
