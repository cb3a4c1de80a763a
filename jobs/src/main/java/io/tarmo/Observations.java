package io.tarmo;

import org.apache.spark.sql.Observation;

/** Reading the counts a Spark {@link Observation} collected while a write ran, without a second pass. */
public final class Observations {

  private Observations() {}

  /**
   * The observed count {@code metric}; 0 when the observed rows were none (Spark then reports no
   * value). Waits for the action the observation is attached to, which has normally run.
   */
  public static long count(Observation observation, String metric) {
    try {
      Object value = observation.getAsJava().get(metric);
      return value == null ? 0L : ((Number) value).longValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TarmoException.job("Cannot read the counts of a write: interrupted", e);
    }
  }
}
