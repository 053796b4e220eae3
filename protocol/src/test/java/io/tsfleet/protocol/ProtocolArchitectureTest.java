package io.tsfleet.protocol;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

@AnalyzeClasses(packages = "io.tsfleet.protocol", importOptions = ImportOption.DoNotIncludeTests.class)
class ProtocolArchitectureTest {

    @ArchTest
    static final ArchRule protocolDependsOnNothingButTheJdk = classes().that().resideInAPackage("io.tsfleet.protocol..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.tsfleet.protocol..", "java..", "javax.annotation..");
}
