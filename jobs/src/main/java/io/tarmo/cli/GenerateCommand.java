package io.tarmo.cli;

import io.tarmo.generate.GenerationResult;
import io.tarmo.generate.GeneratorSettings;
import io.tarmo.generate.LandingGenerator;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Writes realistic, seeded landing files (events, CRM, consent) for the N days ending at --date.")
final class GenerateCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Mixin GeneratorOptions generator;

  @Option(names = "--days", defaultValue = "1", description = "Number of days ending at --date (default: ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--customers", defaultValue = "1000", description = "Size of the customer population (default: ${DEFAULT-VALUE})")
  long customers;

  @Override
  public Integer call() {
    LocalDate end = generator.endDate();
    GeneratorSettings settings = generator.settings(days, customers);
    return new CommandRunner(global, spec.commandLine().getErr()).run("generate", end, true, new CommandJob() {
      @Override
      public Outcome run(JobContext context) {
        GenerationResult result = new LandingGenerator(settings, context.lake(),
            context.spark().sparkContext().hadoopConfiguration()).run();
        spec.commandLine().getOut().println(result.summary());
        return Outcome.of(result.counts());
      }
    });
  }
}
