package dev.slipway.deploy.architecture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Which Slipway module depends on which, in any scope, as the reactor's POM files declare it. */
record ModuleGraph(Map<String, Set<String>> dependencies) {

    static final String GROUP = "dev.slipway";

    /** Reads every module listed in the root POM. */
    static ModuleGraph read(Path root) throws Exception {
        Map<String, Set<String>> dependencies = new LinkedHashMap<>();
        for (String module : children(parse(root.resolve("pom.xml")), "modules", "module")) {
            Document pom = parse(root.resolve(module).resolve("pom.xml"));
            Set<String> internal = new LinkedHashSet<>();
            NodeList declared = pom.getDocumentElement().getElementsByTagName("dependency");
            for (int i = 0; i < declared.getLength(); i++) {
                Element dependency = (Element) declared.item(i);
                if (GROUP.equals(text(dependency, "groupId"))) {
                    internal.add(text(dependency, "artifactId"));
                }
            }
            dependencies.put(module, internal);
        }
        return new ModuleGraph(dependencies);
    }

    /** Every chain of dependencies from one of {@code modules} to another of them, as "a -> b -> c". */
    List<String> pathsBetween(Set<String> modules) {
        List<String> paths = new ArrayList<>();
        for (String from : modules) {
            Deque<List<String>> queue = new ArrayDeque<>();
            queue.add(List.of(from));
            Set<String> seen = new LinkedHashSet<>();
            while (!queue.isEmpty()) {
                List<String> path = queue.poll();
                for (String next : dependencies.getOrDefault(path.get(path.size() - 1), Set.of())) {
                    List<String> longer = new ArrayList<>(path);
                    longer.add(next);
                    if (modules.contains(next)) {
                        paths.add(String.join(" -> ", longer));
                    } else if (seen.add(next)) {
                        queue.add(longer);
                    }
                }
            }
        }
        return paths;
    }

    private static Document parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (var in = Files.newInputStream(pom)) {
            return factory.newDocumentBuilder().parse(in);
        }
    }

    private static List<String> children(Document pom, String container, String child) {
        List<String> values = new ArrayList<>();
        NodeList containers = pom.getDocumentElement().getElementsByTagName(container);
        for (int i = 0; i < containers.getLength(); i++) {
            NodeList items = ((Element) containers.item(i)).getElementsByTagName(child);
            for (int j = 0; j < items.getLength(); j++) {
                values.add(items.item(j).getTextContent().trim());
            }
        }
        return values;
    }

    private static String text(Element element, String child) {
        NodeList nodes = element.getElementsByTagName(child);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }
}
