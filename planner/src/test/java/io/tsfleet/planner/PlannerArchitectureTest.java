package io.tsfleet.planner;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * The planner is plain Java: the JDK, the protocol module (for {@code CpuSet}) and itself. No framework, and nothing of
 * the coordinator that uses it (the dependency runs coordinator -> planner only), so the benchmarks call the very
 * classes the service runs.
 */
@AnalyzeClasses(packages = "io.tsfleet.planner", importOptions = ImportOption.DoNotIncludeTests.class)
class PlannerArchitectureTest {

    @ArchTest
    static final ArchRule plannerDependsOnNothingButTheJdkAndTheProtocol = classes().that().resideInAPackage("io.tsfleet.planner..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.tsfleet.planner..", "io.tsfleet.protocol..", "java..");
}
