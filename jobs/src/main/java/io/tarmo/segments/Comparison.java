package io.tarmo.segments;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The comparisons of a predicate or threshold, by their key in the segments file. */
public enum Comparison {
  EQ("eq"),
  NE("ne"),
  GT("gt"),
  GTE("gte"),
  LT("lt"),
  LTE("lte"),
  IN("in"),
  NOT_IN("not-in"),
  CONTAINS("contains"),
  EXISTS("exists");

  private final String key;

  Comparison(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  public boolean ordering() {
    return this == GT || this == GTE || this == LT || this == LTE;
  }

  /** Comparisons a count, sum or distinct threshold may use. */
  public boolean threshold() {
    return ordering() || this == EQ || this == NE;
  }

  public static Optional<Comparison> byKey(String key) {
    return Arrays.stream(values()).filter(c -> c.key.equals(key)).findFirst();
  }

  public static String keys() {
    return Arrays.stream(values()).map(Comparison::key).collect(Collectors.joining(", "));
  }

  public static String thresholdKeys() {
    return Arrays.stream(values()).filter(Comparison::threshold).map(Comparison::key).collect(Collectors.joining(", "));
  }

  /** Whether {@code left} compares as this threshold against {@code right}. */
  public boolean test(double left, double right) {
    return switch (this) {
      case EQ -> left == right;
      case NE -> left != right;
      case GT -> left > right;
      case GTE -> left >= right;
      case LT -> left < right;
      case LTE -> left <= right;
      default -> throw new IllegalStateException("not a threshold: " + key);
    };
  }
}
