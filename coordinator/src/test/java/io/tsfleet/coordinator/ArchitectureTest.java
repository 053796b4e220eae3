package io.tsfleet.coordinator;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The domain core stays plain Java: it depends on nothing but the JDK, the protocol module and the planner module (which
 * is plain Java itself; its own {@code PlannerArchitectureTest} keeps it so). Meters are registered only in
 * {@code metrics} (and wired in {@code config}); everything logs through SLF4J.
 */
class ArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.tsfleet.coordinator");

    @Test
    void theDomainDependsOnlyOnTheJdkTheProtocolAndThePlanner() {
        classes().that().resideInAPackage("io.tsfleet.coordinator.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.tsfleet.protocol..", "io.tsfleet.planner..",
                        "io.tsfleet.coordinator.domain..")
                .check(classes);
    }

    @Test
    void theDomainDoesNotKnowTheAdapters() {
        noClasses().that().resideInAPackage("io.tsfleet.coordinator.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tsfleet.coordinator.web..", "io.tsfleet.coordinator.service..",
                        "io.tsfleet.coordinator.persistence..", "io.tsfleet.coordinator.kubernetes..", "io.tsfleet.coordinator.config..",
                        "io.tsfleet.coordinator.metrics..", "io.tsfleet.coordinator.security..")
                .check(classes);
    }

    @Test
    void kubernetesStaysBehindItsInterfaces() {
        noClasses().that().resideOutsideOfPackages("io.tsfleet.coordinator.kubernetes..", "io.tsfleet.coordinator.persistence..",
                        "io.tsfleet.coordinator.config..")
                .should().dependOnClassesThat().resideInAPackage("io.fabric8..")
                .check(classes);
    }

    @Test
    void theDomainDoesNotDependOnSpring() {
        noClasses().that().resideInAPackage("io.tsfleet.coordinator.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.micrometer..", "tools.jackson..", "jakarta..")
                .check(classes);
    }

    @Test
    void onlyTheMetricsAdapterRegistersMeters() {
        noClasses().that().resideOutsideOfPackages("io.tsfleet.coordinator.metrics..", "io.tsfleet.coordinator.config..")
                .should().dependOnClassesThat().areAssignableTo(MeterRegistry.class)
                .because("the web, security and service layers count in plain Java; metrics.* binders publish the counts")
                .check(classes);
    }

    @Test
    void everyClassLogsThroughSlf4j() {
        noClasses().should().dependOnClassesThat().resideInAPackage("java.util.logging..").check(classes);
    }
}
