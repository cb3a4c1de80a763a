package io.tarmo.sql;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.testing.SparkTest;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@SparkTest
class ReadOnlyQueriesTest {

  private final SparkSession spark;

  ReadOnlyQueriesTest(SparkSession spark) {
    this.spark = spark;
  }

  private void check(String statement) throws Exception {
    ReadOnlyQueries.check(spark.sessionState().sqlParser().parsePlan(statement));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "select 1",
      "select 1;",
      "with a as (select 1 as x), b as (select * from a) select * from b",
      "select a, count(*) from t where a in (select a from u) group by a having count(*) > 1 order by a limit 5",
      "select * from t join lateral (select t.a) x left anti join u using (a)",
      "select a, rank() over w from t window w as (order by a)",
      "select a from t intersect select a from u union all select 1",
      "select * from t tablesample (10 percent) lateral view explode(x) e as y",
      "select * from t version as of 1",
      "select * from delta.`/tmp/lake/tables/events`",
      "select * from range(10)",
      "select * from identifier('t')",
      "table identifier('t')",
      "values (1), (2)",
      "table t",
      "from t select a",
      "from t |> where a > 1 |> select a",
      "show tables",
      "show columns in t",
      "describe t",
      "describe identifier('t')",
      "describe table extended t",
      "describe function upper",
      "describe query select 1",
      "explain select * from t",
      "explain extended with a as (select 1) select * from a"})
  void acceptsReadOnlyQueries(String statement) {
    assertThatCode(() -> check(statement)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "delete from t where a = 1                                  | DeleteFromTable",
      "explain delete from t                                      | DeleteFromTable",
      "explain extended insert into t select 1                    | InsertIntoStatement",
      "insert into t values (1)                                   | InsertIntoStatement",
      "insert overwrite t select * from u                         | InsertIntoStatement",
      "with a as (select 1) insert into t select * from a         | InsertIntoStatement",
      "merge into t using s on t.a = s.a when matched then delete | MergeIntoTable",
      "update t set a = 1                                         | UpdateTable",
      "cache table t                                              | CacheTable",
      "cache table c as select 1                                  | CacheTableAsSelect",
      "uncache table t                                            | UncacheTable",
      "clear cache                                                | ClearCacheCommand",
      "set spark.sql.shuffle.partitions = 1                       | SetCommand",
      "reset                                                      | ResetCommand",
      "use default                                                | SetCatalogAndNamespace",
      "create table x (a int)                                     | CreateTable",
      "create table x as select 1                                 | CreateTableAsSelect",
      "create temporary view v as select 1                        | CreateViewCommand",
      "alter table t add columns (b int)                          | AddColumns",
      "drop table t                                               | DropTable",
      "drop view v                                                | DropView",
      "truncate table t                                           | TruncateTable",
      "refresh table t                                            | RefreshTable",
      "optimize t                                                 | OptimizeTableCommand",
      "vacuum t                                                   | VacuumTableCommand",
      "restore table t to version as of 1                         | RestoreTableStatement",
      "describe history t                                         | DescribeDeltaHistory",
      "begin delete from t; end                                   | CompoundBody",
      "select transform(a) using 'cat' from t                     | ScriptTransformation",
      "select reflect('java.lang.System', 'exit', 0)              | the function reflect",
      "values (reflect('java.lang.System', 'exit', 0))            | the function reflect",
      "create table identifier('x') (a int)                       | CreateTable",
      "cache table identifier('t')                                | CacheTable",
      "insert into identifier('t') values (1)                     | InsertIntoStatement",
      "execute immediate 'delete from t'                          | UnresolvedExecuteImmediate",
      "declare variable v int                                     | CreateVariable",
      "select * from t where a in (select java_method('java.lang.Math', 'abs', -1)) | the function java_method"})
  void refusesEverythingElseNamingTheStatementKind(String statement, String kind) {
    assertThatThrownBy(() -> check(statement))
        .isInstanceOfSatisfying(TarmoException.class,
            e -> org.assertj.core.api.Assertions.assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE))
        .hasMessage("Cannot run query: only read-only queries are allowed, not " + kind);
  }
}
