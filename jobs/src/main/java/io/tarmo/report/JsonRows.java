package io.tarmo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Small aggregate frames as JSON arrays of objects, one per row, keyed by column name: dates as
 * {@code YYYY-MM-DD}, numbers and booleans as themselves, nulls kept. Only for aggregates: every row
 * is collected to the driver.
 */
final class JsonRows {

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonRows() {}

  static ArrayNode of(Dataset<Row> aggregates) {
    ArrayNode rows = NODES.arrayNode();
    StructField[] fields = aggregates.schema().fields();
    for (Row row : aggregates.collectAsList()) {
      ObjectNode object = rows.addObject();
      for (int i = 0; i < fields.length; i++) {
        object.set(fields[i].name(), value(row.get(i)));
      }
    }
    return rows;
  }

  private static JsonNode value(Object value) {
    if (value == null) {
      return NODES.nullNode();
    } else if (value instanceof Long n) {
      return NODES.numberNode(n);
    } else if (value instanceof Integer n) {
      return NODES.numberNode(n);
    } else if (value instanceof Double n) {
      return NODES.numberNode(n);
    } else if (value instanceof BigDecimal n) {
      return NODES.numberNode(n);
    } else if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    } else if (value instanceof Date date) {
      return NODES.textNode(date.toLocalDate().toString());
    } else if (value instanceof Timestamp ts) {
      return NODES.textNode(ts.toInstant().toString());
    }
    return NODES.textNode(value.toString());
  }

  /** The sum of {@code field} over the rows that match {@code where}; null when none matches. */
  static Long sum(ArrayNode rows, Predicate<JsonNode> where, String field) {
    Long sum = null;
    for (JsonNode row : rows) {
      if (where.test(row) && row.hasNonNull(field)) {
        sum = (sum == null ? 0L : sum) + row.get(field).asLong();
      }
    }
    return sum;
  }

  /** A predicate: the row's {@code field} is the text {@code value}. */
  static Predicate<JsonNode> is(String field, String value) {
    return row -> value.equals(row.path(field).asText(null));
  }
}
