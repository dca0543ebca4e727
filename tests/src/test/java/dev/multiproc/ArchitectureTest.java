package dev.multiproc;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The dependency rules of the modules: the API package holds only the API, the protocols know
 * the platform SPI and nothing of the API, the platforms know the SPI and nothing internal, and
 * the core module exports no internal package.
 */
@WithoutNativePlatform
class ArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.multiproc");
        assertTrue(production.stream().anyMatch(type -> type.getPackageName().equals("dev.multiproc.internal.shm.queue")), "the protocols were imported");
        assertTrue(production.stream().anyMatch(type -> type.getPackageName().equals("dev.multiproc.posix")), "a platform was imported");
    }

    @Test
    void theProtocolsKnowTheSpiAndTheirEventsButNoApiType() {
        classes().that().resideInAPackage("dev.multiproc.internal.shm..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.multiproc.internal.shm..", "dev.multiproc.spi..",
                        "dev.multiproc.jfr..", "java..")
                .because("a protocol runs over mapped memory and the platform; users' types are the API's business")
                .check(production);
    }

    @Test
    void theApiPackageHoldsOnlyTheApiAndItsSerialForm() {
        classes().that().resideInAPackage("dev.multiproc").and().areTopLevelClasses()
                .and().doNotHaveSimpleName("SharedObjectReference")
                .should().bePublic()
                .because("the machinery lives in dev.multiproc.internal; only the serial proxy of shared objects stays beside them, "
                        + "package-private, as the JDK keeps its collections' serial proxies in java.util")
                .check(production);
    }

    @Test
    void platformsKnowTheSpiAndNothingInternal() {
        noClasses().that().resideInAnyPackage("dev.multiproc.posix..", "dev.multiproc.windows..")
                .should().dependOnClassesThat().resideInAPackage("dev.multiproc.internal..")
                .check(production);
    }

    @Test
    void theSpiKnowsNothingInternal() {
        noClasses().that().resideInAPackage("dev.multiproc.spi..")
                .should().dependOnClassesThat().resideInAPackage("dev.multiproc.internal..")
                .check(production);
    }

    /** The descriptor in the jar (or classes directory) {@link Multiproc} comes from, which the test may load on the class path. */
    private static ModuleDescriptor coreModuleDescriptor() throws Exception {
        Path location = Path.of(Multiproc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(location)) {
            try (InputStream descriptor = Files.newInputStream(location.resolve("module-info.class"))) {
                return ModuleDescriptor.read(descriptor);
            }
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            JarEntry entry = jar.getJarEntry("module-info.class");
            assertNotNull(entry, location + " has a module descriptor");
            try (InputStream descriptor = jar.getInputStream(entry)) {
                return ModuleDescriptor.read(descriptor);
            }
        }
    }

    @Test
    void theCoreModuleExportsNoInternalPackageAndTheSpiToThePlatformsAlone() throws Exception {
        ModuleDescriptor core = coreModuleDescriptor();
        Set<String> exported = core.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertTrue(exported.contains("dev.multiproc"), exported.toString());
        assertTrue(exported.stream().noneMatch(name -> name.startsWith("dev.multiproc.internal")), exported.toString());
        ModuleDescriptor.Exports spi = core.exports().stream().filter(export -> export.source().equals("dev.multiproc.spi")).findFirst().orElseThrow();
        assertEquals(Set.of("dev.multiproc.posix", "dev.multiproc.windows"), spi.targets(), "the SPI is exported to the platforms alone");
    }
}
