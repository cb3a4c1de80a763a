package io.tarmo.testing;

import io.tarmo.lake.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Tiny in-code {@code consent_events} rows, in the table's exact schema. */
public final class ConsentFixtures {

  private final SparkSession spark;
  private final List<Row> records = new ArrayList<>();

  public ConsentFixtures(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * A ledger record decided at {@code ts} (ISO-8601 UTC instant, e.g. {@code 2026-03-01T10:00:00Z})
   * and delivered the same day; {@code subject} is {@code type:value}, already normalised.
   */
  public Record record(String consentId, String subject, String purpose, String channel, String status, String ts) {
    return new Record(consentId, subject, purpose, channel, status, ts);
  }

  public Dataset<Row> ledger() {
    return spark.createDataFrame(records, Tables.CONSENT_EVENTS.schema());
  }

  /** The records delivered by the end of {@code day}. */
  public Dataset<Row> deliveredBy(LocalDate day) {
    return spark.createDataFrame(records.stream().filter(r -> !r.getDate(10).toLocalDate().isAfter(day)).toList(),
        Tables.CONSENT_EVENTS.schema());
  }

  /** The records delivered after {@code day}. */
  public Dataset<Row> deliveredAfter(LocalDate day) {
    return spark.createDataFrame(records.stream().filter(r -> r.getDate(10).toLocalDate().isAfter(day)).toList(),
        Tables.CONSENT_EVENTS.schema());
  }

  /** One record, adjustable before {@link #add}. */
  public final class Record {
    private final String consentId;
    private final String subjectType;
    private final String subjectValue;
    private final String purpose;
    private final String channel;
    private final String status;
    private final Instant ts;
    private String basis = "consent";
    private Instant expires;
    private String source = "crm";
    private LocalDate delivered;

    Record(String consentId, String subject, String purpose, String channel, String status, String ts) {
      this.consentId = consentId;
      this.subjectType = subject.substring(0, subject.indexOf(':'));
      this.subjectValue = subject.substring(subject.indexOf(':') + 1);
      this.purpose = purpose;
      this.channel = channel;
      this.status = status;
      this.ts = Instant.parse(ts);
      this.delivered = this.ts.atZone(ZoneOffset.UTC).toLocalDate();
    }

    public Record basis(String legalBasis) {
      this.basis = legalBasis;
      return this;
    }

    public Record expires(String at) {
      this.expires = Instant.parse(at);
      return this;
    }

    public Record source(String recordedBy) {
      this.source = recordedBy;
      return this;
    }

    public Record deliveredOn(LocalDate day) {
      this.delivered = day;
      return this;
    }

    public ConsentFixtures add() {
      records.add(RowFactory.create(consentId, subjectType, subjectValue, purpose, channel, status, basis,
          Timestamp.from(ts), expires == null ? null : Timestamp.from(expires), source, Date.valueOf(delivered)));
      return ConsentFixtures.this;
    }
  }
}
