package io.tarmo.testing;

import io.tarmo.lake.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/** Tiny in-code rows of the bronze and identity tables, in their exact schemas. */
public final class LakeFixtures {

  private final SparkSession spark;
  private final List<Row> events = new ArrayList<>();
  private final List<Row> identities = new ArrayList<>();
  private final List<Row> crm = new ArrayList<>();
  private int next;

  public LakeFixtures(SparkSession spark) {
    this.spark = spark;
  }

  /** One event; {@code ts} is ISO-8601 with an offset, event_date is its UTC date, delivered that day. */
  public EventBuilder event(String type, String ts) {
    return new EventBuilder(type, ts);
  }

  /** An identity_map row. */
  public LakeFixtures identity(String type, String value, long key) {
    identities.add(RowFactory.create(type, value, key, key, null, null, null, null));
    return this;
  }

  /** A crm_customers row with the given email and phone (null or "" for none). */
  public LakeFixtures crm(String customerId, String email, String phone, String firstName) {
    crm.add(RowFactory.create(customerId, email, phone, firstName, null, null, null, null, null, null, null, null,
        Timestamp.from(Instant.parse("2026-01-01T00:00:00Z")), null));
    return this;
  }

  public Dataset<Row> events() {
    return spark.createDataFrame(events, Tables.EVENTS.schema());
  }

  public Dataset<Row> identityMap() {
    return spark.createDataFrame(identities, Tables.IDENTITY_MAP.schema());
  }

  public Dataset<Row> crmCustomers() {
    return spark.createDataFrame(crm, Tables.CRM_CUSTOMERS.schema());
  }

  /** Builds one events row column by column. */
  public final class EventBuilder {
    private final Map<String, Object> values = new HashMap<>();

    EventBuilder(String type, String ts) {
      Instant instant = OffsetDateTime.parse(ts).toInstant();
      LocalDate date = instant.atZone(ZoneOffset.UTC).toLocalDate();
      values.put("message_id", "m" + next++);
      values.put("type", type);
      values.put("ts", Timestamp.from(instant));
      values.put("event_date", Date.valueOf(date));
      values.put("ingest_date", Date.valueOf(date));
    }

    public EventBuilder set(String column, Object value) {
      values.put(column, value instanceof LocalDate d ? Date.valueOf(d) : value);
      return this;
    }

    public EventBuilder user(String userId) {
      return set("user_id", userId);
    }

    public EventBuilder cookie(String anonymousId) {
      return set("anonymous_id", anonymousId);
    }

    public EventBuilder named(String eventName) {
      return set("event_name", eventName);
    }

    public EventBuilder path(String path) {
      return set("page_path", path);
    }

    public EventBuilder deliveredOn(LocalDate day) {
      return set("ingest_date", day);
    }

    /** Adds the row; returns the fixtures for the next one. */
    public LakeFixtures add() {
      Object[] row = new Object[Tables.EVENTS.schema().size()];
      int i = 0;
      for (StructField field : Tables.EVENTS.schema().fields()) {
        row[i++] = values.get(field.name());
      }
      events.add(RowFactory.create(row));
      return LakeFixtures.this;
    }
  }
}
