package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.ValueMatcher;
import io.tarmo.testing.SparkTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifying scan of erasure: every value of a batch in every file, several people in one file too. */
@SparkTest
class LakeFilesScanTest {

  private static final ValueMatcher BATCH = ValueMatcher.of(List.of(
      new ValueMatcher.Value(IdentifierType.EMAIL, "anna@example.de", null),
      new ValueMatcher.Value(IdentifierType.EMAIL, "bob@example.de", null),
      new ValueMatcher.Value(IdentifierType.CUSTOMER_ID, "C000012", null)), "DE");

  private final SparkSession spark;
  @TempDir Path root;

  LakeFilesScanTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void everyPersonOfTheBatchIsFoundInAFileThatHoldsSeveral() throws IOException {
    Path landing = Files.createDirectories(root.resolve("landing/events/dt=2026-11-27"));
    Files.writeString(landing.resolve("part-0.json"),
        "{\"email\":\"ANNA@example.de\"}\n{\"x\":1}\n{\"email\":\"bob@example.de\",\"userId\":\"C000012\"}\n");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(landing.resolve("part-1.json.gz")))) {
      out.write("{\"userId\":\"C000012\"}\n{\"email\":\"bob@example.de\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    spark.createDataset(List.of("anna@example.de", "someone@example.de", "bob@example.de"), Encoders.STRING())
        .toDF("email").coalesce(1).write().parquet(root.resolve("tables/t/data").toString());
    Files.createDirectories(root.resolve("exports/anna@example.de"));
    Files.writeString(root.resolve("exports/anna@example.de/list.csv"), "customer_key\n7\n");

    List<String> found = new LakeFiles(spark, Lake.at(root.toString())).scan(BATCH, List.of()).stream()
        .map(finding -> finding.path().replaceAll("part-0000.*\\.parquet", "part.parquet") + " " + finding.value())
        .sorted().toList();

    assertThat(found).containsExactly(
        "exports/anna@example.de/list.csv anna@example.de",
        "landing/events/dt=2026-11-27/part-0.json C000012",
        "landing/events/dt=2026-11-27/part-0.json anna@example.de",
        "landing/events/dt=2026-11-27/part-0.json bob@example.de",
        "landing/events/dt=2026-11-27/part-1.json.gz C000012",
        "landing/events/dt=2026-11-27/part-1.json.gz bob@example.de",
        "tables/t/data/part.parquet anna@example.de",
        "tables/t/data/part.parquet bob@example.de");
  }
}
