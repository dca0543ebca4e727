package dev.multiproc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the build gives people who depend on multiproc, as packaged by the reactor before this
 * module: each published module's sources and Javadoc jars, the BOM managing every published
 * module at this version, and the licence in every POM.
 */
@Timeout(60)
class ArtifactsTest {
    private static final List<String> PUBLISHED = List.of("core", "native-posix", "native-windows", "remote");
    private final Path root = Path.of(System.getProperty("multiproc.root", ".."));
    private final String version = System.getProperty("multiproc.version", "");

    @Test
    void everyPublishedModuleShipsItsSourcesAndItsJavadoc() throws Exception {
        assertFalse(version.isEmpty(), "the build passes the project's version");
        for (String module : PUBLISHED) {
            Path target = root.resolve(module).resolve("target");
            String stem = "multiproc-" + module + "-" + version;
            try (JarFile sources = new JarFile(target.resolve(stem + "-sources.jar").toFile());
                 JarFile javadoc = new JarFile(target.resolve(stem + "-javadoc.jar").toFile())) {
                assertTrue(sources.stream().anyMatch(entry -> entry.getName().endsWith(".java")), module + " sources hold Java files");
                assertNotNull(javadoc.getEntry("index.html"), module + " javadoc has an index");
            }
        }
        try (JarFile coreJavadoc = new JarFile(root.resolve("core/target/multiproc-core-" + version + "-javadoc.jar").toFile())) {
            List<String> pages = coreJavadoc.stream().map(java.util.zip.ZipEntry::getName).toList();
            assertTrue(pages.stream().anyMatch(page -> page.endsWith("dev/multiproc/SharedQueue.html")), "the API is documented");
            assertTrue(pages.stream().noneMatch(page -> page.contains("dev/multiproc/internal/shm/")), "the shared-memory machinery is not");
        }
    }

    @Test
    void theBomManagesEveryPublishedModuleAtThisVersionAndNothingElse() throws Exception {
        Document bom = parse(root.resolve("bom/.flattened-pom.xml"));
        assertEquals(0, bom.getElementsByTagName("parent").getLength(), "the installed BOM stands alone: no parent's test libraries");
        Map<String, String> properties = new HashMap<>();
        NodeList propertyBlocks = bom.getElementsByTagName("properties");
        for (int i = 0; i < propertyBlocks.getLength(); i++) {
            NodeList children = propertyBlocks.item(i).getChildNodes();
            for (int j = 0; j < children.getLength(); j++) {
                if (children.item(j) instanceof Element property) {
                    properties.put(property.getTagName(), property.getTextContent().trim());
                }
            }
        }
        NodeList managed = ((Element) bom.getElementsByTagName("dependencyManagement").item(0)).getElementsByTagName("dependency");
        Map<String, String> versions = new HashMap<>();
        for (int i = 0; i < managed.getLength(); i++) {
            Element dependency = (Element) managed.item(i);
            assertEquals("dev.multiproc", text(dependency, "groupId"));
            String declared = text(dependency, "version");
            String resolved = declared.startsWith("${") ? properties.get(declared.substring(2, declared.length() - 1)) : declared;
            versions.put(text(dependency, "artifactId"), resolved);
        }
        Map<String, String> expected = new HashMap<>();
        PUBLISHED.forEach(module -> expected.put("multiproc-" + module, version));
        assertEquals(expected, versions);
    }

    @Test
    void theLicenceAndTheProjectsAddressesAreInTheInstalledPoms() throws Exception {
        assertTrue(Files.readString(root.resolve("LICENSE")).contains("Apache License"), "LICENSE at the root");
        for (String module : PUBLISHED) {
            Document pom = parse(root.resolve(module).resolve(".flattened-pom.xml"));
            assertEquals(version, text(pom.getDocumentElement(), "version"), module + ": the version is a number, not ${revision}");
        }
        Document parent = parse(root.resolve(".flattened-pom.xml"));
        Element licence = (Element) parent.getElementsByTagName("license").item(0);
        assertEquals("Apache-2.0", text(licence, "name"));
        for (String element : List.of("url", "scm", "developers", "description")) {
            assertTrue(parent.getDocumentElement().getElementsByTagName(element).getLength() > 0, "the parent POM has <" + element + ">");
        }
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        assertTrue(nodes.getLength() > 0, "<" + tag + "> in <" + parent.getTagName() + ">");
        return nodes.item(0).getTextContent().trim();
    }
}
