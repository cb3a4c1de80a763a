package io.tarmo.lake;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The one place that knows every lake table: its schema, layout and personal columns. Jobs refer
 * to tables and columns through these constants; erasure, retention and access exports walk
 * {@link #ALL} to find every place a person can be.
 */
public final class Tables {

  public static final TableSpec EVENTS = new TableSpec(
      "events",
      schema(
          col("message_id", StringType, "Segment messageId; unique across all days"),
          col("type", StringType, "track, page, screen, identify, alias or group"),
          col("event_name", StringType, "track event name, e.g. 'Product Viewed'; null for other types"),
          col("page_name", StringType, "page or screen name"),
          col("ts", TimestampType, "when the event happened (UTC)"),
          col("event_date", DateType, "UTC date of ts; the partition column"),
          col("anonymous_id", StringType, "cookie or device id (trimmed)"),
          col("user_id", StringType, "CRM customer_id of a logged-in user (trimmed)"),
          col("previous_id", StringType, "alias: the earlier id that now belongs to user_id"),
          col("email", StringType, "normalised email from traits or context.traits"),
          col("phone", StringType, "E.164 phone from traits or context.traits"),
          col("traits", StringType, "identify traits as JSON, as received"),
          col("properties", StringType, "event properties as JSON, as received"),
          col("category", StringType, "properties.category"),
          col("product_id", StringType, "properties.product_id"),
          col("order_id", StringType, "properties.order_id"),
          col("price", DoubleType, "properties.price"),
          col("quantity", IntegerType, "properties.quantity"),
          col("revenue", DoubleType, "properties.revenue (or total)"),
          col("page_url", StringType, "context.page.url or properties.url"),
          col("page_path", StringType, "context.page.path or properties.path"),
          col("page_referrer", StringType, "context.page.referrer"),
          col("page_title", StringType, "context.page.title"),
          col("ip", StringType, "context.ip reduced per tarmo.privacy.ip-policy"),
          col("user_agent", StringType, "context.userAgent"),
          col("ingest_date", DateType, "the landing day (dt=) the event was delivered in")),
      List.of("event_date"),
      List.of(),
      Set.of("anonymous_id", "user_id", "previous_id", "email", "phone", "traits", "properties",
          "page_url", "page_referrer", "ip", "user_agent"),
      "Bronze clickstream: one row per distinct Segment messageId.");

  public static final TableSpec CRM_CUSTOMERS = new TableSpec(
      "crm_customers",
      schema(
          col("customer_id", StringType, "CRM id; also the Segment userId"),
          col("email", StringType, "normalised email (trimmed, lower-case); null when invalid"),
          col("phone", StringType, "E.164 phone; null when invalid"),
          col("first_name", StringType, "first name"),
          col("last_name", StringType, "last name"),
          col("birth_date", DateType, "date of birth"),
          col("street", StringType, "street address"),
          col("postal_code", StringType, "postal code"),
          col("city", StringType, "city"),
          col("country", StringType, "country (ISO 3166 alpha-2 upper-case when given so)"),
          col("loyalty_card_id", StringType, "loyalty card number (trimmed)"),
          col("created_at", TimestampType, "when the CRM record was created"),
          col("updated_at", TimestampType, "when the CRM record last changed; the latest wins"),
          col("ingest_date", DateType, "the landing day of the extract this version came from")),
      List.of(),
      List.of(),
      Set.of("customer_id", "email", "phone", "first_name", "last_name", "birth_date", "street",
          "postal_code", "city", "country", "loyalty_card_id"),
      "Latest version of each CRM customer record.");

  public static final TableSpec CONSENT_EVENTS = new TableSpec(
      "consent_events",
      schema(
          col("consent_id", StringType, "unique id of the ledger entry"),
          col("subject_type", StringType, "customer_id, email, phone or anonymous_id"),
          col("subject_value", StringType, "the subject's identifier, normalised"),
          col("purpose", StringType, "marketing, profiling, analytics or personalization"),
          col("channel", StringType, "email, sms, push, phone, web or all"),
          col("status", StringType, "granted, denied or withdrawn"),
          col("legal_basis", StringType, "consent, legitimate_interest or contract"),
          col("ts", TimestampType, "when the decision was made (UTC)"),
          col("expires_at", TimestampType, "when a grant lapses; null for never"),
          col("source", StringType, "where it was recorded: cmp, crm, web_form, call_center, ..."),
          col("ingest_date", DateType, "the landing day the entry was delivered in")),
      List.of(),
      List.of(),
      Set.of("subject_value"),
      "The consent ledger: append-only except for erasure.");

  public static final TableSpec QUARANTINE = new TableSpec(
      "quarantine",
      schema(
          col("source", StringType, "events, crm or consent"),
          col("reason", StringType, "why the line was rejected, readable"),
          col("record", StringType, "the rejected line as received (cut at tarmo.ingest.max-line-chars)"),
          col("file", StringType, "the landing file the line came from"),
          col("ingest_date", DateType, "the landing day")),
      List.of(),
      List.of(),
      Set.of("record"),
      "Every rejected input line, with a readable reason.");

  public static final TableSpec JOB_RUNS = new TableSpec(
      "job_runs",
      schema(
          col("run_id", StringType, "unique id of the command run"),
          col("command", StringType, "the command, e.g. ingest"),
          col("business_date", DateType, "the --date processed; null for commands without one"),
          col("started_at", TimestampType, "when the run started (UTC)"),
          col("finished_at", TimestampType, "when it ended; null while RUNNING or after a crash"),
          col("status", StringType, "RUNNING, SUCCEEDED, FAILED or QUALITY_FAILED"),
          col("duration_ms", LongType, "wall-clock duration"),
          col("counts", DataTypes.createMapType(StringType, LongType), "row counts by name, e.g. events.read"),
          col("message", StringType, "the one-line failure message, without personal data")),
      List.of(),
      List.of(),
      Set.of(),
      "One row per command run, with its counts.",
      // Two commits per command run, some ten a night: at Delta's default of a checkpoint every 10
      // commits, a run would pay one (about 2 s of Spark jobs on 2 cores) nearly every night.
      // Between checkpoints a reader replays at most 100 small commits; DeltaStore's reads of a
      // table of fewer than 50 files replay none (they take the checksum file's list).
      Map.of("delta.checkpointInterval", "100"));

  public static final TableSpec IDENTITY_EDGES = new TableSpec(
      "identity_edges",
      schema(
          col("seen_date", DateType, "the business day (ingest date) whose deliveries showed the link; the partition column"),
          col("src_type", StringType, "type of the higher-priority end: customer_id, loyalty_card_id, email, phone or anonymous_id"),
          col("src_value", StringType, "its normalised value"),
          col("dst_type", StringType, "type of the other end; equal to src for an identifier seen alone"),
          col("dst_value", StringType, "its normalised value; equal to src_value for an identifier seen alone"),
          col("source", StringType, "where the link was seen: events.<type> (identify, alias, page, ...) or crm"),
          col("first_seen", TimestampType, "earliest event ts (or CRM updated_at) showing the link that day"),
          col("last_seen", TimestampType, "latest event ts (or CRM updated_at) showing the link that day"),
          col("observations", LongType, "how many events or CRM records showed the link that day")),
      List.of("seen_date"),
      List.of(),
      Set.of("src_value", "dst_value"),
      "Identity graph edges: one row per linked identifier pair, source and business day.");

  public static final TableSpec IDENTITY_MAP = new TableSpec(
      "identity_map",
      schema(
          col("identifier_type", StringType, "customer_id, loyalty_card_id, email, phone or anonymous_id"),
          col("identifier_value", StringType, "the normalised identifier (email lower-case, phone E.164, ids trimmed)"),
          col("customer_key", LongType, "the persistent customer key; sequence-allocated, never derived from personal data"),
          col("cluster_id", LongType, "the lowest customer_key of the raw graph cluster (all links before rules); "
              + "what an incremental night re-solves"),
          col("first_seen", TimestampType, "earliest link showing this identifier"),
          col("last_seen", TimestampType, "latest link showing this identifier"),
          col("added_date", DateType, "the business day the identifier entered the map"),
          col("updated_date", DateType, "the business day its customer_key or cluster last changed")),
      List.of(),
      List.of("customer_key"),
      Set.of("identifier_value"),
      "One row per known identifier and the customer it belongs to.");

  public static final TableSpec IDENTITY_MERGES = new TableSpec(
      "identity_merges",
      schema(
          col("old_key", LongType, "the customer_key that stopped existing"),
          col("new_key", LongType, "the customer_key its identifiers went to (the oldest of the merged keys)"),
          col("merged_at", TimestampType, "when the identity run that merged them ran (UTC)"),
          col("merged_date", DateType, "the business day of that run")),
      List.of(),
      List.of(),
      Set.of(),
      "Every customer_key that stopped existing, and where it went; follow new_key until it is no old_key.");

  public static final TableSpec IDENTITY_DECISIONS = new TableSpec(
      "identity_decisions",
      schema(
          col("business_date", DateType, "the business day of the identity run that decided"),
          col("rule", StringType, "shared_identifier, bridge_attached, bridge_detached or over_limit"),
          col("identifier_type", StringType, "type of the identifier decided about"),
          col("identifier_value", StringType, "the identifier decided about"),
          col("customer_key", LongType, "the customer_key it was given"),
          col("other_customer_key", LongType, "the customer it was linked to but not attached to; null when none"),
          col("detail", StringType, "why, readable, without personal data")),
      List.of(),
      List.of("customer_key"),
      Set.of("identifier_value"),
      "Audit of the identity rules: every identifier kept from joining two customers, or cut by a limit.");

  public static final TableSpec IDENTITY_STATS = new TableSpec(
      "identity_stats",
      schema(
          col("business_date", DateType, "the business day of the identity run"),
          col("metric", StringType, "identifiers, customers, components, component_size, component_sizes, "
              + "largest_component, merges, new_identifiers, decisions, rejected, edges, region, rounds, key_high_water"),
          col("label", StringType, "the breakdown: identifier type, size bucket, exact size (component_sizes), rule, "
              + "type.reason; '' for none"),
          col("value", LongType, "the count")),
      List.of(),
      List.of(),
      Set.of(),
      "Identity graph statistics per business day: counts only.");

  public static final TableSpec CUSTOMER_PROFILES = new TableSpec(
      "customer_profiles",
      schema(
          col("customer_key", LongType, "the persistent customer key from identity_map; one row each"),
          col("customer_id", StringType, "CRM id (identity_map customer_id of the key); null for visitors never logged in"),
          col("email", StringType, "golden email: the CRM value when non-empty, else the most recent non-empty "
              + "event trait (identify traits or context.traits); normalised; null when none is valid"),
          col("email_source", StringType, "where email came from: crm or events; null when there is none"),
          col("phone", StringType, "golden phone (E.164): CRM when non-empty, else the most recent non-empty event trait"),
          col("phone_source", StringType, "where phone came from: crm or events; null when there is none"),
          col("first_name", StringType, "CRM first_name when non-empty, else the most recent non-empty identify trait firstName"),
          col("last_name", StringType, "CRM last_name when non-empty, else the most recent non-empty identify trait lastName"),
          col("birth_date", DateType, "CRM birth_date (events carry none)"),
          col("street", StringType, "CRM street"),
          col("postal_code", StringType, "CRM postal_code"),
          col("city", StringType, "CRM city"),
          col("country", StringType, "CRM country"),
          col("loyalty_card_id", StringType, "CRM loyalty_card_id"),
          col("first_seen", TimestampType, "earliest event of the customer up to the business day (UTC)"),
          col("last_seen", TimestampType, "latest event of the customer up to the business day (UTC)"),
          col("events", LongType, "events of the customer up to the business day (every type)"),
          col("sessions", LongType, "sessions: a customer's events ordered by ts, a new session whenever more than "
              + "30 minutes pass since the previous event (across devices, as one person)"),
          col("page_views", LongType, "page and screen events"),
          col("orders", LongType, "distinct order_id of 'Order Completed' events"),
          col("lifetime_revenue", DoubleType, "sum of revenue of 'Order Completed' events; 0 without orders"),
          col("last_order_date", DateType, "event_date of the latest 'Order Completed'; null without orders"),
          col("average_order_value", DoubleType, "lifetime_revenue / orders; null without orders"),
          col("favourite_category", StringType, "the category of most product events (Product Viewed, Product Added, "
              + "Product List Viewed); ties go to the alphabetically first; null when none"),
          col("recency_days", IntegerType, "days from last_order_date to the business day; null without orders"),
          col("recency_score", IntegerType, "RFM recency 1-5 (5 = most recent quintile of customers with orders); "
              + "ties share a score; null without orders"),
          col("frequency_score", IntegerType, "RFM frequency 1-5 by orders (5 = top quintile); null without orders"),
          col("monetary_score", IntegerType, "RFM monetary 1-5 by lifetime_revenue (5 = top quintile); null without orders"),
          col("rfm_cell", StringType, "the three scores as one label, e.g. '545'; null without orders"),
          col("contactable_channels", DataTypes.createArrayType(StringType), "channels with a valid address: email "
              + "(email), sms and phone (phone), push (app screens seen); consent is not checked here"),
          col("as_of_date", DateType, "the business day the profile was computed for (events up to its end, UTC)")),
      List.of(),
      List.of("customer_key"),
      Set.of("customer_id", "email", "phone", "first_name", "last_name", "birth_date", "street", "postal_code",
          "city", "country", "loyalty_card_id"),
      "Golden record and computed traits: one row per customer_key, rebuilt by each profiles run.");

  public static final TableSpec SEGMENT_MEMBERSHIP = new TableSpec(
      "segment_membership",
      schema(
          col("as_of_date", DateType, "the business day the segments were evaluated for; the partition column"),
          col("segment_id", StringType, "the id of the definition in the segments file"),
          col("customer_key", LongType, "the member (identity_map key current when evaluated)")),
      List.of("as_of_date"),
      List.of(),
      Set.of(),
      "One row per member of each segment per day evaluated; a day is replaced as a whole when re-run.");

  public static final TableSpec SEGMENT_CHANGES = new TableSpec(
      "segment_changes",
      schema(
          col("as_of_date", DateType, "the business day of the change; the partition column"),
          col("segment_id", StringType, "the segment joined or left"),
          col("customer_key", LongType, "who joined or left"),
          col("change", StringType, "entered (a member on as_of_date but not on previous_date) or exited (the reverse)"),
          col("previous_date", DateType, "the latest earlier day evaluated, compared against; null on the first day")),
      List.of("as_of_date"),
      List.of(),
      Set.of(),
      "Entry and exit history: who joined or left which segment on which day, against the previous evaluated day.");

  public static final TableSpec SEGMENT_SIZES = new TableSpec(
      "segment_sizes",
      schema(
          col("as_of_date", DateType, "the business day evaluated"),
          col("segment_id", StringType, "the id of the definition"),
          col("title", StringType, "the definition's title"),
          col("members", LongType, "members on as_of_date"),
          col("entered", LongType, "members who were not members on the previous evaluated day"),
          col("exited", LongType, "members of the previous evaluated day who are not any more"),
          col("definition_hash", StringType, "sha-256 of the definition as evaluated; a change means the rule changed")),
      List.of(),
      List.of(),
      Set.of(),
      "Segment sizes per day: one row per defined segment and day evaluated, including empty segments.");

  /** Every table, in the order the nightly run fills them. */
  public static final List<TableSpec> ALL =
      List.of(EVENTS, CRM_CUSTOMERS, CONSENT_EVENTS, QUARANTINE, IDENTITY_EDGES, IDENTITY_MAP, IDENTITY_MERGES,
          IDENTITY_DECISIONS, IDENTITY_STATS, CUSTOMER_PROFILES, SEGMENT_MEMBERSHIP, SEGMENT_CHANGES, SEGMENT_SIZES,
          JOB_RUNS);

  private static final Map<String, TableSpec> BY_NAME =
      ALL.stream().collect(Collectors.toUnmodifiableMap(TableSpec::name, Function.identity()));

  private Tables() {}

  public static Optional<TableSpec> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  static StructType schema(StructField... fields) {
    return new StructType(fields);
  }

  static StructField col(String name, DataType type, String comment) {
    Metadata metadata = new MetadataBuilder().putString("comment", comment).build();
    return new StructField(name, type, true, metadata);
  }
}
