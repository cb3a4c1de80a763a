package io.tarmo.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.delta.actions.AddFile;

/**
 * The rows a replace covers, told per data file from the Delta log alone: every row
 * ({@code true}), or the rows of one day of a date column ({@code column = DATE'yyyy-mm-dd'}). A
 * file's answer comes from its partition value when the column partitions the table, otherwise
 * from its statistics (minimum, maximum and null count of the column). {@link Cover#SOME} means
 * the log cannot tell which of its rows are covered, and a caller has to read the file.
 */
record FileScope(String column, String day) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DAY = Pattern.compile("(\\w+) = DATE'(\\d{4}-\\d{2}-\\d{2})'");

  /** How many of a file's rows a scope covers. */
  enum Cover { ALL, NONE, SOME }

  /** The scope a {@code replaceWhere} predicate names; empty for any other predicate. */
  static Optional<FileScope> of(String predicate) {
    if (predicate.equals("true")) {
      return Optional.of(new FileScope(null, null));
    }
    Matcher matcher = DAY.matcher(predicate);
    return matcher.matches() ? Optional.of(new FileScope(matcher.group(1), matcher.group(2))) : Optional.empty();
  }

  Cover cover(AddFile file, List<String> partitionColumns) {
    if (column == null) {
      return Cover.ALL;
    }
    if (partitionColumns.contains(column)) {
      return day.equals(file.partitionValues().get(column).getOrElse(() -> null)) ? Cover.ALL : Cover.NONE;
    }
    return coverByStatistics(file.stats());
  }

  /**
   * From the file's statistics: none when every value of the column is null or lies on another
   * day, all when its minimum and maximum are the day and no value is null, otherwise (or with no
   * statistics for the column) some. Dates are kept as {@code yyyy-mm-dd}, which sort as text.
   */
  private Cover coverByStatistics(String stats) {
    if (stats == null) {
      return Cover.SOME;
    }
    JsonNode parsed;
    try {
      parsed = JSON.readTree(stats);
    } catch (IOException e) {
      return Cover.SOME;
    }
    JsonNode records = parsed.path("numRecords");
    JsonNode nulls = parsed.path("nullCount").path(column);
    if (!records.canConvertToLong() || !nulls.canConvertToLong()) {
      return Cover.SOME;
    }
    if (nulls.asLong() == records.asLong()) {
      return Cover.NONE;
    }
    JsonNode min = parsed.path("minValues").path(column);
    JsonNode max = parsed.path("maxValues").path(column);
    if (!min.isTextual() || !max.isTextual()) {
      return Cover.SOME;
    }
    if (max.asText().compareTo(day) < 0 || min.asText().compareTo(day) > 0) {
      return Cover.NONE;
    }
    boolean onlyTheDay = min.asText().equals(day) && max.asText().equals(day) && nulls.asLong() == 0;
    return onlyTheDay ? Cover.ALL : Cover.SOME;
  }
}
