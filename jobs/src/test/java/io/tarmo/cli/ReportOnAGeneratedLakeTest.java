package io.tarmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.testing.InProcessTarmo;
import io.tarmo.testing.ReportPages;
import io.tarmo.testing.SparkTest;
import io.tarmo.testing.TwoNightLake;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a generated lake (two nights of the pipeline, {@link TwoNightLake}) holds none of its people: no email, phone,
 * name, street, customer id, loyalty card, cookie or IP that any table holds appears on the page,
 * and no column that names a person is in its data.
 */
@SparkTest
@Tag("slow")
class ReportOnAGeneratedLakeTest {

  private static final Pattern LIBRARY = Pattern.compile("<script data-library=\"echarts [^\"]*\">.*?</script>",
      Pattern.DOTALL);

  private final SparkSession spark;
  @TempDir Path root;

  ReportOnAGeneratedLakeTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void theReportOfAGeneratedLakeHoldsNoneOfItsPeople() throws Exception {
    TwoNightLake.Copy copy = TwoNightLake.copyTo(root);
    Path lake = copy.lake();
    Path config = copy.config();
    InProcessTarmo.Run report = InProcessTarmo.tarmo("report", "--lake", lake.toString(), "--config", config.toString(), "--date", "2026-11-28",
        "--out", root.resolve("reports/2026-11-28.html").toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.out().strip()).startsWith("report 2026-11-28: 2026-11-27 to 2026-11-28, ");

    String page = Files.readString(root.resolve("reports/2026-11-28.html"), StandardCharsets.UTF_8);
    JsonNode data = ReportPages.data(page);
    assertThat(data.get("headline").get("night_status").asText()).isEqualTo("SUCCEEDED");
    assertThat(data.get("volumes")).hasSize(6);
    assertThat(fieldNames(data)).as("no column about a person is embedded")
        .doesNotContain("customer_key", "customer_id", "email", "phone", "address", "identifier_value",
            "anonymous_id", "user_id", "ip", "first_name", "last_name", "record", "subject_hash");

    // Everything on the page but the chart library, which is the WebJar's text and no data.
    String ours = LIBRARY.matcher(page).replaceAll("");
    assertThat(ours.length()).as("the library was found and left out").isLessThan(page.length() / 2);
    Set<String> values = personalValues(new DeltaStore(spark, Lake.at(lake.toString())));
    assertThat(values).as("the lake holds people to look for").hasSizeGreaterThan(300);
    for (String value : values) {
      assertThat(Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(value) + "(?![\\p{L}\\p{N}])")
          .matcher(ours).find()).as("a personal value of the lake is on the page").isFalse();
    }
  }

  /** Every identifier, contact value, name, street and IP of the lake's people, as stored. */
  private Set<String> personalValues(DeltaStore store) {
    Set<String> values = new LinkedHashSet<>();
    Map<io.tarmo.lake.TableSpec, List<String>> columns = Map.of(
        Tables.CRM_CUSTOMERS, List.of("customer_id", "email", "phone", "first_name", "last_name", "street",
            "loyalty_card_id"),
        Tables.IDENTITY_MAP, List.of("identifier_value"),
        Tables.CUSTOMER_PROFILES, List.of("first_name", "last_name", "email", "phone", "push_device_id"),
        Tables.EVENTS, List.of("anonymous_id", "user_id", "email", "phone", "ip"),
        Tables.ACTIVATION, List.of("address"));
    columns.forEach((table, names) -> {
      for (String name : names) {
        for (Row row : store.read(table).select(name).distinct().collectAsList()) {
          String value = row.getString(0);
          if (value != null && value.strip().length() >= 3) {
            values.add(value.strip());
          }
        }
      }
    });
    return values;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new LinkedHashSet<>();
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        names.add(field.getKey());
        names.addAll(fieldNames(field.getValue()));
      }
    } else if (node.isArray()) {
      node.forEach(element -> names.addAll(fieldNames(element)));
    }
    return names;
  }
}
