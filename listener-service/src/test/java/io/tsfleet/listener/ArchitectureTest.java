package io.tsfleet.listener;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The domain is plain Java; frameworks stay at the edges. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tsfleet.listener");

    @Test
    void theDomainDependsOnNoFrameworkAndNoIo() {
        noClasses().that().resideInAPackage("..listener.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.micrometer..", "io.github.resilience4j..",
                        "tools.jackson..", "java.net..", "java.nio.channels..", "java.io..", "..listener.engine..", "io.tsfleet.protocol.client..")
                .check(CLASSES);
    }

    @Test
    void theEngineBrokerSinkAndRecordCodeIsFreeOfSpring() {
        noClasses().that().resideInAnyPackage("..listener.engine..", "..listener.sink..", "..listener.record..",
                        "..listener.coordinator..", "..listener.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.micrometer..")
                .check(CLASSES);
    }

    @Test
    void onlyTheMetricsAdapterUsesMicrometer() {
        noClasses().that().resideOutsideOfPackages("..listener.metrics..", "..listener.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.micrometer..")
                .check(CLASSES);
    }

    @Test
    void onlyMeterBindersRegisterMeters() {
        noClasses().that().doNotImplement(MeterBinder.class).should().dependOnClassesThat().areAssignableTo(MeterRegistry.class)
                .because("meters are registered by the binders of listener.metrics with their names in MetricNames; the engine counts in plain Java")
                .check(CLASSES);
    }

    @Test
    void everyClassLogsThroughSlf4j() {
        noClasses().should().dependOnClassesThat().resideInAPackage("java.util.logging..").check(CLASSES);
    }
}
