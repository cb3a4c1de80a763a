package io.tarmo.identity;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.tarmo.TarmoException;
import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.Identifiers;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The links between identifiers that bronze rows show, as identity graph edges. Every identifier
 * a row carries becomes a candidate; candidates that are blank, too long, malformed or blocked
 * never link and are counted by reason; the valid ones are linked as a star from the row's
 * highest-priority identifier (a row with a single identifier gives a self-link, so that
 * identifier is still known). Values are normalised as ingest normalises them ({@link Identifiers}).
 */
public final class IdentityEdges {

  public static final String SRC_TYPE = "src_type";
  public static final String SRC_VALUE = "src_value";
  public static final String DST_TYPE = "dst_type";
  public static final String DST_VALUE = "dst_value";
  public static final String SOURCE = "source";
  public static final String TS = "ts";
  public static final String REASON = "reason";
  public static final String IDENTIFIER_TYPE = "identifier_type";

  /** Reasons a candidate identifier is not linked. */
  public static final List<String> REASONS = List.of("blank", "too_long", "malformed", "blocked");

  private static final String IDS = "_ids";

  /**
   * What one batch shows, one row per sighting: a link ({@value #SRC_TYPE}, {@value #SRC_VALUE},
   * {@value #DST_TYPE}, {@value #DST_VALUE}, {@value #SOURCE}, {@value #TS}, {@value #REASON} null)
   * or a rejected candidate ({@value #SRC_TYPE} its type, {@value #REASON} why, the values null).
   * Both come out of one pass over the rows: counting the rejections apart read them again.
   */
  public record Extracted(Dataset<Row> sightings) {
    public Extracted union(Extracted other) {
      return new Extracted(sightings.unionByName(other.sightings));
    }
  }

  private IdentityEdges() {}

  /**
   * Edges from {@code events}: needs {@code type, ts, anonymous_id, user_id, previous_id, email,
   * phone, traits}. {@code user_id} is a customer_id, {@code anonymous_id} and an alias's
   * {@code previous_id} are anonymous ids; an email or phone that ingest could not normalise is
   * taken from the raw traits, so it is counted as malformed.
   */
  public static Extracted fromEvents(Dataset<Row> events, IdentitySettings rules) {
    require(events, "events", "type", "ts", "anonymous_id", "user_id", "previous_id", "email", "phone", "traits");
    Column rawEmail = get_json_object(col("traits"), "$.email");
    Column rawPhone = get_json_object(col("traits"), "$.phone");
    Dataset<Row> candidates = events.select(
        concat(lit("events."), col("type")).as(SOURCE),
        col("ts").as(TS),
        array(
            candidate(IdentifierType.CUSTOMER_ID, Identifiers.id(col("user_id")), col("user_id"), rules),
            candidate(IdentifierType.ANONYMOUS_ID, Identifiers.id(col("anonymous_id")), col("anonymous_id"), rules),
            candidate(IdentifierType.ANONYMOUS_ID, Identifiers.id(col("previous_id")), col("previous_id"), rules),
            candidate(IdentifierType.EMAIL, Identifiers.email(col("email")), coalesce(col("email"), rawEmail), rules),
            candidate(IdentifierType.PHONE, col("phone"), coalesce(col("phone"), rawPhone), rules)).as(IDS));
    return extract(candidates);
  }

  /**
   * Edges from {@code crm_customers}: needs {@code customer_id, email, phone, loyalty_card_id,
   * updated_at, created_at, ingest_date}; the link's time is the record's {@code updated_at}.
   */
  public static Extracted fromCrm(Dataset<Row> crm, IdentitySettings rules) {
    require(crm, "crm_customers", "customer_id", "email", "phone", "loyalty_card_id", "updated_at", "created_at",
        "ingest_date");
    Dataset<Row> candidates = crm.select(
        lit("crm").as(SOURCE),
        coalesce(col("updated_at"), col("created_at"), col("ingest_date").cast(DataTypes.TimestampType)).as(TS),
        array(
            candidate(IdentifierType.CUSTOMER_ID, Identifiers.id(col("customer_id")), col("customer_id"), rules),
            candidate(IdentifierType.LOYALTY_CARD_ID, Identifiers.id(col("loyalty_card_id")), col("loyalty_card_id"), rules),
            candidate(IdentifierType.EMAIL, Identifiers.email(col("email")), col("email"), rules),
            candidate(IdentifierType.PHONE, col("phone"), col("phone"), rules)).as(IDS));
    return extract(candidates);
  }

  /**
   * {@link Extracted#sightings()} aggregated: one row per link and source, and one per rejected
   * type, source and reason, with {@code first_seen}, {@code last_seen} and {@code observations}.
   * {@link #links} and {@link #rejections} split it.
   */
  public static Dataset<Row> aggregate(Extracted extracted) {
    return extracted.sightings()
        .groupBy(col(SRC_TYPE), col(SRC_VALUE), col(DST_TYPE), col(DST_VALUE), col(SOURCE), col(REASON))
        .agg(min(col(TS)).as("first_seen"), max(col(TS)).as("last_seen"), count(lit(1)).as("observations"));
  }

  /** The links of {@link #aggregate}'s rows: one per identifier pair and source. */
  public static Dataset<Row> links(Dataset<Row> aggregated) {
    return aggregated.where(col(REASON).isNull()).drop(REASON);
  }

  /** The rejections of {@link #aggregate}'s rows: {@value #IDENTIFIER_TYPE}, {@value #REASON}, {@code count}. */
  public static Dataset<Row> rejections(Dataset<Row> aggregated) {
    return aggregated.where(col(REASON).isNotNull())
        .groupBy(col(SRC_TYPE).as(IDENTIFIER_TYPE), col(REASON))
        .agg(sum(col("observations")).as("count"));
  }

  /**
   * A candidate identifier: {@code rank} (its type's priority), {@code type}, the normalised
   * {@code value} and the {@code reason} it is rejected (null when valid, or when absent).
   */
  static Column candidate(IdentifierType type, Column normalised, Column raw, IdentitySettings rules) {
    Column value = coalesce(normalised, raw);
    Column trimmed = trim(value);
    Column folded = lower(trimmed);
    Column blocked = folded.isin(rules.blockedValues().toArray());
    if (!rules.blockedPatterns().isEmpty()) {
      blocked = blocked.or(folded.rlike(blockedRegex(rules.blockedPatterns())));
    }
    Column reason = when(value.isNull(), lit(null).cast(DataTypes.StringType))
        .when(trimmed.equalTo(lit("")), lit("blank"))
        .when(length(trimmed).gt(rules.maxIdentifierLength()), lit("too_long"))
        .when(normalised.isNull(), lit("malformed"))
        .when(blocked, lit("blocked"))
        .otherwise(lit(null).cast(DataTypes.StringType));
    return struct(
        lit(rules.rank(type)).as("rank"),
        lit(type.key()).as("type"),
        normalised.as("value"),
        reason.as(REASON));
  }

  static String blockedRegex(List<String> patterns) {
    return patterns.stream().map(pattern -> "(?:" + pattern + ")").collect(Collectors.joining("|"));
  }

  private static Extracted extract(Dataset<Row> candidates) {
    // Sorted by (rank, type, value): the first is the star's centre, and a pair always comes out
    // in the same order, whichever row showed it.
    Dataset<Row> valid = candidates.withColumn("_valid",
        expr("array_sort(array_distinct(transform(filter(" + IDS + ", x -> x.value is not null and x.reason is null),"
            + " x -> named_struct('rank', x.rank, 'type', x.type, 'value', x.value))))"));
    String links = "if(size(_valid) <= 1, transform(_valid, x -> named_struct('a', x, 'b', x, 'reason', "
        + "cast(null as string))), transform(slice(_valid, 2, size(_valid) - 1), "
        + "x -> named_struct('a', _valid[0], 'b', x, 'reason', cast(null as string))))";
    String rejected = "transform(filter(" + IDS + ", x -> x.reason is not null), x -> named_struct("
        + "'a', named_struct('rank', x.rank, 'type', x.type, 'value', cast(null as string)), "
        + "'b', named_struct('rank', x.rank, 'type', cast(null as string), 'value', cast(null as string)), "
        + "'reason', x.reason))";
    Dataset<Row> sightings = valid
        .select(col(SOURCE), col(TS), org.apache.spark.sql.functions.explode(expr("concat(" + links + ", " + rejected
            + ")")).as("e"))
        .select(col("e.a.type").as(SRC_TYPE), col("e.a.value").as(SRC_VALUE),
            col("e.b.type").as(DST_TYPE), col("e.b.value").as(DST_VALUE), col(SOURCE), col(TS),
            col("e.reason").as(REASON));
    return new Extracted(sightings);
  }

  /** Checks that {@code frame} has {@code columns}; a readable failure instead of Spark's. */
  static void require(Dataset<Row> frame, String what, String... columns) {
    List<String> present = Arrays.asList(frame.columns());
    for (String column : columns) {
      if (!present.contains(column)) {
        throw TarmoException.job("Cannot build identity edges from " + what + ": no column " + column);
      }
    }
  }
}
