#!/usr/bin/env bash
# Prints, for every table of a lake, its row count and sum(hash(*)) with clock columns left out
# (run ids, start and finish times, merge times) and the lake root of quarantined file names: two lakes built from the same landing files
# by two builds of Tarmo hold the same rows exactly when the two outputs are equal.
#   bench/lake-fingerprint.sh LAKE
set -euo pipefail
lake="${1:?usage: bench/lake-fingerprint.sh LAKE}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
query="
select 'events' as t, count(*) as n, sum(hash(*)) as h from events
union all select 'crm_customers', count(*), sum(hash(*)) from crm_customers
union all select 'consent_events', count(*), sum(hash(*)) from consent_events
union all select 'quarantine', count(*), sum(hash(source, reason, record, ingest_date, regexp_extract(file, 'landing/.*$', 0))) from quarantine
union all select 'identity_edges', count(*), sum(hash(*)) from identity_edges
union all select 'identity_map', count(*), sum(hash(*)) from identity_map
union all select 'identity_merges', count(*), sum(hash(old_key, new_key, merged_date)) from identity_merges
union all select 'identity_decisions', count(*), sum(hash(*)) from identity_decisions
union all select 'identity_stats', count(*), sum(hash(*)) from identity_stats
union all select 'customer_profiles', count(*), sum(hash(*)) from customer_profiles
union all select 'segment_membership', count(*), sum(hash(*)) from segment_membership
union all select 'segment_changes', count(*), sum(hash(*)) from segment_changes
union all select 'segment_sizes', count(*), sum(hash(*)) from segment_sizes
union all select 'job_runs', count(*), sum(hash(command, business_date, status)) from job_runs"
"$here/bin/tarmo" sql --lake "$lake" --format csv "$query"
