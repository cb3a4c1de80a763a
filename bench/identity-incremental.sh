#!/usr/bin/env bash
# An incremental identity night against a --full rebuild, after N generated days (target: the
# night costs at most a quarter of the rebuild). Uses the launcher, one JVM per command; the
# timings are wall-clock seconds of the two `identity` commands, JVM and Spark start included.
#   bench/identity-incremental.sh [CUSTOMERS] [DAYS]      (default: 20000 customers, 30 days)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-20000}"
days="${2:-30}"
lake="$(pwd)/bench/out/identity-lake"
end="2026-11-30"
rm -rf "$lake"
bin/tarmo generate --lake "$lake" --date "$end" --days "$days" --customers "$customers" >/dev/null
for offset in $(seq $((days - 1)) -1 0); do
  day=$(date -u -d "$end - $offset day" +%F)
  bin/tarmo ingest --lake "$lake" --date "$day" >/dev/null
  bin/tarmo identity --lake "$lake" --date "$day" >/dev/null
done
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); echo "$end - $start" | bc; }
night=$(seconds bin/tarmo identity --lake "$lake" --date "$end")
full=$(seconds bin/tarmo identity --lake "$lake" --date "$end" --full)
echo "identity after $days days of $customers customers: incremental night ${night}s, --full ${full}s," \
  "ratio $(echo "scale=2; $night / $full" | bc)"
bin/tarmo sql --lake "$lake" --format csv \
  "select business_date, metric, label, value from identity_stats where business_date = DATE'$end'
   and metric in ('region', 'identifiers', 'edges') order by metric, label"
