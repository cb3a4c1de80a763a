package io.tarmo.cli;

/** The body of a command: checks that refuse bad usage before anything is written, then the work. */
interface CommandJob {

  /** Refuses bad usage with exit 2 before the run is recorded; {@code context.run()} is null here. */
  default void check(JobContext context) {}

  Outcome run(JobContext context);
}
