package io.tarmo.cli;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The steps of a night, in the order they run: each needs what the ones before it wrote. */
enum NightlyStep {
  INGEST,
  IDENTITY,
  CONSENT,
  PROFILES,
  SEGMENTS,
  ACTIVATE,
  /** Only when {@code tarmo.retention.nightly} is true: after everything else has used the day. */
  RETENTION;

  /** The step's command name, as {@code --from} and {@code job_runs.command} spell it. */
  String command() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The step's work for {@code day}, exactly what its own command runs. */
  CommandJob job(LocalDate day, PrintWriter out) {
    return switch (this) {
      case INGEST -> IngestCommand.ingest(day, false, out);
      case IDENTITY -> IdentityCommand.identity(day, false, out);
      case CONSENT -> ConsentCommand.consent(day, out);
      case PROFILES -> ProfilesCommand.profiles(day, out);
      case SEGMENTS -> SegmentsCommand.segments(day, null, out);
      case ACTIVATE -> ActivateCommand.activate(day, out);
      case RETENTION -> RetentionCommand.retention(day, out);
    };
  }

  /** This step and every later one. */
  List<NightlyStep> andAfter() {
    return Arrays.stream(values()).filter(step -> step.ordinal() >= ordinal()).toList();
  }

  /** The steps of a night, in order: retention only when configured to run nightly. */
  static List<NightlyStep> night(boolean withRetention) {
    return Arrays.stream(values()).filter(step -> step != RETENTION || withRetention).toList();
  }

  /** This step and every later one of {@code night}. */
  List<NightlyStep> andAfter(List<NightlyStep> night) {
    return andAfter().stream().filter(night::contains).toList();
  }

  /** Accepts {@code --from identity} as well as {@code IDENTITY}. */
  static NightlyStep parse(String value) {
    for (NightlyStep step : values()) {
      if (step.command().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return step;
      }
    }
    throw new IllegalArgumentException("expected one of " + String.join(", ", commands()));
  }

  static List<String> commands() {
    return Arrays.stream(values()).map(NightlyStep::command).toList();
  }
}
