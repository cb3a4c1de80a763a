package io.tarmo.testing;

import io.tarmo.lake.Lake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.SparkSession;

/** A test's own byte-level scan of a local lake, independent of Tarmo's code and of the Delta log. */
public final class LakeScan {

  private LakeScan() {}

  /**
   * Every file under the lake root that holds one of {@code values} (case-insensitive; phones also
   * as people type them), read by this test itself: Parquet file by file through Spark's Parquet
   * reader (all columns as JSON), everything else as bytes, gunzipped when gzip.
   */
  public static List<String> find(SparkSession spark, Lake lake, List<String> values) throws IOException {
    List<String> needles = new ArrayList<>();
    for (String value : values) {
      needles.add(value.toLowerCase(Locale.ROOT));
      if (value.startsWith("+49")) {
        String nsn = value.substring(3);
        needles.add("0" + nsn.substring(0, 3) + " " + nsn.substring(3));
        needles.add("0049-" + nsn.substring(0, 3) + "-" + nsn.substring(3));
        needles.add("+49 " + nsn.substring(0, 3) + " " + nsn.substring(3));
        needles.add("(0" + nsn.substring(0, 3) + ") " + nsn.substring(3, 7) + "-" + nsn.substring(7));
      }
    }
    // A whole value, not part of a longer one (anna@x.de is not in hanna@x.de).
    java.util.regex.Pattern any = java.util.regex.Pattern.compile("(?<![\\p{L}\\p{N}_.+-])("
        + String.join("|", needles.stream().map(java.util.regex.Pattern::quote).toList()) + ")(?![\\p{L}\\p{N}_@])");
    List<String> found = new ArrayList<>();
    Path lakeRoot = Path.of(java.net.URI.create(lake.root()));
    try (Stream<Path> files = Files.walk(lakeRoot)) {
      // Hadoop's hidden checksum files (.<name>.crc) hold CRC32 sums of another file's bytes, no text:
      // a two-letter value (a customer_id such as C1) turns up in their bytes only by chance.
      // Delta's own checksum files (<version>.crc, JSON) are read like any other.
      for (Path file : files.filter(Files::isRegularFile).filter(file -> !hadoopChecksum(file)).toList()) {
        String text;
        if (file.getFileName().toString().endsWith(".parquet")) {
          text = String.join("\n", spark.read().parquet(file.toString())
              .selectExpr("to_json(struct(*))").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        } else {
          text = read(file);
        }
        String lower = (lakeRoot.relativize(file) + "\n" + text).toLowerCase(Locale.ROOT);
        java.util.regex.Matcher match = any.matcher(lower);
        if (match.find()) {
          found.add(lakeRoot.relativize(file) + " holds " + match.group(1));
        }
      }
    }
    return found;
  }

  private static boolean hadoopChecksum(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") && name.endsWith(".crc");
  }

  private static String read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length > 1 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        bytes = out.toByteArray();
      }
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
