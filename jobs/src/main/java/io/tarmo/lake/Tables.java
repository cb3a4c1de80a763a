package io.tarmo.lake;

import static io.tarmo.lake.SubjectLookup.byIdentifier;
import static io.tarmo.lake.SubjectLookup.byKey;
import static io.tarmo.lake.SubjectLookup.byRawText;
import static io.tarmo.lake.SubjectLookup.byTypedIdentifier;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  public static final TableSpec EVENTS = TableSpec.named("events",
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
      col("ingest_date", DateType, "the landing day (dt=) the event was delivered in"))
      .partitionedBy("event_date")
      .personal("anonymous_id", "user_id", "previous_id", "email", "phone", "traits", "properties", "page_url",
          "page_referrer", "ip", "user_agent")
      .freeText("message_id", "event_name", "page_name", "category", "product_id", "order_id", "page_path",
          "page_title")
      .findBy(byIdentifier("anonymous_id", "anonymous_id"), byIdentifier("user_id", "customer_id"),
          byIdentifier("previous_id", "anonymous_id", "customer_id"), byIdentifier("email", "email"),
          byIdentifier("phone", "phone"),
          byRawText("traits", "properties", "page_url", "page_path", "page_referrer", "page_title", "page_name",
              "event_name", "message_id", "category", "product_id", "order_id", "user_agent"))
      .retention(Retention.HISTORY)
      .agedBy("event_date")
      .build("Bronze clickstream: one row per distinct Segment messageId.");

  public static final TableSpec CRM_CUSTOMERS = TableSpec.named("crm_customers",
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
      col("ingest_date", DateType, "the landing day of the extract this version came from"))
      .personal("customer_id", "email", "phone", "first_name", "last_name", "birth_date", "street", "postal_code",
          "city", "country", "loyalty_card_id")
      .findBy(byIdentifier("customer_id", "customer_id"), byIdentifier("email", "email"),
          byIdentifier("phone", "phone"), byIdentifier("loyalty_card_id", "loyalty_card_id"))
      .retention(Retention.CURRENT)
      .build("Latest version of each CRM customer record.");

  public static final TableSpec CONSENT_EVENTS = TableSpec.named("consent_events",
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
      col("ingest_date", DateType, "the landing day the entry was delivered in"))
      .personal("subject_value")
      .freeText("consent_id", "source")
      .findBy(byTypedIdentifier("subject_type", "subject_value"), byRawText("consent_id", "source"))
      .retention(Retention.LEDGER)
      .build("The consent ledger: append-only except for erasure.");

  public static final TableSpec QUARANTINE = TableSpec.named("quarantine",
      col("source", StringType, "events, crm or consent"),
      col("reason", StringType, "why the line was rejected, readable"),
      col("record", StringType, "the rejected line as received (cut at tarmo.ingest.max-line-chars)"),
      col("file", StringType, "the landing file the line came from"),
      col("ingest_date", DateType, "the landing day"))
      .personal("record")
      .freeText("file")
      .findBy(byRawText("record", "file"))
      .retention(Retention.QUARANTINE)
      .agedBy("ingest_date")
      .build("Every rejected input line, with a readable reason.");

  public static final TableSpec JOB_RUNS = TableSpec.named("job_runs",
      col("run_id", StringType, "unique id of the command run"),
      col("command", StringType, "the command, e.g. ingest"),
      col("business_date", DateType, "the --date processed; null for commands without one"),
      col("started_at", TimestampType, "when the run started (UTC)"),
      col("finished_at", TimestampType, "when it ended; null while RUNNING or after a crash"),
      col("status", StringType, "RUNNING, SUCCEEDED, FAILED or QUALITY_FAILED"),
      col("duration_ms", LongType, "wall-clock duration"),
      col("counts", DataTypes.createMapType(StringType, LongType), "row counts by name, e.g. events.read"),
      col("message", StringType, "the one-line failure message, without personal data"),
      col("delta_versions", DataTypes.createMapType(StringType, LongType),
          "the latest Delta version the run committed to each table it wrote, by table name"))
      .aboutNoOne("run metadata and counts; a run's message never quotes a data value")
      .retention(Retention.AUDIT)
      // started_at, not business_date: commands without a date (erase, sql) have none.
      .agedBy("started_at")
      // Two commits per command run, some ten a night: at Delta's default of a checkpoint every 10
      // commits, a run would pay one (about 2 s of Spark jobs on 2 cores) nearly every night.
      // Between checkpoints a reader replays at most 100 small commits.
      .property("delta.checkpointInterval", "100")
      .build("One row per command run, with its counts.");

  public static final TableSpec IDENTITY_EDGES = TableSpec.named("identity_edges",
      col("seen_date", DateType, "the business day (ingest date) whose deliveries showed the link; the partition column"),
      col("src_type", StringType, "type of the higher-priority end: customer_id, loyalty_card_id, email, phone or anonymous_id"),
      col("src_value", StringType, "its normalised value"),
      col("dst_type", StringType, "type of the other end; equal to src for an identifier seen alone"),
      col("dst_value", StringType, "its normalised value; equal to src_value for an identifier seen alone"),
      col("source", StringType, "where the link was seen: events.<type> (identify, alias, page, ...) or crm"),
      col("first_seen", TimestampType, "earliest event ts (or CRM updated_at) showing the link that day"),
      col("last_seen", TimestampType, "latest event ts (or CRM updated_at) showing the link that day"),
      col("observations", LongType, "how many events or CRM records showed the link that day"))
      .partitionedBy("seen_date")
      .personal("src_value", "dst_value")
      .findBy(byTypedIdentifier("src_type", "src_value"), byTypedIdentifier("dst_type", "dst_value"))
      .retention(Retention.CURRENT)
      .build("Identity graph edges: one row per linked identifier pair, source and business day.");

  public static final TableSpec IDENTITY_MAP = TableSpec.named("identity_map",
      col("identifier_type", StringType, "customer_id, loyalty_card_id, email, phone or anonymous_id"),
      col("identifier_value", StringType, "the normalised identifier (email lower-case, phone E.164, ids trimmed)"),
      col("customer_key", LongType, "the persistent customer key; sequence-allocated, never derived from personal data"),
      col("cluster_id", LongType, "the lowest customer_key of the raw graph cluster (all links before rules); "
              + "what an incremental night re-solves"),
      col("first_seen", TimestampType, "earliest link showing this identifier"),
      col("last_seen", TimestampType, "latest link showing this identifier"),
      col("added_date", DateType, "the business day the identifier entered the map"),
      col("updated_date", DateType, "the business day its customer_key or cluster last changed"))
      .clusteredBy("customer_key")
      .personal("identifier_value")
      .findBy(byTypedIdentifier("identifier_type", "identifier_value"), byKey("customer_key"))
      .retention(Retention.CURRENT)
      .build("One row per known identifier and the customer it belongs to.");

  public static final TableSpec IDENTITY_MERGES = TableSpec.named("identity_merges",
      col("old_key", LongType, "the customer_key that stopped existing"),
      col("new_key", LongType, "the customer_key its identifiers went to (the oldest of the merged keys)"),
      col("merged_at", TimestampType, "when the identity run that merged them ran (UTC)"),
      col("merged_date", DateType, "the business day of that run"))
      .findBy(byKey("old_key", "new_key"))
      .retention(Retention.AUDIT)
      .agedBy("merged_date")
      .build("Every customer_key that stopped existing, and where it went; follow new_key until it is no old_key.");

  public static final TableSpec IDENTITY_DECISIONS = TableSpec.named("identity_decisions",
      col("business_date", DateType, "the business day of the identity run that decided"),
      col("rule", StringType, "shared_identifier, bridge_attached, bridge_detached or over_limit"),
      col("identifier_type", StringType, "type of the identifier decided about"),
      col("identifier_value", StringType, "the identifier decided about"),
      col("customer_key", LongType, "the customer_key it was given"),
      col("other_customer_key", LongType, "the customer it was linked to but not attached to; null when none"),
      col("detail", StringType, "why, readable, without personal data"))
      .clusteredBy("customer_key")
      .personal("identifier_value")
      .findBy(byTypedIdentifier("identifier_type", "identifier_value"), byKey("customer_key", "other_customer_key"))
      .retention(Retention.AUDIT)
      // Erasure finds what a limit cut off from a subject, and identifiers shared without a login,
      // only here: those decisions stay while their identifier exists (erasure, or retention's
      // expiry of cookie-only visitors, removes them with it).
      .agedBy("business_date", "rule IN ('over_limit', 'shared_identifier')")
      .build("Audit of the identity rules: every identifier kept from joining two customers, or cut by a limit, "
          + "recorded the night the decision is first made.");

  public static final TableSpec IDENTITY_STATS = TableSpec.named("identity_stats",
      col("business_date", DateType, "the business day of the identity run"),
      col("metric", StringType, "identifiers, customers, components, component_size, component_sizes, "
              + "largest_component, merges, new_identifiers, decisions, rejected, edges, region, rounds, key_high_water"),
      col("label", StringType, "the breakdown: identifier type, size bucket, exact size (component_sizes), rule, "
              + "type.reason; '' for none"),
      col("value", LongType, "the count"))
      .aboutNoOne("counts per business day")
      .retention(Retention.AUDIT)
      // key_high_water rows stay: identity never hands out a key again, however old its last run.
      .agedBy("business_date", "metric = 'key_high_water'")
      .build("Identity graph statistics per business day: counts only.");

  public static final TableSpec CUSTOMER_PROFILES = TableSpec.named("customer_profiles",
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
      col("push_device_id", StringType, "the app device to send push messages to: the anonymous_id of the "
              + "customer's latest app screen event; null when the customer never used the app"),
      col("as_of_date", DateType, "the business day the profile was computed for (events up to its end, UTC)"))
      .clusteredBy("customer_key")
      .personal("customer_id", "email", "phone", "first_name", "last_name", "birth_date", "street", "postal_code",
          "city", "country", "loyalty_card_id", "push_device_id")
      .freeText("favourite_category")
      .findBy(byKey("customer_key"), byIdentifier("customer_id", "customer_id"), byIdentifier("email", "email"),
          byIdentifier("phone", "phone"), byIdentifier("loyalty_card_id", "loyalty_card_id"),
          byIdentifier("push_device_id", "anonymous_id"), byRawText("favourite_category"))
      .retention(Retention.CURRENT)
      .build("Golden record and computed traits: one row per customer_key, rebuilt by each profiles run.");

  public static final TableSpec SEGMENT_MEMBERSHIP = TableSpec.named("segment_membership",
      col("as_of_date", DateType, "the business day the segments were evaluated for; the partition column"),
      col("segment_id", StringType, "the id of the definition in the segments file"),
      col("customer_key", LongType, "the member (identity_map key current when evaluated)"))
      .partitionedBy("as_of_date")
      .findBy(byKey("customer_key"))
      .retention(Retention.DAILY)
      .agedBy("as_of_date")
      .build("One row per member of each segment per day evaluated; a day is replaced as a whole when re-run.");

  public static final TableSpec SEGMENT_CHANGES = TableSpec.named("segment_changes",
      col("as_of_date", DateType, "the business day of the change; the partition column"),
      col("segment_id", StringType, "the segment joined or left"),
      col("customer_key", LongType, "who joined or left"),
      col("change", StringType, "entered (a member on as_of_date but not on previous_date) or exited (the reverse)"),
      col("previous_date", DateType, "the latest earlier day evaluated, compared against; null on the first day"))
      .partitionedBy("as_of_date")
      .findBy(byKey("customer_key"))
      .retention(Retention.DAILY)
      .agedBy("as_of_date")
      .build("Entry and exit history: who joined or left which segment on which day, against the previous evaluated day.");

  public static final TableSpec SEGMENT_SIZES = TableSpec.named("segment_sizes",
      col("as_of_date", DateType, "the business day evaluated"),
      col("segment_id", StringType, "the id of the definition"),
      col("title", StringType, "the definition's title"),
      col("members", LongType, "members on as_of_date"),
      col("entered", LongType, "members who were not members on the previous evaluated day"),
      col("exited", LongType, "members of the previous evaluated day who are not any more"),
      col("definition_hash", StringType, "sha-256 of the definition as evaluated; a change means the rule changed"))
      .aboutNoOne("counts per segment and day; titles come from the segments file")
      .retention(Retention.DAILY)
      .agedBy("as_of_date")
      .build("Segment sizes per day: one row per defined segment and day evaluated, including empty segments.");

  public static final TableSpec CONSENT_STATE = TableSpec.named("consent_state",
      col("customer_key", LongType, "the customer (identity_map key current when the state was built)"),
      col("purpose", StringType, "marketing, profiling, analytics or personalization"),
      col("channel", StringType, "email, sms, push, phone or web; a ledger record for 'all' gives one row per channel"),
      col("status", StringType, "granted, denied or withdrawn as recorded, or expired (a grant past its expires_at)"),
      col("legal_basis", StringType, "consent, legitimate_interest or contract, from the deciding record"),
      col("valid_from", TimestampType, "start of the interval (inclusive): the deciding record's ts, or the start "
              + "of the day it was delivered when it arrived later, so a past day's state is what that day's run knew; "
              + "for status expired, the grant's expires_at"),
      col("valid_to", TimestampType, "end of the interval (exclusive): the next decision or the expiry; null while "
              + "still valid"),
      col("consent_id", StringType, "the deciding ledger entry (consent_events.consent_id)"),
      col("source", StringType, "where the deciding entry was recorded: cmp, crm, web_form, call_center, ..."),
      col("subject_type", StringType, "the identifier type the deciding entry named: customer_id, email, phone "
              + "or anonymous_id"),
      col("decided_at", TimestampType, "the deciding entry's ts"),
      col("objected_before", DataTypes.BooleanType, "a denial or withdrawal for this customer, purpose and "
              + "channel was decided before the deciding entry (by ts): legitimate interest no longer applies"),
      col("as_of_date", DateType, "the business day of the consent run that built the table"))
      .clusteredBy("customer_key")
      .freeText("consent_id", "source")
      .findBy(byKey("customer_key"), byRawText("consent_id", "source"))
      .retention(Retention.CURRENT)
      .build("Consent per customer, purpose and channel as validity intervals: the state as of day D is "
          + "valid_from < D+1 and (valid_to is null or valid_to >= D+1); rebuilt from the ledger by each consent run.");

  public static final TableSpec ACTIVATION = TableSpec.named("activation",
      col("as_of_date", DateType, "the business day activated; the partition column"),
      col("channel", StringType, "email, sms, push, phone or web"),
      col("segment_id", StringType, "the segment activated (tarmo.activation.audiences)"),
      col("customer_key", LongType, "the member contacted"),
      col("address", StringType, "where to reach the member on the channel: email (golden email), sms and phone "
              + "(E.164 phone), push (app device id), web (one row per anonymous_id of the customer)"),
      col("legal_basis", StringType, "consent or legitimate_interest: the basis of the marketing record that allows it"),
      col("consent_id", StringType, "the deciding consent ledger entry (consent_state.consent_id)"))
      .partitionedBy("as_of_date")
      .personal("address")
      .freeText("consent_id")
      .findBy(byKey("customer_key"), byRawText("address", "consent_id"))
      .retention(Retention.DAILY)
      .agedBy("as_of_date")
      .build("Who may be contacted on which channel for which segment, per day: consented, unsuppressed members "
          + "with a valid address only; a day is replaced as a whole when re-run.");

  public static final TableSpec ACTIVATION_EXCLUSIONS = TableSpec.named("activation_exclusions",
      col("as_of_date", DateType, "the business day activated; the partition column"),
      col("segment_id", StringType, "the segment of the audience"),
      col("channel", StringType, "the channel of the audience"),
      col("customer_key", LongType, "the member not contacted"),
      col("reason", StringType, "the first reason that applies, in this order: suppressed, profiling_objection, "
              + "no_consent, denied_or_withdrawn, expired, contract_basis, legitimate_interest_not_allowed, "
              + "sensitive_without_consent, no_address"))
      .partitionedBy("as_of_date")
      .findBy(byKey("customer_key"))
      .retention(Retention.DAILY)
      .agedBy("as_of_date")
      .build("Why members of an activated segment were not contacted: one row per member, channel and day.");

  public static final TableSpec SUPPRESSION_LIST = TableSpec.named("suppression_list",
      col("identifier_type", StringType, "customer_id, loyalty_card_id, email, phone or anonymous_id"),
      col("identifier_hash", StringType, "HMAC-SHA256 (lower-case hex) of the normalised identifier, keyed by "
              + "TARMO_PSEUDONYM_KEY (io.tarmo.subject.Pseudonyms)"),
      col("suppressed_at", TimestampType, "when the identifier was suppressed (UTC)"),
      col("request_id", StringType, "the erasure request that suppressed it"))
      .aboutNoOne("keyed hashes of erased identifiers only: nothing in it names or finds a person without the "
          + "key, and it must outlive the erasure it records, so that erased people are never contacted again")
      .retention(Retention.SUPPRESSION)
      .build("Erased identifiers as keyed hashes: whoever holds one of them is never activated.");

  public static final TableSpec ERASURE_LOG = TableSpec.named("erasure_log",
      col("request_id", StringType, "the request's id as the requests file gave it"),
      col("status", StringType, "REJECTED (invalid request, see reason), IN_PROGRESS (started; a re-run finishes it), "
              + "VERIFIED (no value found anywhere; the request's own files are being removed), COMPLETED, or FAILED "
              + "(values still found: see places; a re-run tries again)"),
      col("subject_type", StringType, "customer_id, email, phone, anonymous_id or loyalty_card_id; null when invalid"),
      col("subject_hash", StringType, "HMAC-SHA256 of the normalised identifier keyed by TARMO_PSEUDONYM_KEY, as in "
              + "suppression_list; null when the identifier was invalid"),
      col("received_at", TimestampType, "when the request was received (the file's received_at)"),
      col("due_at", TimestampType, "received_at + 30 days: the GDPR Art. 12(3) deadline"),
      col("started_at", TimestampType, "when the first erase run took the request up"),
      col("completed_at", TimestampType, "when it reached COMPLETED or REJECTED; null before"),
      col("reason", StringType, "why it was REJECTED or FAILED, readable, without the identifier"),
      col("customer_keys", LongType, "customer_keys resolved for the subject (merged-away keys included)"),
      col("identifiers", LongType, "identifiers of the subject erased (the requested one and every linked one)"),
      col("shared_identifiers", LongType, "identifiers linked to the subject and also to another customer: removed "
              + "from the subject's rows only, kept for the other customer"),
      col("rows_deleted", DataTypes.createMapType(StringType, LongType), "rows deleted per table by the batch the "
              + "request was part of (one pass per table for the whole batch)"),
      col("files_rewritten", LongType, "landing, quarantine-free and export files the batch rewrote"),
      col("bytes_rewritten", LongType, "bytes of those files before the rewrite"),
      col("data_files_removed", LongType, "unreferenced Delta data files the batch's vacuum removed"),
      col("places", DataTypes.createArrayType(StringType), "for FAILED: the files that still hold a value of the "
              + "subject, each as 'path#<first 12 hex of the value's HMAC>'"),
      col("batch_requests", LongType, "requests in the batch"),
      col("duration_ms", LongType, "how long the batch took"),
      col("run_id", StringType, "the erase run (job_runs.run_id) that last changed the row"))
      .aboutNoOne("request ids, statuses, keyed hashes and counts only: the identifier is never stored in clear")
      .retention(Retention.AUDIT)
      // A request still open has no completed_at: it is never aged out.
      .agedBy("completed_at")
      .build("One row per erasure request: what happened to it, without the identifier in clear.");

  /** Every table, in the order the nightly run fills them. */
  public static final List<TableSpec> ALL =
      List.of(EVENTS, CRM_CUSTOMERS, CONSENT_EVENTS, QUARANTINE, IDENTITY_EDGES, IDENTITY_MAP, IDENTITY_MERGES,
          IDENTITY_DECISIONS, IDENTITY_STATS, CONSENT_STATE, CUSTOMER_PROFILES, SEGMENT_MEMBERSHIP, SEGMENT_CHANGES, SEGMENT_SIZES,
          ACTIVATION, ACTIVATION_EXCLUSIONS, SUPPRESSION_LIST, ERASURE_LOG, JOB_RUNS);

  /**
   * Every folder of the lake that holds files rather than a table, and how a person is found in
   * it: raw deliveries are searched line by line for the subject's identifiers, as received or
   * normalised.
   */
  public static final List<LandingSpec> FOLDERS = List.of(
      new LandingSpec("landing/events", "Segment-Spec JSON lines, one folder per delivery day (dt=)",
          List.of(byRawText()), Retention.LANDING),
      new LandingSpec("landing/crm", "CRM extracts as CSV, one folder per delivery day (dt=)",
          List.of(byRawText()), Retention.LANDING),
      new LandingSpec("landing/consent", "consent ledger JSON lines, one folder per delivery day (dt=)",
          List.of(byRawText()), Retention.LANDING),
      new LandingSpec("landing/erasure", "erasure request CSVs: the subject's identifier in clear until processed",
          List.of(byRawText()), Retention.LANDING, false),
      new LandingSpec(ExportFiles.FOLDER, "activation exports: exports/dt=D/<channel>/<segment>.csv (and .added.csv, "
          + ".removed.csv) with customer_key and the address, and a _manifest.json per day",
          List.of(byKey("customer_key"), byRawText()), Retention.DAILY),
      new LandingSpec(ErasureWork.FOLDER, "erasure work files: one per request in progress, with the subject's "
          + "resolved identifiers in clear so that a killed erase can finish; removed before the request is COMPLETED",
          List.of(byRawText()), Retention.SCRATCH),
      new LandingSpec("_tarmo", "Tarmo's own scratch space (the SQL warehouse folder, write probes): no table rows",
          List.of(new SubjectLookup.None("holds no rows; Spark's shuffle, spill and local checkpoint files, "
              + "which do hold personal data, live outside the lake in tarmo.spark.local-dir/run-<pid> "
              + "(ScratchSpace: removed when the run ends, and by the next run after a kill)")), Retention.SCRATCH));

  private static final Map<String, TableSpec> BY_NAME =
      ALL.stream().collect(Collectors.toUnmodifiableMap(TableSpec::name, Function.identity()));

  private Tables() {}

  public static Optional<TableSpec> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The folder of {@link #FOLDERS} at {@code path} (relative to the lake root). */
  public static LandingSpec folder(String path) {
    return FOLDERS.stream().filter(folder -> folder.path().equals(path)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no such folder in the catalogue: " + path));
  }

  static StructType schema(StructField... fields) {
    return new StructType(fields);
  }

  static StructField col(String name, DataType type, String comment) {
    Metadata metadata = new MetadataBuilder().putString("comment", comment).build();
    return new StructField(name, type, true, metadata);
  }
}
