package io.tsfleet.emulator.live;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** The kernel backend is plain Java around the FFM socket; Spring stays in {@code live.config}. */
class LiveBackendArchitectureTest {
    /** Imported from the compiled classes' directory, not by scanning the whole class path (much faster). */
    private static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(classesRoot().resolve("io/tsfleet/emulator/live"));

    private static Path classesRoot() {
        try {
            return Path.of(KernelBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theNetlinkSocketLayerDependsOnlyOnTheJdkAndTheProtocol() {
        classes().that().resideInAPackage("io.tsfleet.emulator.live.netlink..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.tsfleet.protocol..", "io.tsfleet.emulator.live.netlink..", "org.slf4j..")
                .check(CLASSES);
    }

    @Test
    void theBackendDependsOnTheSpiAndTheProtocolButNoFrameworkAndNoMeterRegistry() {
        classes().that().resideInAPackage("io.tsfleet.emulator.live")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.tsfleet.protocol..", "io.tsfleet.emulator.live..",
                        "io.tsfleet.emulator.broker..", "org.slf4j..")
                .check(CLASSES);
    }
}
