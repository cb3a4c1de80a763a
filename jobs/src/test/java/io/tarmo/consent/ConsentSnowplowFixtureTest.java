package io.tarmo.consent;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.dense_rank;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snowplow's consent fixture (dbt-snowplow-web's integration test data, copied under
 * {@code src/test/resources/datasets}, or where {@code -Dtarmo.datasets} points) converted to Tarmo's ledger,
 * and the per-user latest consent read back from {@code consent_state} compared with Snowplow's
 * expected {@code snowplow_web_consent_users}.
 *
 * <p>The conversion, done here and never written back to the fixture:
 * <ul>
 *   <li>a {@code consent_preferences} event ({@code source/snowplow_web_consent_preferences.csv},
 *       joined on {@code root_id = event_id} with {@code source/snowplow_web_events.csv} for the
 *       cookie and time) becomes three ledger records, one per purpose a Snowplow scope stands for:
 *       {@code preferences} → {@code personalization}, {@code statistics} → {@code analytics},
 *       {@code marketing} → {@code marketing} ({@code necessary} needs no consent and has no
 *       purpose);
 *   <li>each is {@code granted} when its scope is among {@code consent_scopes}, {@code denied}
 *       otherwise: so {@code allow_all} grants all three, {@code deny_all} denies all three,
 *       {@code allow_selected} grants the listed ones and denies the rest;
 *   <li>{@code subject_type = anonymous_id}, {@code subject_value = domain_userid} (every cookie its
 *       own customer: the fixture's {@code user_id} is one test login shared by every cookie, which
 *       Snowplow's consent models do not stitch on either); {@code channel = all} (a banner choice
 *       is not per channel); {@code legal_basis = basis_for_processing}; {@code ts =
 *       derived_tstamp}; {@code source = cmp}; {@code consent_id = root_id:purpose}; delivered on
 *       the day of {@code ts}.
 * </ul>
 *
 * <p>Compared, per cookie: {@code last_consent_event_type}, rebuilt from the three purposes'
 * statuses on channel {@code web} as of the day after the last event (all granted: allow_all, none:
 * deny_all, else allow_selected), {@code last_consent_scopes} ({@code necessary} and the granted
 * scopes, in Snowplow's order) and {@code last_consent_event_tstamp} (the latest
 * {@code decided_at}). Not compared: counts of CMP and consent events and the last CMP time (the
 * ledger holds decisions, not banner views), consent version, URL and domains (not in Tarmo's
 * ledger), and geography.
 */
@SparkTest
class ConsentSnowplowFixtureTest {

  static final String FIXTURE = "snowplow_dbt_web_fixture";
  /** Snowplow scope → Tarmo purpose, in the order Snowplow lists scopes. */
  static final List<String[]> SCOPES = List.of(new String[] {"preferences", "personalization"},
      new String[] {"statistics", "analytics"}, new String[] {"marketing", "marketing"});
  static final LocalDate AFTER = LocalDate.of(2021, 3, 31);

  private final SparkSession spark;
  @TempDir Path root;

  ConsentSnowplowFixtureTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void latestConsentPerCookieMatchesSnowplowsExpectedUsers() {
    Path fixture = fixture();
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    Dataset<Row> events = csv(fixture.resolve("source/snowplow_web_events.csv"))
        .select(col("event_id"), col("domain_userid"), col("derived_tstamp"));
    Dataset<Row> preferences = csv(fixture.resolve("source/snowplow_web_consent_preferences.csv"));

    Column purposes = array(SCOPES.stream().map(s -> struct(lit(s[0]).as("scope"), lit(s[1]).as("purpose")))
        .toArray(Column[]::new));
    Dataset<Row> ledger = preferences.join(events, col("root_id").equalTo(col("event_id")))
        .withColumn("scopes", from_json(col("consent_scopes"), DataTypes.createArrayType(DataTypes.StringType)))
        .withColumn("p", explode(purposes))
        .select(concat(col("root_id"), lit(":"), col("p.purpose")).as("consent_id"),
            lit("anonymous_id").as("subject_type"), col("domain_userid").as("subject_value"),
            col("p.purpose").as("purpose"), lit("all").as("channel"),
            when(array_contains(col("scopes"), col("p.scope")), "granted").otherwise("denied").as("status"),
            col("basis_for_processing").as("legal_basis"), to_timestamp(col("derived_tstamp")).as("ts"),
            lit(null).cast("timestamp").as("expires_at"), lit("cmp").as("source"),
            to_date(to_timestamp(col("derived_tstamp"))).as("ingest_date"));
    Dataset<Row> cookies = events.select(col("domain_userid")).distinct()
        .withColumn("customer_key", dense_rank().over(Window.orderBy(col("domain_userid"))).cast("long"));
    store.append(Tables.CONSENT_EVENTS, ledger, "snowplow");
    store.append(Tables.IDENTITY_MAP, cookies.select(lit("anonymous_id").as("identifier_type"),
        col("domain_userid").as("identifier_value"), col("customer_key"), col("customer_key").as("cluster_id"),
        lit(null).cast("timestamp").as("first_seen"), lit(null).cast("timestamp").as("last_seen"),
        lit(null).cast("date").as("added_date"), lit(null).cast("date").as("updated_date")), "snowplow");

    ConsentResult result = new ConsentJob(store, Clock.systemUTC()).run(AFTER, "snowplow");
    assertThat(result.unresolved()).isZero();

    Column granted = lit(true);
    Column none = lit(true);
    Column[] scopes = new Column[SCOPES.size() + 1];
    scopes[0] = lit("necessary");
    for (int i = 0; i < SCOPES.size(); i++) {
      Column isGranted = max(when(col("purpose").equalTo(SCOPES.get(i)[1]), col("status").equalTo("granted")));
      granted = granted.and(isGranted);
      none = none.and(isGranted.unary_$bang());
      scopes[i + 1] = when(isGranted, lit(SCOPES.get(i)[0]));
    }
    Dataset<Row> latest = store.read(Tables.CONSENT_STATE)
        .filter(ConsentState.asOf(AFTER).and(col("channel").equalTo("web")))
        .groupBy(col("customer_key"))
        .agg(when(granted, "allow_all").when(none, "deny_all").otherwise("allow_selected").as("type"),
            concat_ws(", ", scopes).as("scopes"),
            date_format(max(col("decided_at")), "yyyy-MM-dd HH:mm:ss.SSS").as("tstamp"),
            count_if(col("legal_basis").notEqual("consent")).as("other_basis"));
    // Snowplow's users are the cookies with a consent or CMP event (a banner shown, nothing chosen).
    Dataset<Row> cmpVisible = csv(fixture.resolve("source/snowplow_web_consent_cmp_visible.csv"));
    Dataset<Row> users = events.join(preferences.select(col("root_id")).union(cmpVisible.select(col("root_id"))),
            col("event_id").equalTo(col("root_id")), "left_semi")
        .select(col("domain_userid")).distinct().join(cookies, "domain_userid");
    List<String> actual = rows(users.join(latest, new String[] {"customer_key"}, "left")
        .select(col("domain_userid"), col("type"), col("scopes"), col("tstamp")));

    Dataset<Row> expectedUsers = csv(fixture.resolve("expected/snowplow_web_consent_users_expected.csv"));
    List<String> expected = rows(expectedUsers.select(col("domain_userid"), col("last_consent_event_type"),
        col("last_consent_scopes"), col("last_consent_event_tstamp")));

    assertThat(expected).hasSize(26);
    assertThat(actual).containsExactlyElementsOf(expected);
    assertThat(latest.filter(col("other_basis").gt(0)).count()).as("every decision's basis is consent").isZero();
  }

  private Dataset<Row> csv(Path file) {
    return spark.read().option("header", "true").option("escape", "\"").option("multiLine", "true")
        .csv(file.toString());
  }

  /** Each row as {@code a|b|c|d}, nulls as empty (the expected file's empty cells), sorted by the first. */
  private static List<String> rows(Dataset<Row> rows) {
    Column[] columns = java.util.Arrays.stream(rows.columns()).map(c -> coalesce(col(c), lit("")))
        .toArray(Column[]::new);
    return rows.orderBy(col(rows.columns()[0])).select(concat_ws("|", columns)).collectAsList().stream()
        .map(row -> row.getString(0)).toList();
  }

  /** The fixture folder: {@code -Dtarmo.datasets}, else the copy under the test resources (datasets/). */
  private static Path fixture() {
    String configured = System.getProperty("tarmo.datasets");
    Path folder = configured != null ? Path.of(configured, FIXTURE) : Path.of("src/test/resources/datasets", FIXTURE);
    assertThat(folder.resolve("source")).as("the Snowplow fixture").isDirectory();
    return folder;
  }
}
