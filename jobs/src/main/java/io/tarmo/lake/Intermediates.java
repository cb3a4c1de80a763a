package io.tarmo.lake;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;

/**
 * The intermediate frames of one job run that are read more than once: each is computed when it
 * is kept and held by the executors (memory, spilling to disk) without its lineage, and all are
 * released when the run closes them.
 *
 * <p>Cutting the lineage matters more than it looks. A query built on a persisted frame still
 * carries that frame's whole plan, and Spark renders every plan it runs as text for its listeners,
 * so a chain of persisted joins costs seconds of driver time per query no matter how few rows it
 * has. A frame kept here is a single leaf in every plan built on it.
 */
public final class Intermediates implements AutoCloseable {

  private final List<Dataset<Row>> held = new ArrayList<>();

  /** Computes {@code frame} now and returns it as a lineage-free frame held until {@link #close()}. */
  public Dataset<Row> keep(Dataset<Row> frame) {
    Dataset<Row> kept = frame.localCheckpoint(true);
    held.add(kept);
    return kept;
  }

  /** Frees the blocks of one frame that {@link Dataset#localCheckpoint} produced, now rather than at garbage collection. */
  public static void release(Dataset<Row> checkpointed) {
    LogicalPlan plan = checkpointed.queryExecution().analyzed();
    if (plan instanceof LogicalRDD logicalRdd) {
      logicalRdd.rdd().unpersist(false);
    }
  }

  /** Releases every kept frame. */
  @Override
  public void close() {
    held.forEach(Intermediates::release);
    held.clear();
  }
}
