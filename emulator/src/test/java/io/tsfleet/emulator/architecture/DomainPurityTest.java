package io.tsfleet.emulator.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The emulated kernel (and the workload generator) are plain Java: JDK and the protocol module only; the emulated backend
 * keeps Spring in {@code emulated.config}, as the live one does in {@code live.config} ({@code LiveBackendArchitectureTest}).
 */
class DomainPurityTest {
    private static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tsfleet.emulator");

    @Test
    void emulatedKernelDependsOnlyOnTheJdkAndTheProtocol() {
        classes().that().resideInAPackage("io.tsfleet.emulator.emulated.kernel..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.tsfleet.protocol..", "io.tsfleet.emulator.emulated.kernel..")
                .check(CLASSES);
    }

    @Test
    void workloadGeneratorDependsOnlyOnTheJdkAndTheProtocol() {
        classes().that().resideInAPackage("io.tsfleet.emulator.emulated.workload..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.tsfleet.protocol..", "io.tsfleet.emulator.emulated.workload..")
                .check(CLASSES);
    }

    @Test
    void theBrokerServerKnowsNoBackendAndNoFramework() {
        noClasses().that().resideInAPackage("io.tsfleet.emulator.broker..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tsfleet.emulator.live..", "io.tsfleet.emulator.emulated..",
                        "org.springframework..")
                .check(CLASSES);
    }

    @Test
    void theEmulatedBackendKeepsSpringInItsConfiguration() {
        noClasses().that().resideInAPackage("io.tsfleet.emulator.emulated..").and().resideOutsideOfPackage("io.tsfleet.emulator.emulated.config..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.tsfleet.emulator.app..", "io.tsfleet.emulator.live..")
                .check(CLASSES);
    }

    @Test
    void everyClassLogsThroughSlf4j() {
        noClasses().should().dependOnClassesThat().resideInAPackage("java.util.logging..").check(CLASSES);
    }

    @Test
    void onlyMeterBindersRegisterMeters() {
        noClasses().that().doNotImplement(MeterBinder.class).should().dependOnClassesThat().areAssignableTo(MeterRegistry.class)
                .because("metrics are registered by binders with their names in app.MetricNames; the domain counts in plain Java")
                .check(CLASSES);
    }
}
