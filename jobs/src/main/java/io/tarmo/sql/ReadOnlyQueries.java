package io.tarmo.sql;

import io.tarmo.TarmoException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.PlanWithUnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.RelationTimeTravel;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedHaving;
import org.apache.spark.sql.catalyst.analysis.UnresolvedInlineTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedSubqueryColumnAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTVFAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableValuedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.PipeOperator;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.DescribeColumn;
import org.apache.spark.sql.catalyst.plans.logical.DescribeFunction;
import org.apache.spark.sql.catalyst.plans.logical.DescribeNamespace;
import org.apache.spark.sql.catalyst.plans.logical.DescribeRelation;
import org.apache.spark.sql.catalyst.plans.logical.Distinct;
import org.apache.spark.sql.catalyst.plans.logical.Except;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.Generate;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.Intersect;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LateralJoin;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Offset;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;

import org.apache.spark.sql.catalyst.plans.logical.Pivot;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.RepartitionByExpression;
import org.apache.spark.sql.catalyst.plans.logical.Sample;
import org.apache.spark.sql.catalyst.plans.logical.ShowColumns;
import org.apache.spark.sql.catalyst.plans.logical.ShowCreateTable;
import org.apache.spark.sql.catalyst.plans.logical.ShowFunctions;
import org.apache.spark.sql.catalyst.plans.logical.ShowPartitions;
import org.apache.spark.sql.catalyst.plans.logical.ShowTableProperties;
import org.apache.spark.sql.catalyst.plans.logical.ShowTables;
import org.apache.spark.sql.catalyst.plans.logical.ShowTablesExtended;
import org.apache.spark.sql.catalyst.plans.logical.ShowViews;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.plans.logical.Unpivot;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedHint;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.plans.logical.WithWindowDefinition;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.command.ShowCatalogsCommand;
import org.apache.spark.sql.execution.command.ShowCurrentNamespaceCommand;
import org.apache.spark.sql.execution.command.ShowNamespacesCommand;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What {@code tarmo sql} accepts: read-only statements only, decided on the parsed plan before
 * anything runs. The lists are allow-lists: a statement or operator not named here is refused
 * with its plan's name, even when it would have been harmless.
 */
public final class ReadOnlyQueries {

  /** The operators a query (SELECT, WITH, VALUES, TABLE, FROM-first, pipe syntax) is built of. */
  private static final Set<Class<?>> QUERY_OPERATORS = Set.of(
      Project.class, Filter.class, Aggregate.class, Join.class, LateralJoin.class, Sort.class, GlobalLimit.class,
      LocalLimit.class, Offset.class, Distinct.class, Union.class, Intersect.class, Except.class,
      SubqueryAlias.class, UnresolvedRelation.class, RelationTimeTravel.class, UnresolvedWith.class,
      OneRowRelation.class, LocalRelation.class, UnresolvedInlineTable.class, Generate.class, Pivot.class,
      Unpivot.class, Sample.class, WithWindowDefinition.class, UnresolvedHint.class, UnresolvedHaving.class,
      RepartitionByExpression.class, UnresolvedSubqueryColumnAliases.class,
      UnresolvedTableValuedFunction.class, UnresolvedTVFAliases.class, PipeOperator.class);

  /** SHOW and DESCRIBE statements: they read the catalog, and their operands are names. */
  private static final Set<Class<?>> CATALOG_READS = Set.of(
      ShowTables.class, ShowTablesExtended.class, ShowViews.class, ShowColumns.class, ShowFunctions.class,
      ShowTableProperties.class, ShowCreateTable.class, ShowPartitions.class, DescribeRelation.class,
      DescribeColumn.class, DescribeFunction.class, DescribeNamespace.class, ShowNamespacesCommand.class,
      ShowCatalogsCommand.class, ShowCurrentNamespaceCommand.class);

  /** Functions that call Java methods by name: a query must not reach outside Spark. */
  private static final Set<String> REFLECTION = Set.of("reflect", "java_method", "try_reflect");

  private ReadOnlyQueries() {}

  /**
   * Refuses (exit 2) a parsed statement that is not a read-only query, naming the statement kind
   * (its plan's name), e.g. {@code DeleteFromTable}; {@code EXPLAIN} and {@code DESCRIBE QUERY}
   * are held to the same rule as the statement they explain.
   */
  public static void check(LogicalPlan plan) {
    if (plan instanceof PlanWithUnresolvedIdentifier named) {
      check(built(named));
      return;
    }
    if (CATALOG_READS.contains(plan.getClass())) {
      return;
    }
    if (plan instanceof ExplainCommand explain) {
      check(explain.logicalPlan());
      return;
    }
    if (plan instanceof DescribeQueryCommand describe) {
      check(describe.plan());
      return;
    }
    checkQuery(plan);
  }

  private static void checkQuery(LogicalPlan plan) {
    if (plan instanceof PlanWithUnresolvedIdentifier named) {
      checkQuery(built(named));
      return;
    }
    if (!QUERY_OPERATORS.contains(plan.getClass())) {
      throw refused(plan.getClass().getSimpleName().replace("$", ""));
    }
    for (Expression expression : CollectionConverters.asJava(plan.expressions())) {
      checkFunctions(expression);
    }
    CollectionConverters.asJava(plan.children()).forEach(ReadOnlyQueries::checkQuery);
    // A WITH's definitions are inner children, and a subquery's plan hides in an expression.
    CollectionConverters.asJava(plan.innerChildren()).forEach(inner -> {
      if (inner instanceof LogicalPlan innerPlan) {
        checkQuery(innerPlan);
      }
    });
    CollectionConverters.asJava(plan.subqueries()).forEach(ReadOnlyQueries::checkQuery);
  }

  /**
   * What an {@code IDENTIFIER(...)} clause stands for: the parser leaves a builder that makes the
   * statement once the name is known ({@code INSERT INTO IDENTIFIER('t')} builds an insert). The
   * statement's kind does not depend on the name, so it is built with a stand-in.
   */
  private static LogicalPlan built(PlanWithUnresolvedIdentifier named) {
    checkFunctions(named.identifierExpr());
    try {
      return named.planBuilder().apply(CollectionConverters.asScala(List.of("t")).toSeq(), named.children());
    } catch (RuntimeException e) {
      throw refused(named.getClass().getSimpleName());
    }
  }

  private static void checkFunctions(Expression expression) {
    if (expression instanceof UnresolvedFunction function) {
      String name = function.nameParts().last().toLowerCase(Locale.ROOT);
      if (REFLECTION.contains(name)) {
        throw refused("the function " + name);
      }
    }
    CollectionConverters.asJava(expression.children()).forEach(ReadOnlyQueries::checkFunctions);
  }

  private static TarmoException refused(String kind) {
    return TarmoException.usage("Cannot run query: only read-only queries are allowed, not " + kind);
  }
}
