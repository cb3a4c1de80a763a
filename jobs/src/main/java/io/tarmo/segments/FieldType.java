package io.tarmo.segments;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampType;

/** The types a segment condition can compare; event properties may be declared with the first four. */
public enum FieldType {
  STRING("string"),
  LONG("long"),
  DOUBLE("double"),
  BOOLEAN("boolean"),
  DATE("date"),
  TIMESTAMP("timestamp"),
  STRING_ARRAY("array<string>");

  private final String label;

  FieldType(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public boolean numeric() {
    return this == LONG || this == DOUBLE;
  }

  /** Ordered types: numbers and dates (compared with {@code gt}, {@code lte}, ...). */
  public boolean ordered() {
    return numeric() || this == DATE;
  }

  /** The Spark type JSON property values are cast to; a value that does not cast is missing (null). */
  public String sparkType() {
    return this == STRING_ARRAY ? "array<string>" : label;
  }

  /** The types an event property may be declared with in the segments file. */
  public static Optional<FieldType> propertyType(String name) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(new FieldType[] {STRING, LONG, DOUBLE, BOOLEAN})
        .filter(type -> type.label.equals(key))
        .findFirst();
  }

  public static String propertyTypeNames() {
    return Arrays.stream(new FieldType[] {STRING, LONG, DOUBLE, BOOLEAN}).map(FieldType::label)
        .collect(Collectors.joining(", "));
  }

  /** The field type of a table column, empty for types conditions cannot compare. */
  public static Optional<FieldType> of(DataType type) {
    if (type instanceof StringType) {
      return Optional.of(STRING);
    } else if (type instanceof LongType || type instanceof IntegerType) {
      return Optional.of(LONG);
    } else if (type instanceof DoubleType) {
      return Optional.of(DOUBLE);
    } else if (type instanceof BooleanType) {
      return Optional.of(BOOLEAN);
    } else if (type instanceof DateType) {
      return Optional.of(DATE);
    } else if (type instanceof TimestampType) {
      return Optional.of(TIMESTAMP);
    } else if (type instanceof ArrayType array && array.elementType() instanceof StringType) {
      return Optional.of(STRING_ARRAY);
    }
    return Optional.empty();
  }
}
