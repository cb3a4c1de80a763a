package io.tarmo.bench;

import io.tarmo.generate.GenerationResult;
import io.tarmo.generate.GeneratorSettings;
import io.tarmo.generate.LandingGenerator;
import io.tarmo.lake.Lake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * How long {@code generate} takes for CUSTOMERS customers over DAYS days, against a budget in
 * seconds (the wall-clock check {@code LandingGeneratorTest} used to make: 20,000 customers for two
 * days in under 15 s). Usage: {@code LandingGeneratorBenchmark WORKDIR [CUSTOMERS] [DAYS]
 * [BUDGET_SECONDS]}; prints a Markdown table and exits 1 when over budget. Run by
 * {@code bench/generate.sh}.
 */
public final class LandingGeneratorBenchmark {

  private static final LocalDate END = LocalDate.of(2024, 5, 10);

  public static void main(String[] args) throws IOException {
    Path work = Path.of(args.length > 0 ? args[0] : "bench/out/generate").toAbsolutePath();
    long customers = args.length > 1 ? Long.parseLong(args[1]) : 20_000L;
    int days = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    double budget = args.length > 3 ? Double.parseDouble(args[3]) : 15.0;
    BenchSupport.deleteTree(work);
    Files.createDirectories(work);

    long started = System.nanoTime();
    GenerationResult result = new LandingGenerator(new GeneratorSettings(END, days, customers, 11L),
        Lake.at(work.toString()), new Configuration()).run();
    double seconds = BenchSupport.seconds(started);

    System.out.println("| customers | days | event lines | seconds | budget |");
    System.out.println("| ---: | ---: | ---: | ---: | ---: |");
    System.out.println(String.format(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f |", customers, days,
        result.counts().get("events.lines"), seconds, budget));
    if (seconds >= budget) {
      System.err.println(String.format(Locale.ROOT, "generate took %.1f s, over its budget of %.1f s", seconds,
          budget));
      System.exit(1);
    }
  }
}
