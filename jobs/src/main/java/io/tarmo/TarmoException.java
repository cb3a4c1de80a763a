package io.tarmo;

/**
 * The one unchecked exception of Tarmo. Its message is the single line a user sees, in the form
 * "Cannot &lt;do what&gt;: &lt;why&gt; (&lt;value&gt;)", and never carries personal data. The
 * {@link Failure} says which exit code the command line turns it into.
 */
public final class TarmoException extends RuntimeException {

  /** What kind of failure this is; each maps to one exit code of the command line. */
  public enum Failure {
    /** The job failed (exit 1). */
    JOB(1),
    /** Bad usage or configuration; nothing was written (exit 2). */
    USAGE(2),
    /** A data-quality gate failed after everything was written (exit 3). */
    QUALITY_GATE(3);

    private final int exitCode;

    Failure(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final Failure failure;

  private TarmoException(Failure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = failure;
  }

  public static TarmoException usage(String message) {
    return new TarmoException(Failure.USAGE, message, null);
  }

  public static TarmoException usage(String message, Throwable cause) {
    return new TarmoException(Failure.USAGE, message, cause);
  }

  public static TarmoException job(String message) {
    return new TarmoException(Failure.JOB, message, null);
  }

  public static TarmoException job(String message, Throwable cause) {
    return new TarmoException(Failure.JOB, message, cause);
  }

  public static TarmoException qualityGate(String message) {
    return new TarmoException(Failure.QUALITY_GATE, message, null);
  }

  /**
   * The same failure told from a wider context, e.g. the nightly run a step failed in; the exit
   * code stays that of this failure.
   */
  public TarmoException within(String context) {
    return new TarmoException(failure, context + ": " + getMessage(), this);
  }

  public Failure failure() {
    return failure;
  }
}
