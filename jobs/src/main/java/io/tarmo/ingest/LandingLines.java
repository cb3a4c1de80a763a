package io.tarmo.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import io.tarmo.TarmoException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads landing files as lines of text ({@code value}) with the file each came from ({@code file})
 * and its position in the scan ({@code line_id}).
 */
public final class LandingLines {

  static final StructType SCHEMA = new StructType()
      .add(LineChecks.VALUE, DataTypes.StringType)
      .add(LineChecks.FILE, DataTypes.StringType)
      .add(LineChecks.LINE_ID, DataTypes.LongType);

  private LandingLines() {}

  /** One row per line of {@code files} (gzip is decompressed by extension); empty for no files. */
  public static Dataset<Row> read(SparkSession spark, List<String> files) {
    if (files.isEmpty()) {
      return spark.createDataFrame(List.of(), SCHEMA);
    }
    return spark.read()
        .option("lineSep", "\n")
        .text(files.toArray(String[]::new))
        .select(col("value"), col("_metadata.file_path").as(LineChecks.FILE),
            monotonically_increasing_id().as(LineChecks.LINE_ID));
  }

  /** The first line of a (possibly compressed) file, without a byte-order mark; null if empty. */
  public static String firstLine(Configuration hadoop, String file) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(path);
      try (InputStream raw = fs.open(path);
           InputStream in = codec == null ? raw : codec.createInputStream(raw);
           BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line = reader.readLine();
        if (line == null) {
          return null;
        }
        return stripBom(line).strip();
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot read landing file: " + e.getMessage() + " (" + file + ")", e);
    }
  }

  static String stripBom(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }
}
