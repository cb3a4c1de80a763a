package io.tarmo.cli;

import io.tarmo.config.TarmoSettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.Lake;
import io.tarmo.subject.Pseudonyms;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * What a command's body gets: validated settings, the lake, the session, the run, and the
 * environment the command runs in.
 */
record JobContext(TarmoSettings settings, Lake lake, SparkSession spark, DeltaStore store, JobRuns.Run run,
    Map<String, String> environment) {

  /** The pseudonym key of the environment ({@link PseudonymKey}); empty when none is set. */
  Optional<Pseudonyms> pseudonyms() {
    return PseudonymKey.fromEnvironment(environment);
  }

  /** A note for Delta commits of this run: command, date and run id, never data. */
  String commitNote() {
    return "tarmo " + run.command()
        + (run.businessDate() == null ? "" : " " + run.businessDate())
        + " run=" + run.runId();
  }
}
