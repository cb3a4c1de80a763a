package io.tarmo.testing;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.sql.Timestamp;
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

/** Tiny rows of the tables activate reads, written through {@link DeltaStore} in their exact schemas. */
public final class ActivationFixtures {

  private final SparkSession spark;
  private final LakeFixtures identities;
  private final List<Row> profiles = new ArrayList<>();
  private final List<Row> members = new ArrayList<>();
  private final List<Row> sizes = new ArrayList<>();
  private final List<Row> consent = new ArrayList<>();
  private final List<Row> suppressed = new ArrayList<>();

  public ActivationFixtures(SparkSession spark) {
    this.spark = spark;
    this.identities = new LakeFixtures(spark);
  }

  public ActivationFixtures identity(String type, String value, long key) {
    identities.identity(type, value, key);
    return this;
  }

  /** A profile with an email, a phone and an app device (each may be null). */
  public ActivationFixtures profile(long key, String email, String phone, String pushDevice) {
    Map<String, Object> values = new HashMap<>();
    values.put("customer_key", key);
    values.put("email", email);
    values.put("phone", phone);
    values.put("push_device_id", pushDevice);
    Object[] row = new Object[Tables.CUSTOMER_PROFILES.schema().size()];
    int i = 0;
    for (StructField field : Tables.CUSTOMER_PROFILES.schema().fields()) {
      row[i++] = values.get(field.name());
    }
    profiles.add(RowFactory.create(row));
    return this;
  }

  public ActivationFixtures member(LocalDate day, String segment, long key) {
    members.add(RowFactory.create(Date.valueOf(day), segment, key));
    return this;
  }

  /** Marks {@code day} as evaluated by segments (a segment_sizes row). */
  public ActivationFixtures evaluated(LocalDate day) {
    sizes.add(RowFactory.create(Date.valueOf(day), "any", "any", 0L, 0L, 0L, "hash"));
    return this;
  }

  /**
   * A consent_state interval ({@code to} null for open), decided by {@code consentId}, with
   * objected_before false.
   */
  public ActivationFixtures consent(long key, String purpose, String channel, String status, String basis, String from,
      String to, String consentId) {
    return consent(key, purpose, channel, status, basis, from, to, consentId, false);
  }

  public ActivationFixtures consent(long key, String purpose, String channel, String status, String basis, String from,
      String to, String consentId, boolean objectedBefore) {
    consent.add(RowFactory.create(key, purpose, channel, status, basis, ts(from), to == null ? null : ts(to), consentId,
        "cmp", "customer_id", ts(from), objectedBefore, null));
    return this;
  }

  public ActivationFixtures suppressed(String type, String hash) {
    suppressed.add(RowFactory.create(type, hash, ts("2026-11-01T00:00:00Z"), "r-1"));
    return this;
  }

  private static Timestamp ts(String instant) {
    return Timestamp.from(Instant.parse(instant));
  }

  /** Appends everything to the lake's tables; once per fixtures. */
  public void writeTo(DeltaStore store) {
    store.append(Tables.IDENTITY_MAP, identities.identityMap(), "test");
    store.append(Tables.CUSTOMER_PROFILES, spark.createDataFrame(profiles, Tables.CUSTOMER_PROFILES.schema()), "test");
    store.append(Tables.SEGMENT_MEMBERSHIP, spark.createDataFrame(members, Tables.SEGMENT_MEMBERSHIP.schema()), "test");
    store.append(Tables.SEGMENT_SIZES, spark.createDataFrame(sizes, Tables.SEGMENT_SIZES.schema()), "test");
    store.append(Tables.CONSENT_STATE, spark.createDataFrame(consent, Tables.CONSENT_STATE.schema()), "test");
    if (!suppressed.isEmpty()) {
      store.append(Tables.SUPPRESSION_LIST, spark.createDataFrame(suppressed, Tables.SUPPRESSION_LIST.schema()), "test");
    }
  }
}
