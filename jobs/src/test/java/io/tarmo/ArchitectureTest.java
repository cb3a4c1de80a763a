package io.tarmo;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of STYLE.md, on the main classes: domains stay apart, the lake keeps Delta and files. */
class ArchitectureTest {

  private static JavaClasses tarmo;

  @BeforeAll
  static void importMainClasses() {
    tarmo = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.tarmo");
  }

  @Test
  void packagesHaveNoImportCycles() {
    slices().matching("io.tarmo.(*)..").should().beFreeOfCycles().check(tarmo);
  }

  @Test
  void subjectDependsOnNoOtherTarmoPackage() {
    noClasses().that().resideInAPackage("io.tarmo.subject..")
        .should().dependOnClassesThat(resideInAPackage("io.tarmo..")
            .and(not(resideInAPackage("io.tarmo.subject.."))))
        .check(tarmo);
  }

  @Test
  void configDependsOnNoJobOrLake() {
    noClasses().that().resideInAPackage("io.tarmo.config..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tarmo.cli..", "io.tarmo.lake..", "io.tarmo.sql..")
        .check(tarmo);
  }

  @Test
  void onlyLakeTouchesDelta() {
    noClasses().that().resideInAPackage("io.tarmo..")
        .and().resideOutsideOfPackage("io.tarmo.lake..")
        .should().dependOnClassesThat().resideInAnyPackage("io.delta..", "org.apache.spark.sql.delta..")
        .check(tarmo);
  }

  @Test
  void onlyLakeAndTheGeneratorTouchLakeFiles() {
    noClasses().that().resideInAPackage("io.tarmo..")
        .and().resideOutsideOfPackages("io.tarmo.lake..", "io.tarmo.generate..")
        .should().dependOnClassesThat().resideInAPackage("org.apache.hadoop.fs..")
        .because("only the lake reads and writes lake files; the generator writes landing files by design")
        .check(tarmo);
  }

  @Test
  void theLakeUsesOnlyDeltasPublicApi() {
    noClasses().that().resideInAPackage("io.tarmo..")
        .should().dependOnClassesThat().resideInAPackage("org.apache.spark.sql.delta..")
        .because("Delta's internal classes bypass what Delta promises and make every upgrade a port")
        .check(tarmo);
  }
}
