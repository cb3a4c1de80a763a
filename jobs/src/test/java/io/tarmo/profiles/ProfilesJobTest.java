package io.tarmo.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.testing.LakeFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class ProfilesJobTest {

  static final LocalDate DAY = LocalDate.of(2026, 11, 28);

  private final SparkSession spark;
  @TempDir Path root;

  ProfilesJobTest(SparkSession spark) {
    this.spark = spark;
  }

  static LakeFixtures fixtures(SparkSession spark) {
    LakeFixtures lake = new LakeFixtures(spark)
        .identity("customer_id", "C1", 1).identity("anonymous_id", "a1", 1)
        .identity("customer_id", "C2", 2).identity("anonymous_id", "a2", 2)
        .identity("anonymous_id", "a3", 3)
        .identity("customer_id", "C4", 4)
        .crm("C1", "crm@example.org", "", "Ann")
        .crm("C2", "  ", "+4915112345678", null)
        .crm("C4", null, null, null);
    // C1: two sessions (a gap of exactly 30 minutes stays in one; 30 min + 1 s starts the next)
    lake.event("identify", "2026-11-27T10:00:00Z").user("C1").cookie("a1").set("email", "old@example.org")
        .set("phone", "+4915199999999").set("traits", "{\"firstName\":\"Anna\",\"lastName\":\"Lee\"}").add();
    lake.event("page", "2026-11-27T10:30:00Z").cookie("a1").path("/").add();
    lake.event("track", "2026-11-27T11:00:01Z").user("C1").named("Order Completed").set("order_id", "o1")
        .set("revenue", 30.0).add();
    lake.event("track", "2026-11-27T11:01:00Z").user("C1").named("Product Viewed").set("category", "Dairy").add();
    lake.event("track", "2026-11-27T11:02:00Z").user("C1").named("Product Viewed").set("category", "Bakery").add();
    lake.event("track", "2026-11-27T11:03:00Z").user("C1").named("Product Added").set("category", "Bakery").add();
    // C2: the later non-empty trait wins, blank CRM email does not; an app user
    lake.event("identify", "2026-11-20T10:00:00Z").user("C2").set("email", "first@example.org").add();
    lake.event("identify", "2026-11-21T10:00:00Z").user("C2").set("email", "second@example.org").add();
    lake.event("identify", "2026-11-22T10:00:00Z").user("C2").set("email", " ").add();
    lake.event("screen", "2026-11-21T10:05:00Z").user("C2").cookie("a2-old-phone").set("page_name", "Home").add();
    lake.event("screen", "2026-11-22T10:05:00Z").user("C2").cookie("a2").set("page_name", "Home").add();
    lake.event("track", "2026-11-22T10:06:00Z").user("C2").named("Order Completed").set("order_id", "o2")
        .set("revenue", 10.0).add();
    lake.event("track", "2026-11-25T10:06:00Z").user("C2").named("Order Completed").set("order_id", "o3")
        .set("revenue", 20.0).add();
    // a3: a visitor; an event after the business day is not known yet
    lake.event("page", "2026-11-28T23:59:00Z").cookie("a3").path("/").add();
    lake.event("page", "2026-11-29T00:00:00Z").cookie("a3").path("/").add();
    return lake;
  }

  Map<Long, Row> byKey(Dataset<Row> profiles) {
    return profiles.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.<Long>getAs("customer_key"), Function.identity()));
  }

  @Test
  void goldenRecordPrefersCrmThenTheLatestNonEmptyEventTrait() {
    LakeFixtures lake = fixtures(spark);
    Map<Long, Row> profiles = byKey(ProfilesJob.profiles(lake.events(), lake.identityMap(), lake.crmCustomers(), DAY));

    assertThat(profiles).containsOnlyKeys(1L, 2L, 3L, 4L);
    Row c1 = profiles.get(1L);
    assertThat(c1.<String>getAs("email")).isEqualTo("crm@example.org");
    assertThat(c1.<String>getAs("email_source")).isEqualTo("crm");
    assertThat(c1.<String>getAs("phone")).as("a blank CRM value yields to the event trait").isEqualTo("+4915199999999");
    assertThat(c1.<String>getAs("phone_source")).isEqualTo("events");
    assertThat(c1.<String>getAs("first_name")).isEqualTo("Ann");
    assertThat(c1.<String>getAs("last_name")).isEqualTo("Lee");
    Row c2 = profiles.get(2L);
    assertThat(c2.<String>getAs("email")).isEqualTo("second@example.org");
    assertThat(c2.<String>getAs("phone")).isEqualTo("+4915112345678");
    assertThat(c2.getList(c2.fieldIndex("contactable_channels"))).containsExactly("email", "sms", "phone", "push");
    assertThat(c2.<String>getAs("push_device_id")).as("the device of the latest app screen").isEqualTo("a2");
    assertThat(c1.<String>getAs("push_device_id")).as("never used the app").isNull();
    Row c4 = profiles.get(4L);
    assertThat(c4.<String>getAs("customer_id")).isEqualTo("C4");
    assertThat(c4.<Long>getAs("events")).isZero();
    assertThat(c4.getList(c4.fieldIndex("contactable_channels"))).isEmpty();
    assertThat(profiles.get(3L).<String>getAs("customer_id")).isNull();
  }

  @Test
  void computedTraitsCountSessionsOrdersAndFavourites() {
    LakeFixtures lake = fixtures(spark);
    Map<Long, Row> profiles = byKey(ProfilesJob.profiles(lake.events(), lake.identityMap(), lake.crmCustomers(), DAY));

    Row c1 = profiles.get(1L);
    assertThat(c1.<Long>getAs("events")).isEqualTo(6);
    assertThat(c1.<Long>getAs("sessions")).as("10:00, 10:30 (30 min: same), 11:00:01 (new)").isEqualTo(2);
    assertThat(c1.<Long>getAs("page_views")).isEqualTo(1);
    assertThat(c1.<Long>getAs("orders")).isEqualTo(1);
    assertThat(c1.<String>getAs("favourite_category")).isEqualTo("Bakery");
    assertThat(c1.<java.sql.Date>getAs("last_order_date").toLocalDate()).isEqualTo(LocalDate.of(2026, 11, 27));
    Row c2 = profiles.get(2L);
    assertThat(c2.<Long>getAs("orders")).isEqualTo(2);
    assertThat(c2.<Double>getAs("lifetime_revenue")).isEqualTo(30.0);
    assertThat(c2.<Double>getAs("average_order_value")).isEqualTo(15.0);
    assertThat(c2.<Integer>getAs("recency_days")).isEqualTo(3);
    assertThat(c1.<Integer>getAs("frequency_score")).isEqualTo(1);
    assertThat(c2.<Integer>getAs("frequency_score")).as("above two of the four quintile bounds [1, 1, 2, 2]").isEqualTo(3);
    assertThat(c1.<Integer>getAs("recency_score")).isEqualTo(5);
    assertThat(c2.<Integer>getAs("recency_score")).isEqualTo(3);
    assertThat(c1.<Integer>getAs("monetary_score")).as("equal revenue shares a score").isEqualTo(c2.<Integer>getAs("monetary_score"));
    assertThat(c2.<String>getAs("rfm_cell")).isEqualTo("33" + c2.<Integer>getAs("monetary_score"));
    Row visitor = profiles.get(3L);
    assertThat(visitor.<Long>getAs("events")).as("the event after the business day is not counted").isEqualTo(1);
    assertThat(visitor.<Integer>getAs("recency_score")).isNull();
    assertThat(visitor.<Double>getAs("lifetime_revenue")).isZero();
  }

  @Test
  void rerunReplacesTheTableAndKeepsItsDeclaredSchema() {
    LakeFixtures lake = fixtures(spark);
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    ProfilesJob job = new ProfilesJob(store, Clock.systemUTC());
    assertThatThrownBy(() -> job.check(DAY)).isInstanceOfSatisfying(TarmoException.class,
        e -> assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE));
    store.append(Tables.EVENTS, lake.events(), "test");
    store.append(Tables.IDENTITY_MAP, lake.identityMap(), "test");
    store.append(Tables.CRM_CUSTOMERS, lake.crmCustomers(), "test");

    ProfilesResult first = job.run(DAY, "first");
    Dataset<Row> before = store.read(Tables.CUSTOMER_PROFILES).localCheckpoint();
    ProfilesResult second = job.run(DAY, "second");
    Dataset<Row> after = store.read(Tables.CUSTOMER_PROFILES);

    assertThat(first.customers()).isEqualTo(4).isEqualTo(second.customers());
    assertThat(second.withOrders()).isEqualTo(2);
    assertThat(after.count()).isEqualTo(4);
    assertThat(after.exceptAll(before).count()).isZero();
    assertThat(before.exceptAll(after).count()).isZero();
    assertThat(Arrays.asList(after.schema().fields())).isEqualTo(Arrays.asList(Tables.CUSTOMER_PROFILES.schema().fields()));
    String clustering = spark.sql("DESCRIBE DETAIL delta.`" + store.lake().tablePath(Tables.CUSTOMER_PROFILES) + "`")
        .select("clusteringColumns").head().getList(0).toString();
    assertThat(clustering).contains("customer_key");
    List<String> stats = List.of(spark.sql("SHOW TBLPROPERTIES delta.`" + store.lake().tablePath(Tables.CUSTOMER_PROFILES) + "`")
        .filter("key = 'delta.dataSkippingStatsColumns'").head().getString(1).split(","));
    assertThat(stats).doesNotContainAnyElementsOf(Tables.CUSTOMER_PROFILES.personalColumns());
  }
}
