package io.tarmo.testing;

import io.tarmo.cli.Sessions;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One SparkSession for the whole test run (starting one costs seconds): local, one shuffle
 * partition, Delta enabled, with the same base settings the command line uses. A failed task is
 * tried twice, as a cluster retries it, so tests can show that counts survive a retry. Injected into
 * test constructors and methods that take a {@link SparkSession}.
 */
public final class SharedSparkSession implements ParameterResolver {

  private static SparkSession session;

  public static synchronized SparkSession get() {
    if (session == null) {
      SparkSession.Builder builder = SparkSession.builder()
          .master("local[2,2]")
          .appName("tarmo-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.adaptive.enabled", "false")
          .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/tarmo-test-warehouse");
      for (Map.Entry<String, String> entry : Sessions.baseConf(1).entrySet()) {
        builder = builder.config(entry.getKey(), entry.getValue());
      }
      builder = builder.config("spark.databricks.delta.snapshotPartitions", "1");
      session = builder.getOrCreate();
      session.sparkContext().setLogLevel("ERROR");
    }
    return session;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
    return parameter.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
    return get();
  }
}
