package io.tarmo.cli;

/** The body of a command: checks that refuse bad usage before anything is written, then the work. */
interface CommandJob {

  /**
   * Refuses settings or definitions the job cannot run with (exit 2), looking at nothing in the
   * lake that an earlier step of the night writes: a nightly run validates every step this way
   * before its first step writes anything. {@code context.run()} is null here.
   */
  default void validate(JobContext context) {}

  /**
   * Refuses bad usage with exit 2 before the run is recorded, now that the steps before it have
   * run; {@code context.run()} is null here.
   */
  default void check(JobContext context) {}

  Outcome run(JobContext context);
}
