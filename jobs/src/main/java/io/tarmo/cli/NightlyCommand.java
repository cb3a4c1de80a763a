package io.tarmo.cli;

import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.lake.ReportFile;
import io.tarmo.report.ReportJob;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = {
        "Runs the whole night for day D in one session: ingest, identity, consent, profiles, segments, activate.",
        "Each step is recorded in job_runs as if run alone, and the night as one more row (command nightly).",
        "The night stops at the first step that fails, with that step's exit code, and names it; a step",
        "that fails its data-quality gate (exit 3) stops it too, so nothing later runs on a bad day.",
        "--from STEP resumes a failed night at that step. Re-running a night replaces what it wrote.",
        "With tarmo.retention.nightly = true, retention runs for D as the last step.",
        "--report FILE writes the run report of D (as tarmo report does) after the night, also after a failed one."})
final class NightlyCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The business day to run (default: yesterday, UTC)")
  LocalDate date;

  @Option(names = "--from", converter = StepName.class, paramLabel = "STEP",
      description = "Start at this step (ingest, identity, consent, profiles, segments, activate; retention when "
          + "tarmo.retention.nightly is true); the ones before are skipped")
  NightlyStep from;

  @Option(names = DayOrder.OPTION, description = DayOrder.DESCRIPTION)
  boolean inOrder;

  @Option(names = "--report", paramLabel = "FILE.html",
      description = "After the night, write its report (tarmo report --date D --out FILE.html) there, outside the lake")
  String report;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    PrintWriter out = spec.commandLine().getOut();
    NightlyStep first = from == null ? NightlyStep.values()[0] : from;
    return new CommandRunner(global, spec.commandLine().getErr()).run("nightly", true, false, session -> {
      if (report == null) {
        night(session, day, first, inOrder, out);
        return;
      }
      JobContext context = session.readOnlyContext();
      ReportFile file = ReportCommand.file(context, "--report", report);
      reportAfter(() -> night(session, day, first, inOrder, out),
          () -> out.println(ReportCommand.write(context, day, ReportJob.DEFAULT_DAYS, file).summary()));
    });
  }

  /**
   * Runs {@code night}, then {@code report} whatever the night's outcome: a night that failed is
   * when the report is looked at most. The night's failure stays the command's (its exit code); a
   * report that fails after it is added to it, not lost.
   */
  static void reportAfter(Runnable night, Runnable report) {
    try {
      night.run();
    } catch (RuntimeException failure) {
      try {
        report.run();
      } catch (RuntimeException reportFailure) {
        failure.addSuppressed(reportFailure);
      }
      throw failure;
    }
    report.run();
  }

  /**
   * Runs the night for {@code day} from step {@code first} in {@code session}: the steps' own
   * checks of settings and definitions first (exit 2 before anything is written), then every step
   * in a {@code job_runs} row of its own, inside the night's row.
   *
   * @throws TarmoException naming the step that failed, with its exit code
   */
  static void night(CommandRunner.Session session, LocalDate day, NightlyStep first, boolean inOrder,
      PrintWriter out) {
    Map<NightlyStep, CommandJob> jobs = validated(session, day, first, out);
    if (inOrder) {
      DayOrder.require(session.readOnlyContext(), "nightly", day);
    }
    session.step("nightly", day, new CommandJob() {
      @Override
      public Outcome run(JobContext context) {
        try (Phases phases = Phases.start(context.spark(), "nightly " + day)) {
          return runSteps(session, day, first, jobs, out, phases);
        }
      }
    });
  }

  /**
   * The jobs of the night from step {@code first}, each validated against the settings and
   * definitions (exit 2 before anything is written).
   */
  static Map<NightlyStep, CommandJob> validated(CommandRunner.Session session, LocalDate day, NightlyStep first,
      PrintWriter out) {
    List<NightlyStep> night = steps(session);
    if (!night.contains(first)) {
      throw TarmoException.usage("Cannot start nightly at step " + first.command() + ": it is not a step of the night"
          + " unless tarmo.retention.nightly is true (or run: tarmo " + first.command() + ")");
    }
    Map<NightlyStep, CommandJob> jobs = new LinkedHashMap<>();
    for (NightlyStep step : first.andAfter(night)) {
      jobs.put(step, step.job(day, out));
    }
    JobContext settingsOnly = session.readOnlyContext();
    jobs.values().forEach(job -> job.validate(settingsOnly));
    return jobs;
  }

  /** The steps of the night the settings ask for. */
  private static List<NightlyStep> steps(CommandRunner.Session session) {
    return NightlyStep.night(session.readOnlyContext().settings().retention().nightly());
  }

  private static Outcome runSteps(CommandRunner.Session session, LocalDate day, NightlyStep first,
      Map<NightlyStep, CommandJob> jobs, PrintWriter out, Phases phases) {
    List<NightlyStep> night = steps(session);
    List<StepLine> lines = new ArrayList<>();
    for (NightlyStep skipped : night) {
      if (skipped.ordinal() < first.ordinal()) {
        lines.add(new StepLine(skipped, "skipped", -1));
      }
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Map.Entry<NightlyStep, CommandJob> entry : jobs.entrySet()) {
      NightlyStep step = entry.getKey();
      phases.describe(step.command());
      try {
        session.step(step.command(), day, entry.getValue());
      } catch (RuntimeException e) {
        long millis = phases.done(step.command());
        TarmoException failure = e instanceof TarmoException tarmo ? tarmo
            : TarmoException.job(CommandRunner.safeMessage(step.command(), e), e);
        String status = failure.failure() == TarmoException.Failure.QUALITY_GATE ? "QUALITY_FAILED" : "FAILED";
        StepLine failed = new StepLine(step, status, millis);
        lines.add(failed);
        progress(out, day, failed, night.size());
        counts.put(step.command() + ".duration_ms", millis);
        for (NightlyStep later : step.andAfter(night).subList(1, step.andAfter(night).size())) {
          lines.add(new StepLine(later, "not run", -1));
        }
        summary(out, day, lines);
        String where = "nightly " + day + " stopped at step " + step.command();
        if (failure.failure() == TarmoException.Failure.QUALITY_GATE) {
          // Recorded as the night's own quality failure (exit 3): everything before it was written.
          counts.put("steps.succeeded", (long) (step.ordinal() - first.ordinal()));
          return new Outcome(counts, where + ": " + failure.getMessage() + " (the step wrote everything; once the"
              + " day is checked, resume with --from " + nextOf(step, night) + ")");
        }
        throw failure.within(where + " (fix it, then resume with --from " + step.command() + ")");
      }
      long millis = phases.done(step.command());
      StepLine line = new StepLine(step, "SUCCEEDED", millis);
      lines.add(line);
      counts.put(step.command() + ".duration_ms", millis);
      progress(out, day, line, night.size());
    }
    counts.put("steps.succeeded", (long) jobs.size());
    summary(out, day, lines);
    return Outcome.of(counts);
  }

  /** The step a night stopped by a quality gate resumes at: the failed step wrote everything. */
  private static String nextOf(NightlyStep step, List<NightlyStep> night) {
    List<NightlyStep> after = step.andAfter(night);
    return after.size() > 1 ? after.get(1).command() : step.command();
  }

  private record StepLine(NightlyStep step, String status, long millis) {
    String seconds() {
      return millis < 0 ? "" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
  }

  private static void progress(PrintWriter out, LocalDate day, StepLine line, int steps) {
    out.printf(Locale.ROOT, "nightly %s: step %d/%d %-9s %s %s%n", day, line.step().ordinal() + 1,
        steps, line.step().command(), line.status(), line.seconds());
    out.flush();
  }

  private static void summary(PrintWriter out, LocalDate day, List<StepLine> lines) {
    out.println("nightly " + day + ":");
    out.printf(Locale.ROOT, "  %-10s %-15s %10s%n", "step", "status", "duration");
    for (StepLine line : lines) {
      out.printf(Locale.ROOT, "  %-10s %-15s %10s%n", line.step().command(), line.status(), line.seconds());
    }
    out.flush();
  }

  /** Parses {@code --from} without repeating what was typed (it could be anything). */
  static final class StepName implements ITypeConverter<NightlyStep> {
    @Override
    public NightlyStep convert(String value) {
      try {
        return NightlyStep.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("not a step of the night; " + e.getMessage());
      }
    }
  }
}
