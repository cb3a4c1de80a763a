package io.tarmo.testing;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/** Counts the Spark jobs a piece of work starts. */
public final class SparkJobs {

  private SparkJobs() {}

  /** The number of jobs started while {@code work} ran. */
  public static int during(SparkSession spark, Runnable work) {
    AtomicInteger jobs = new AtomicInteger();
    SparkListener counter = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart jobStart) {
        jobs.incrementAndGet();
      }
    };
    spark.sparkContext().addSparkListener(counter);
    try {
      work.run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listeners did not catch up", e);
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
    return jobs.get();
  }
}
