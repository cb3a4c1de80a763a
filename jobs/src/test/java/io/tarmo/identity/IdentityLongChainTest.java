package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.config.SettingsLoader;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chain of 100,000 identifiers (cookie - email - cookie - ...) resolves into one customer in few
 * rounds, resolved with Spark ({@code driver-links = 0}) so that its resolution runs at this size
 * too. A chain this size fits the driver, where connected components finish with union-find in
 * zero distributed rounds; the rounds themselves on a long chain are covered by
 * {@code LargeStarSmallStarTest}.
 */
@SparkTest
@Tag("slow")
class IdentityLongChainTest {

  static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  static final long LINKS = 50_000;

  private final SparkSession spark;
  @TempDir Path root;

  IdentityLongChainTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void chainOfHundredThousandIdentifiersIsOneCustomerInFewRounds() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    // identify(cookie i, email i) and identify(cookie i+1, email i): 2 x 50,000 identifiers in one chain.
    Dataset<Row> ids = spark.range(LINKS).withColumnRenamed("id", "i");
    Dataset<Row> rows = events(ids, col("i"), col("i")).union(events(ids, col("i").plus(1), col("i")));
    store.append(Tables.EVENTS, rows, "test");
    IdentitySettings settings = SettingsLoader.load(null).identity().withMaxComponentSize(1_000_000)
        .withDriverLinks(0);

    IdentityResult result = new IdentityJob(store, settings,
        Clock.fixed(Instant.parse("2026-11-29T03:00:00Z"), ZoneOffset.UTC)).run(DAY, false, "test");

    assertThat(result.count("identity.identifiers")).isEqualTo(2 * LINKS + 1);
    assertThat(result.count("identity.components")).isEqualTo(1);
    assertThat(result.largestComponent()).isEqualTo(2 * LINKS + 1);
    assertThat(result.count("identity.rounds")).isBetween(0L, 40L);
  }

  private static Dataset<Row> events(Dataset<Row> ids, Column cookie, Column email) {
    Column[] columns = new Column[Tables.EVENTS.schema().fields().length];
    int i = 0;
    for (StructField field : Tables.EVENTS.schema().fields()) {
      Column value = switch (field.name()) {
        case "message_id" -> concat(lit("m-"), cookie.cast("string"), lit("-"), email.cast("string"));
        case "type" -> lit("identify");
        case "ts" -> lit(Timestamp.from(Instant.parse("2026-11-28T12:00:00Z")));
        case "event_date", "ingest_date" -> lit(Date.valueOf(DAY));
        case "anonymous_id" -> concat(lit("chain-cookie-"), cookie.cast("string"));
        case "email" -> concat(lit("chain-"), email.cast("string"), lit("@web.de"));
        default -> lit(null);
      };
      columns[i++] = value.cast(field.dataType()).as(field.name());
    }
    return ids.select(columns);
  }
}
