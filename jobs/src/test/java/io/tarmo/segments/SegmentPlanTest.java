package io.tarmo.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.profiles.ProfilesJob;
import io.tarmo.testing.LakeFixtures;
import io.tarmo.testing.SparkTest;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Each condition kind against tiny fixtures, with its boundaries. Business day 2026-11-28. */
@SparkTest
class SegmentPlanTest {

  static final LocalDate DAY = LocalDate.of(2026, 11, 28);

  private final SparkSession spark;

  SegmentPlanTest(SparkSession spark) {
    this.spark = spark;
  }

  /** Members by segment id (every defined segment present, possibly empty). */
  Map<String, List<Long>> evaluate(LakeFixtures lake, LocalDate day, String hocon) {
    SegmentCatalog catalog = SegmentsLoader.parse(hocon, "test");
    SegmentPlan plan = SegmentPlan.compile(catalog, day);
    Map<String, TreeSet<Long>> members = new TreeMap<>();
    catalog.segments().forEach(s -> members.put(s.id(), new TreeSet<>()));
    List<Row> rows = SegmentsJob.members(plan, lake.events(), lake.identityMap(),
        ProfilesJob.profiles(lake.events(), lake.identityMap(), lake.crmCustomers(), day)).collectAsList();
    for (Row row : rows) {
      members.get(row.<String>getAs("segment_id")).add(row.<Long>getAs("customer_key"));
    }
    Map<String, List<Long>> result = new TreeMap<>();
    members.forEach((id, keys) -> result.put(id, List.copyOf(keys)));
    return result;
  }

  static LakeFixtures cookies(LakeFixtures lake, int customers) {
    for (int i = 1; i <= customers; i++) {
      lake.identity("anonymous_id", "a" + i, i);
    }
    return lake;
  }

  LakeFixtures viewed(LakeFixtures lake, String cookie, String ts) {
    return lake.event("track", ts).cookie(cookie).named("Product Viewed").set("product_id", "p1").add();
  }

  @Test
  void windowStartsAtMidnightUtcOfItsFirstDayAndEndsWithTheBusinessDay() {
    LakeFixtures lake = cookies(new LakeFixtures(spark), 2);
    viewed(lake, "a1", "2026-11-22T00:00:00Z");
    viewed(lake, "a1", "2026-11-21T23:59:59Z");
    viewed(lake, "a1", "2026-11-28T23:59:59.999Z");
    viewed(lake, "a1", "2026-11-29T00:00:00Z").events();
    lake.event("track", "2026-11-29T00:00:01Z").cookie("a1").named("Product Viewed").deliveredOn(DAY).add();
    viewed(lake, "a2", "2026-11-22T00:30:00+01:00");
    viewed(lake, "a2", "2026-11-28T23:30:00-01:00");
    viewed(lake, "a2", "2026-11-25T10:00:00Z");

    Map<String, List<Long>> members = evaluate(lake, DAY, "segments = ["
        + "{ id = twice, condition { event { event = \"Product Viewed\", within = 7d, count { eq = 2 } } } },"
        + "{ id = once, condition { event { event = \"Product Viewed\", within = 7d } } },"
        + "{ id = month, condition { event { event = \"Product Viewed\", within = this-month, count { gte = 3 } } } } ]");

    assertThat(members.get("twice")).as("first day from 00:00Z and the business day until 23:59:59.999Z").containsExactly(1L);
    assertThat(members.get("once")).as("offsets are converted to UTC before the window applies").containsExactly(1L, 2L);
    assertThat(members.get("month")).as("this-month = since 2026-11-01").containsExactly(1L);
  }

  @Test
  void lateEventsCountFromTheDayTheyAreDelivered() {
    LakeFixtures lake = cookies(new LakeFixtures(spark), 2);
    lake.event("track", "2026-11-26T10:00:00Z").cookie("a1").named("Order Completed").deliveredOn(DAY).add();
    lake.event("track", "2026-11-27T10:00:00Z").cookie("a2").named("Order Completed").deliveredOn(DAY.plusDays(1)).add();
    String hocon = "segments = [ { id = buyers, condition { event { event = \"Order Completed\", within = 7d } } } ]";

    assertThat(evaluate(lake, DAY, hocon).get("buyers")).containsExactly(1L);
    assertThat(evaluate(lake, DAY.plusDays(1), hocon).get("buyers")).containsExactly(1L, 2L);
  }

  @Test
  void customerMergedYesterdayHasAllHistoryUnderTheSurvivingKeyAndUserIdWins() {
    LakeFixtures lake = new LakeFixtures(spark)
        .identity("customer_id", "C1", 1).identity("anonymous_id", "a1", 1)
        .identity("anonymous_id", "a5", 1)
        .identity("anonymous_id", "a2", 2);
    viewed(lake, "a5", "2026-11-27T09:00:00Z");
    lake.event("track", "2026-11-28T09:00:00Z").user("C1").cookie("a2").named("Product Viewed").add();
    lake.event("track", "2026-11-28T09:00:00Z").cookie("undefined").named("Product Viewed").add();

    Map<String, List<Long>> members = evaluate(lake, DAY, "segments = ["
        + "{ id = twice, condition { event { event = \"Product Viewed\", within = 7d, count { gte = 2 } } } },"
        + "{ id = any, condition { event { event = \"Product Viewed\", within = 7d } } } ]");

    assertThat(members.get("twice")).containsExactly(1L);
    assertThat(members.get("any")).as("the user id's key wins over the cookie's; unmapped cookies belong to nobody")
        .containsExactly(1L);
  }

  @Test
  void propertyPredicatesCompareTypedValues() {
    LakeFixtures lake = cookies(new LakeFixtures(spark), 4);
    lake.event("track", "2026-11-28T09:00:00Z").cookie("a1").named("Product Added").set("price", 10.0)
        .set("category", "Coffee & Tea").set("properties", "{\"position\":2,\"topic\":\"x\"}").add();
    lake.event("track", "2026-11-28T09:00:00Z").cookie("a2").named("Product Added").set("price", 10.01)
        .set("category", "Coffee & Tea").set("properties", "{\"position\":\"first\"}").add();
    lake.event("track", "2026-11-28T09:00:00Z").cookie("a3").named("Product Added").set("price", 12.5)
        .set("category", "Dairy").set("properties", "{\"position\":3}").add();
    lake.event("track", "2026-11-28T09:00:00Z").cookie("a4").named("Product Added").add();

    Map<String, List<Long>> members = evaluate(lake, DAY, "properties { position = long }\nsegments = ["
        + "{ id = pricey, condition { event { where { price { gt = 10 } }, within = 1d } } },"
        + "{ id = coffee, condition { event { where { category = \"Coffee & Tea\" }, within = 1d } } },"
        + "{ id = not-dairy, condition { event { where { category { ne = \"Dairy\" } }, within = 1d } } },"
        + "{ id = ranked, condition { event { where { position { gte = 2 } }, within = 1d } } },"
        + "{ id = topical, properties { topic = string }, condition { event { where { topic { exists = true } }, within = 1d } } },"
        + "{ id = no-price, condition { event { where { price { exists = false } }, within = 1d } } },"
        + "{ id = listed, condition { event { where { category = [Dairy, Bakery] }, within = 1d } } } ]");

    assertThat(members.get("pricey")).as("gt is strict").containsExactly(2L, 3L);
    assertThat(members.get("coffee")).containsExactly(1L, 2L);
    assertThat(members.get("not-dairy")).as("a missing value satisfies no comparison").containsExactly(1L, 2L);
    assertThat(members.get("ranked")).as("a value that is not a long is missing").containsExactly(1L, 3L);
    assertThat(members.get("topical")).containsExactly(1L);
    assertThat(members.get("no-price")).containsExactly(4L);
    assertThat(members.get("listed")).containsExactly(3L);
  }

  @Test
  void sumAndDistinctThresholds() {
    LakeFixtures lake = cookies(new LakeFixtures(spark), 3);
    for (String[] order : new String[][] {{"a1", "20"}, {"a1", "30"}, {"a2", "20"}, {"a2", "29.99"}}) {
      lake.event("track", "2026-11-27T09:00:00Z").cookie(order[0]).named("Order Completed")
          .set("revenue", Double.parseDouble(order[1])).set("product_id", "p-" + order[1]).add();
    }
    lake.event("track", "2026-11-27T09:00:00Z").cookie("a2").named("Order Completed").set("product_id", "p-20").add();
    // Customer 3 is active in the window but has no row any distinct count reads.
    lake.event("page", "2026-11-27T09:00:00Z").cookie("a3").add();

    Map<String, List<Long>> members = evaluate(lake, DAY, "segments = ["
        + "{ id = no-products, condition { event { within = 7d, distinct { of = product_id, eq = 0 } } } },"
        + "{ id = fifty, condition { event { event = \"Order Completed\", within = 7d, sum { of = revenue, gte = 50 } } } },"
        + "{ id = three-products, condition { event { within = 7d, distinct { of = product_id, gte = 3 } } } },"
        + "{ id = two-products, condition { event { within = 7d, distinct { of = product_id, eq = 2 } } } },"
        + "{ id = few-orders, condition { event { event = \"Order Completed\", within = 7d, count { lt = 3 } } } } ]");

    assertThat(members.get("fifty")).containsExactly(1L);
    assertThat(members.get("three-products")).isEmpty();
    assertThat(members.get("two-products")).containsExactly(1L, 2L);
    assertThat(members.get("few-orders")).containsExactly(1L, 3L);
    assertThat(members.get("no-products")).as("no rows to collect counts as zero distinct values").containsExactly(3L);
  }

  @Test
  void profileTraitsCombineWithBehaviourThroughAllAnyAndNot() {
    LakeFixtures lake = new LakeFixtures(spark)
        .identity("customer_id", "C1", 1).identity("customer_id", "C2", 2).identity("anonymous_id", "a3", 3)
        .crm("C1", "c1@example.org", null, null).crm("C2", null, null, null);
    lake.event("track", "2026-11-28T09:00:00Z").user("C1").named("Order Completed").set("revenue", 40.0).set("order_id", "o1").add();
    lake.event("page", "2026-11-28T09:00:00Z").cookie("a3").path("/").add();

    Map<String, List<Long>> members = evaluate(lake, DAY, "segments = ["
        + "{ id = quiet, condition { not { event { within = 30d } } } },"
        + "{ id = known-or-active, condition { any = [ { profile { known_customer = true } }, { event { within = 1d } } ] } },"
        + "{ id = emailable-buyers, condition { all = [ { profile { orders { gte = 1 }, contactable_channels { contains = email } } },"
        + "  { event { event = \"Order Completed\", within = 1d } } ] } },"
        + "{ id = never-ordered, condition { profile { orders = 0, days_since_last_seen { lte = 0 } } } } ]");

    assertThat(members.get("quiet")).as("a CRM customer without events is evaluated too").containsExactly(2L);
    assertThat(members.get("known-or-active")).containsExactly(1L, 2L, 3L);
    assertThat(members.get("emailable-buyers")).containsExactly(1L);
    assertThat(members.get("never-ordered")).as("missing last_seen satisfies no comparison").containsExactly(3L);
  }

  @Test
  void sequenceNeedsAnElapsedFollowUpWithoutTheSecondStep() {
    LakeFixtures lake = cookies(new LakeFixtures(spark), 6);
    String read = "/finance/interest-rate-caps";
    lake.event("page", "2026-11-20T10:00:00Z").cookie("a1").path(read).add();
    lake.event("track", "2026-11-23T10:00:00Z").cookie("a1").named("Appointment Booked").add();
    lake.event("page", "2026-11-20T10:00:00Z").cookie("a2").path(read).add();
    lake.event("track", "2026-11-23T10:00:00.001Z").cookie("a2").named("Appointment Booked").add();
    lake.event("page", "2026-11-26T10:00:00Z").cookie("a3").path(read).add();
    lake.event("page", "2026-11-25T00:00:00Z").cookie("a4").path(read).add();
    lake.event("track", "2026-11-19T10:00:00Z").cookie("a5").named("Appointment Booked").add();
    lake.event("page", "2026-11-20T10:00:00Z").cookie("a5").path(read).add();
    lake.event("track", "2026-11-20T10:00:00Z").cookie("a6").named("Product Viewed").path(read).add();

    Map<String, List<Long>> members = evaluate(lake, DAY, "segments = [ { id = no-booking, condition { sequence {"
        + " did { page = \"" + read + "\", within = 30d }, then-did-not { event = \"Appointment Booked\" }, follow-up = 3d"
        + " } } } ]");

    assertThat(members.get("no-booking"))
        .as("1: booked exactly 3 days later (inclusive); 3: follow-up not over; 5: booked before reading; "
            + "6: a track on the page is no page view")
        .containsExactly(2L, 4L, 5L);
  }

  @Test
  void countsBesideACollectingConditionAgreeWithCountsAlone() {
    // A distinct count or a sequence sends the events through CustomerFold, where the conditions
    // of the counts travel as bits of longs (63 per long): 70 counts need two.
    // Product views per customer (rows) on each day from 2026-11-22 to the business day (columns).
    int[][] views = {{3, 0, 2, 1, 0, 3, 1}, {0, 1, 0, 0, 2, 0, 3}, {1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 3, 3, 3, 3},
        {2, 2, 0, 0, 0, 0, 1}};
    LakeFixtures lake = cookies(new LakeFixtures(spark), views.length);
    for (int customer = 0; customer < views.length; customer++) {
      for (int day = 0; day < 7; day++) {
        for (int view = 0; view < views[customer][day]; view++) {
          viewed(lake, "a" + (customer + 1), "2026-11-" + (22 + day) + "T1" + view + ":00:00Z");
        }
      }
    }
    StringBuilder counts = new StringBuilder();
    for (int within = 1; within <= 7; within++) {
      for (int least = 1; least <= 10; least++) {
        counts.append("{ id = w").append(within).append("-n").append(least)
            .append(", condition { event { event = \"Product Viewed\", within = ").append(within)
            .append("d, count { gte = ").append(least).append(" } } } },");
      }
    }
    Map<String, List<Long>> alone = evaluate(lake, DAY, "segments = [" + counts + "]");
    Map<String, List<Long>> beside = evaluate(lake, DAY, "segments = [" + counts
        + "{ id = one-product, condition { event { within = 7d, distinct { of = product_id, eq = 1 } } } } ]");

    assertThat(beside.get("one-product")).containsExactly(1L, 2L, 3L, 4L, 5L);
    beside.remove("one-product");
    assertThat(beside).isEqualTo(alone);
    assertThat(alone.get("w7-n1")).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(alone.values().stream().distinct().count()).as("the fixture tells the thresholds apart").isGreaterThan(5);
  }

  @Test
  void identicalConditionsShareOneAggregate() {
    String condition = "event { event = \"Product Viewed\", within = 30d, count { gte = 2 } }";
    SegmentCatalog catalog = SegmentsLoader.parse("segments = ["
        + "{ id = a, condition { " + condition + " } },"
        + "{ id = b, condition { not { " + condition + " } } },"
        + "{ id = c, condition { event { event = \"Product Viewed\", within = 7d } } } ]", "test");
    SegmentPlan plan = SegmentPlan.compile(catalog, DAY);
    assertThat(plan.aggregateCount()).isEqualTo(2);
    assertThat(plan.scanStart()).contains(DAY.minusDays(29));
  }
}
