package io.tarmo.cli;

import io.tarmo.sql.LakeViews;
import io.tarmo.sql.ResultPrinter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sql", mixinStandardHelpOptions = true,
    description = "Runs read-only Spark SQL queries (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN) with every lake table"
        + " registered as a view by its name; anything else is refused (exit 2). Several queries run in one"
        + " session, in order, their results separated by an empty line; all are checked before the first runs.")
final class SqlCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "QUERY",
      description = "One or more queries, e.g. \"select count(*) from events\"")
  List<String> queries;

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
      // Every query is planned (and so checked) before the first one runs.
      List<Dataset<Row>> results = queries.stream().map(query -> LakeViews.query(context.spark(), query, views))
          .toList();
      ResultPrinter printer = new ResultPrinter(spec.commandLine().getOut(), format, limit);
      for (int i = 0; i < results.size(); i++) {
        if (i > 0) {
          spec.commandLine().getOut().println();
        }
        printer.print(results.get(i));
      }
    });
  }
}
