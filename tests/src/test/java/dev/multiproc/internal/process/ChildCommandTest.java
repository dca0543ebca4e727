package dev.multiproc.internal.process;

import dev.multiproc.ChildJvm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A child's command line: the child's own options come after the inherited ones, and a
 * collector among them replaces the default or inherited one (two on one line stop the JVM).
 */
class ChildCommandTest {
    private static long collectorOptions(List<String> command) {
        return command.stream().filter(ChildCommand::choosesCollector).count();
    }

    @Test
    void aChildGetsTheSerialCollectorUnlessThisJvmWasToldOne() {
        List<String> command = ChildCommand.build(List.of(), List.of(), "bootstrap");
        assertEquals(!ChildJvm.toldItsCollector(), command.contains(ChildCommand.DEFAULT_COLLECTOR), command.toString());
        assertTrue(collectorOptions(command) <= 1, command.toString());
    }

    @Test
    void aCollectorOfTheChildsOwnIsTheOnlyOneOnItsCommandLine() {
        List<String> command = ChildCommand.build(List.of(), List.of("-XX:+UseParallelGC"), "bootstrap");
        assertTrue(command.contains("-XX:+UseParallelGC"), command.toString());
        assertEquals(1, collectorOptions(command), command.toString());
    }

    @Test
    void theChildsOwnOptionsComeAfterTheInheritedOnesAndBeforeTheLaunch() {
        List<String> inheritedOnly = ChildCommand.build(List.of(), List.of(), "bootstrap");
        List<String> command = ChildCommand.build(List.of(), List.of("-Dmultiproc.test.order=1"), "bootstrap");
        int own = command.indexOf("-Dmultiproc.test.order=1");
        int nativeAccess = indexOfPrefix(command, "--enable-native-access");
        int launch = Math.max(command.indexOf("-cp"), command.indexOf("--module-path"));
        assertTrue(nativeAccess < own && own < launch, command.toString());
        assertEquals("bootstrap", command.getLast());
        assertEquals(inheritedOnly.size() + 1, command.size(), "nothing else changes: " + command);
    }

    @Test
    void aCommandPrefixComesBeforeJavaAndTellsTheChildToCheckItsParent() {
        List<String> plain = ChildCommand.build(List.of(), List.of(), "bootstrap");
        List<String> command = ChildCommand.build(List.of("taskset", "-c", "1"), List.of(), "bootstrap");
        assertEquals(List.of(ChildCommand.onPath("taskset"), "-c", "1", plain.getFirst()), command.subList(0, 4), command.toString());
        assertTrue(command.getFirst().endsWith("/taskset"), "found on the PATH: " + command.getFirst());
        String check = "-D" + ChildMain.PARENT_CHECK_PROPERTY + "=true";
        assertTrue(command.contains(check), command.toString());
        assertFalse(plain.contains(check), plain.toString());
        assertFalse(ChildCommand.keeps(check), "a prefixed child's own children are not told to check unless prefixed themselves");
    }

    @Test
    void aChildKeepsThisJvmsHeapLimitButNotHowItSizedAndTouchedItsHeapUpFront() {
        for (String upFront : List.of("-Xms1g", "-Xmn256m", "-XX:InitialHeapSize=1073741824", "-XX:MinHeapSize=1g",
                "-XX:NewSize=256m", "-XX:MaxNewSize=256m", "-XX:+AlwaysPreTouch")) {
            assertFalse(ChildCommand.keeps(upFront), upFront);
        }
        for (String kept : List.of("-Xmx2g", "-Xss2m", "-XX:MaxHeapSize=2g", "-XX:MinHeapFreeRatio=20", "-XX:+UseSerialGC")) {
            assertTrue(ChildCommand.keeps(kept), kept);
        }
        List<String> command = ChildCommand.build(List.of(), List.of("-Xms64m", "-XX:+AlwaysPreTouch"), "bootstrap");
        assertTrue(command.contains("-Xms64m") && command.contains("-XX:+AlwaysPreTouch"), "the child's own are its to choose: " + command);
    }

    @Test
    void aChildInheritsNoArchiveOptionsOfThisJvmButMayNameItsOwn() {
        for (String sharing : List.of("-XX:AOTCache=/tmp/app.aot", "-XX:AOTCacheOutput=/tmp/app.aot", "-XX:AOTMode=on",
                "-XX:AOTConfiguration=/tmp/app.aotconf", "-XX:SharedArchiveFile=/tmp/app.jsa", "-XX:ArchiveClassesAtExit=/tmp/app.jsa",
                "-XX:+AutoCreateSharedArchive", "-XX:DumpLoadedClassList=/tmp/classes", "-XX:SharedClassListFile=/tmp/classes")) {
            assertFalse(ChildCommand.keeps(sharing), sharing);
        }
        List<String> command = ChildCommand.build(List.of(), List.of("-XX:AOTCache=/tmp/own.aot"), "bootstrap");
        assertEquals(List.of("-XX:AOTCache=/tmp/own.aot"), command.stream().filter(option -> option.startsWith("-XX:AOTCache=")).toList(),
                "the child's own archive is the only one on its line: " + command);
    }

    @Test
    void optionsWithWhichTheJvmRefusesAnArchiveMadeWithoutThemAreKnown() {
        for (String refusing : List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-modules=jdk.incubator.vector", "--limit-modules=java.base", "--enable-native-access=java.base",
                "--illegal-native-access=deny", "-Djava.security.manager=allow", "-XX:+UseZGC", "-XX:-UseCompressedOops",
                "-XX:+UseCompactObjectHeaders", "-XX:ObjectAlignmentInBytes=16", "-Xmx32g", "-Xmx32768m", "-Xmx1t",
                "-XX:MaxHeapSize=34359738368", "-Xmx99999999999999999999")) {
            assertTrue(ChildCommand.refusesArchive(refusing), refusing);
        }
        for (String fitting : List.of("-Xmx31g", "-Xmx512m", "-Xmx2048", "-Xss2m", "-XX:+UseParallelGC", "-XX:+UseG1GC",
                "-XX:+UseShenandoahGC", "-XX:TieredStopAtLevel=1", "--enable-preview", "-ea", "-Dfoo=1")) {
            assertFalse(ChildCommand.refusesArchive(fitting), fitting);
        }
    }

    @Test
    void aPrefixProgramNotOnThePathIsNamedInTheFailure() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> ChildCommand.build(List.of("no-such-program-multiproc"), List.of(), "bootstrap"));
        assertTrue(failure.getMessage().contains("'no-such-program-multiproc' is not on the PATH"), failure.getMessage());
    }

    @Test
    void theDoctorSaysWhichCollectorChildrenRun() {
        String finding = ChildCommand.collectorCheck().finding();
        List<String> command = ChildCommand.build(List.of(), List.of(), "bootstrap");
        String collector = command.stream().filter(ChildCommand::choosesCollector).findFirst().orElseThrow();
        assertTrue(finding.startsWith(collector), finding + " / " + command);
    }

    @Test
    void aChildNamingItsCollectorGetsNoneFromTheOptionVariables() {
        Map<String, String> parent = Map.of(
                "JAVA_TOOL_OPTIONS", "-Xss2m -XX:+UseParallelGC -Dname=\"a b\"",
                "_JAVA_OPTIONS", "-XX:+UseG1GC",
                "JDK_JAVA_OPTIONS", "-XX:+UseGCOverheadLimit",
                "PATH", "/bin");
        Map<String, String> child = ChildCommand.environment(parent, List.of("-XX:+UseSerialGC"));
        assertEquals("-Xss2m -Dname=\"a b\"", child.get("JAVA_TOOL_OPTIONS"));
        assertFalse(child.containsKey("_JAVA_OPTIONS"), "a variable left empty goes");
        assertEquals("-XX:+UseGCOverheadLimit", child.get("JDK_JAVA_OPTIONS"));
        assertEquals("/bin", child.get("PATH"));
        assertSame(parent, ChildCommand.environment(parent, List.of("-Xmx64m")), "a child naming no collector keeps them");
    }

    @Test
    void onlyCollectorSelectionsCountAsChoosingOne() {
        assertTrue(ChildCommand.choosesCollector("-XX:+UseG1GC"));
        assertTrue(ChildCommand.choosesCollector("-XX:-UseSerialGC"));
        assertFalse(ChildCommand.choosesCollector("-XX:+UseGCOverheadLimit"));
        assertFalse(ChildCommand.choosesCollector("-XX:+UseStringDeduplication"));
    }

    private static int indexOfPrefix(List<String> command, String prefix) {
        for (int index = 0; index < command.size(); index++) {
            if (command.get(index).startsWith(prefix)) {
                return index;
            }
        }
        return -1;
    }
}
