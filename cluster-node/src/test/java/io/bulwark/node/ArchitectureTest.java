package io.bulwark.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module arrows of ARCHITECTURE.md point one way: node -> http -> projections -> domain. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.bulwark");

  @Test
  void theDomainDependsOnNothingElseOfBulwark() {
    noClasses()
        .that()
        .resideInAPackage("io.bulwark.domain..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.bulwark.projections..",
            "io.bulwark.deadletters..",
            "io.bulwark.readmodel..",
            "io.bulwark.audit..",
            "io.bulwark.http..",
            "io.bulwark.node..")
        .check(CLASSES);
  }

  @Test
  void theReadSideDoesNotKnowTheHttpLayerOrTheNode() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.bulwark.projections..",
            "io.bulwark.deadletters..",
            "io.bulwark.readmodel..",
            "io.bulwark.audit..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.bulwark.http..", "io.bulwark.node..")
        .check(CLASSES);
  }

  @Test
  void theHttpLayerDoesNotKnowTheNodeNorRunProjections() {
    noClasses()
        .that()
        .resideInAPackage("io.bulwark.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.bulwark.node..", "io.bulwark.projections..")
        .check(CLASSES);
  }

  @Test
  void theDomainDoesNotTouchJdbcOrHttp() {
    noClasses()
        .that()
        .resideInAPackage("io.bulwark.domain..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "org.apache.pekko.http..")
        .check(CLASSES);
  }

  /** Kamon's API stays at the seams made for it, so the entities' logic does not grow metrics. */
  @Test
  void onlyTelemetryClassesUseKamon() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.bulwark.domain.telemetry..", "io.bulwark.node..")
        .and()
        .haveSimpleNameNotEndingWith("Telemetry")
        .and()
        .doNotHaveSimpleName("RequestScope")
        .and()
        .doNotHaveSimpleName("NodeGauges")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("kamon..")
        .check(CLASSES);
  }
}
