package io.tarmo.cli;

import io.tarmo.config.TarmoSettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.Lake;
import org.apache.spark.sql.SparkSession;

/** What a command's body gets: validated settings, the lake, the session and the run. */
record JobContext(TarmoSettings settings, Lake lake, SparkSession spark, DeltaStore store, JobRuns.Run run) {

  /** A note for Delta commits of this run: command, date and run id, never data. */
  String commitNote() {
    return "tarmo " + run.command()
        + (run.businessDate() == null ? "" : " " + run.businessDate())
        + " run=" + run.runId();
  }
}
