package io.tarmo.report;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A tiny lake around one report day, 2026-11-28: two ingest days (and runs outside the window or
 * without a day), quarantine, identity statistics and merges, a segment, consent as of the day and
 * around it, activation, exclusions and erasure requests of every kind. It holds personal values in
 * the places a person's data lives (an address, cookies, a quarantined line, a keyed hash), for the
 * report to leave out.
 */
final class TinyLake {

  private final SparkSession spark;
  private final DeltaStore store;

  TinyLake(SparkSession spark, DeltaStore store) {
    this.spark = spark;
    this.store = store;
  }

  /** Writes every table of the tiny lake but identity_decisions, which it lacks on purpose. */
  void write() {
    Map<String, Long> day1 = new HashMap<>(Map.of("events.read", 10L, "events.stored", 6L, "events.duplicates", 1L,
        "events.dropped", 1L, "events.quarantined", 2L, "events.suppressed", 0L, "crm.read", 3L, "crm.stored", 2L,
        "crm.quarantined", 1L, "consent.read", 2L));
    day1.put("consent.stored", 2L);
    write(Tables.JOB_RUNS,
        // Outside the window (more than 7 days before D): not shown.
        run("r0", "ingest", "2026-11-21", "2026-11-21T01:00:00Z", "SUCCEEDED", 900L, Map.of("events.read", 99L)),
        run("r1", "ingest", "2026-11-27", "2026-11-27T01:00:00Z", "SUCCEEDED", 1000L, day1),
        // A failed run of D, then a re-run: the latest run is the one shown.
        run("r2", "ingest", "2026-11-28", "2026-11-28T01:00:00Z", "FAILED", 300L, Map.of("events.read", 5L)),
        run("r3", "ingest", "2026-11-28", "2026-11-28T02:00:00Z", "SUCCEEDED", 1200L,
            Map.of("events.read", 20L, "events.stored", 19L, "events.suppressed", 1L)),
        run("r4", "nightly", "2026-11-28", "2026-11-28T01:59:00Z", "SUCCEEDED", 5000L, Map.of()),
        // A command without a business day (a query, an access request) is no step of a night.
        run("r5", "dsar", null, "2026-11-28T03:00:00Z", "SUCCEEDED", 700L, Map.of()));
    write(Tables.QUARANTINE,
        values("source", "events", "reason", "missing messageId", "record", "{\"userId\":\"cookie-1\"}",
            "ingest_date", date("2026-11-27")),
        values("source", "events", "reason", "missing messageId", "record", "{\"traits\":{\"email\":\"anna@example.com\"}}",
            "ingest_date", date("2026-11-27")),
        values("source", "crm", "reason", "wrong column count", "record", "c1,anna@example.com,Lindqvist",
            "ingest_date", date("2026-11-27")),
        values("source", "crm", "reason", "wrong column count", "record", "c2", "ingest_date", date("2026-11-15")));
    write(Tables.IDENTITY_STATS,
        stat("customers", "", 5), stat("components", "", 6), stat("component_size", "1", 4),
        stat("component_size", "2-5", 2), stat("largest_component", "", 3), stat("rejected", "email.blocked", 2),
        stat("edges", "", 9));
    write(Tables.IDENTITY_MERGES,
        values("old_key", 7L, "new_key", 1L, "merged_date", date("2026-11-28")),
        values("old_key", 8L, "new_key", 1L, "merged_date", date("2026-11-28")),
        values("old_key", 9L, "new_key", 2L, "merged_date", date("2026-11-10")));
    write(Tables.SEGMENT_SIZES,
        values("as_of_date", date("2026-11-27"), "segment_id", "seg-a", "title", "Segment A", "members", 2L,
            "entered", 2L, "exited", 0L),
        values("as_of_date", date("2026-11-28"), "segment_id", "seg-a", "title", "Segment A", "members", 3L,
            "entered", 2L, "exited", 1L));
    write(Tables.CONSENT_STATE,
        consent(1L, "marketing", "email", "granted", "2026-11-01T00:00:00Z", null),
        consent(2L, "marketing", "email", "denied", "2026-11-02T00:00:00Z", null),
        // Decided after D, or ended before it: not as of D.
        consent(3L, "marketing", "email", "granted", "2026-11-29T00:00:00Z", null),
        consent(1L, "profiling", "email", "granted", "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z"));
    write(Tables.ACTIVATION,
        activation("email", 1L, "anna@example.com"), activation("web", 1L, "cookie-1"),
        activation("web", 1L, "cookie-2"));
    write(Tables.ACTIVATION_EXCLUSIONS,
        values("as_of_date", date("2026-11-28"), "segment_id", "seg-a", "channel", "email", "customer_key", 2L,
            "reason", "no_consent"),
        values("as_of_date", date("2026-11-28"), "segment_id", "seg-a", "channel", "sms", "customer_key", 2L,
            "reason", "no_address"));
    write(Tables.ERASURE_LOG,
        erasure("DSR-1", "COMPLETED", "2026-11-01T10:00:00Z", "2026-11-10T09:00:00Z"),
        erasure("DSR-2", "IN_PROGRESS", "2026-10-20T10:00:00Z", null),
        erasure("DSR-3", "REJECTED", null, "2026-11-05T00:00:00Z"),
        // Received after D: not yet on D's report.
        erasure("DSR-4", "IN_PROGRESS", "2026-11-30T10:00:00Z", null));
  }

  private void write(TableSpec spec, Map<?, ?>... rows) {
    List<Row> data = new ArrayList<>();
    for (Map<?, ?> values : rows) {
      Object[] row = new Object[spec.schema().size()];
      int i = 0;
      for (StructField field : spec.schema().fields()) {
        row[i++] = values.get(field.name());
      }
      data.add(RowFactory.create(row));
    }
    store.append(spec, spark.createDataFrame(data, spec.schema()), "test");
  }

  private static Map<String, Object> values(Object... pairs) {
    Map<String, Object> values = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put((String) pairs[i], pairs[i + 1]);
    }
    return values;
  }

  private static Map<String, Object> run(String id, String command, String day, String started, String status,
      long millis, Map<String, Long> counts) {
    return values("run_id", id, "command", command, "business_date", day == null ? null : date(day),
        "started_at", ts(started), "finished_at", ts(started), "status", status, "duration_ms", millis,
        "counts", CollectionConverters.asScala(counts));
  }

  private static Map<String, Object> stat(String metric, String label, long value) {
    return values("business_date", date("2026-11-28"), "metric", metric, "label", label, "value", value);
  }

  private static Map<String, Object> consent(long key, String purpose, String channel, String status, String from,
      String to) {
    return values("customer_key", key, "purpose", purpose, "channel", channel, "status", status,
        "legal_basis", "consent", "valid_from", ts(from), "valid_to", to == null ? null : ts(to));
  }

  private static Map<String, Object> activation(String channel, long key, String address) {
    return values("as_of_date", date("2026-11-28"), "channel", channel, "segment_id", "seg-a", "customer_key", key,
        "address", address);
  }

  private static Map<String, Object> erasure(String id, String status, String received, String completed) {
    Timestamp receivedAt = received == null ? null : ts(received);
    return values("request_id", id, "status", status, "subject_type", "email", "subject_hash", "hash-of-anna",
        "received_at", receivedAt,
        "due_at", receivedAt == null ? null : Timestamp.from(receivedAt.toInstant().plus(Duration.ofDays(30))),
        "completed_at", completed == null ? null : ts(completed));
  }

  private static Date date(String day) {
    return Date.valueOf(LocalDate.parse(day));
  }

  private static Timestamp ts(String instant) {
    return Timestamp.from(Instant.parse(instant));
  }
}
