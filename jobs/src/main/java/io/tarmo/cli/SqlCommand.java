package io.tarmo.cli;

import io.tarmo.sql.LakeViews;
import io.tarmo.sql.ResultPrinter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sql", mixinStandardHelpOptions = true,
    description = "Runs a read-only Spark SQL query (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN) with every lake table"
        + " registered as a view by its name; anything else is refused (exit 2).")
final class SqlCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The query, e.g. \"select count(*) from events\"")
  String query;

  @Option(names = "--format", defaultValue = "table",
      description = "csv (with a header row), json (one object per line) or table (default: ${DEFAULT-VALUE})")
  ResultPrinter.Format format;

  @Option(names = "--limit", defaultValue = "1000",
      description = "At most this many rows in table format (default: ${DEFAULT-VALUE}); csv and json print all")
  int limit;

  @Override
  public Integer call() {
    return new CommandRunner(global, spec.commandLine().getErr()).runReadOnly("sql", context -> {
      List<String> views = LakeViews.register(context.store());
      new ResultPrinter(spec.commandLine().getOut(), format, limit)
          .print(LakeViews.query(context.spark(), query, views));
    });
  }
}
