package io.tarmo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/** Spark SQL settings that hold for one piece of work only, then are as they were before it. */
public final class SessionSettings {

  private SessionSettings() {}

  /**
   * Runs {@code work} with {@code settings} set on the session, then restores each setting's earlier
   * value, or unsets it when it had none, also when the work fails.
   */
  public static <T> T with(SparkSession spark, Map<String, String> settings, Supplier<T> work) {
    Map<String, Optional<String>> before = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      before.put(key, spark.conf().contains(key) ? Optional.of(spark.conf().get(key)) : Optional.empty());
      spark.conf().set(key, value);
    });
    try {
      return work.get();
    } finally {
      before.forEach((key, value) -> {
        if (value.isPresent()) {
          spark.conf().set(key, value.get());
        } else {
          spark.conf().unset(key);
        }
      });
    }
  }
}
