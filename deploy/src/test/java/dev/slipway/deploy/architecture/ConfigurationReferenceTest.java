package dev.slipway.deploy.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.deploy.services.ConfigKeys;
import io.smallrye.config.ConfigMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference against the code: every key of every service's {@code @ConfigMapping} interfaces is
 * in a table row of docs/ (docs/configuration.md, and docs/fleet.md for the agent's), and every key those rows give
 * under the mappings' prefixes exists. Renaming, adding or
 * removing a key fails the build until the reference says so.
 */
class ConfigurationReferenceTest {

    private static final List<String> SERVICES = List.of("cas-service", "build-service", "release-service",
            "fleet-agent");
    private static final Pattern TOKEN = Pattern.compile("`([^`]+)`");

    @Test
    void everyKeyOfEveryServiceIsInTheReferenceAndTheReferenceNamesNoOther() throws Exception {
        Set<String> prefixes = new TreeSet<>();
        Set<String> inCode = new TreeSet<>();
        for (String service : SERVICES) {
            for (Class<?> mapping : mappings(root().resolve(service).resolve("target/classes"))) {
                prefixes.add(mapping.getAnnotation(ConfigMapping.class).prefix());
                ConfigKeys.all(mapping, inCode);
            }
        }
        Set<String> documented = new TreeSet<>();
        try (Stream<Path> docs = Files.list(root().resolve("docs"))) {
            for (Path doc : docs.filter(d -> d.toString().endsWith(".md")).toList()) {
                documented.addAll(documented(Files.readString(doc)));
            }
        }

        Set<String> undocumented = new TreeSet<>(inCode);
        undocumented.removeAll(documented);
        Set<String> stale = new TreeSet<>();
        for (String key : documented) {
            if (prefixes.stream().anyMatch(prefix -> key.startsWith(prefix + ".")) && !inCode.contains(key)) {
                stale.add(key);
            }
        }
        assertEquals(Map.of("undocumented", Set.of(), "documented but not in the code", Set.of()),
                Map.of("undocumented", undocumented, "documented but not in the code", stale));
    }

    @Test
    void aRowNamesItsFirstKeyWholeAndItsSiblingsByTheirLastPart() {
        assertEquals(Set.of("slipway.cas.store.s3.bucket", "slipway.cas.store.s3.prefix", "slipway.cas.auth.tokens.*.roles",
                "slipway.cas.auth.tokens.*.secret"), documented("""
                | property | default | meaning |
                | `slipway.cas.store.s3.bucket` / `.prefix` | — | the `bucket` |
                | `slipway.cas.auth.tokens.<name>.secret` / `.roles` | none | tokens |
                """));
    }

    /**
     * The keys of the reference's table rows: the first cell's first key whole, each {@code `.sibling`} after it
     * in place of the first key's last part; {@code <name>} placeholders as {@code *}.
     */
    static Set<String> documented(String reference) {
        Set<String> keys = new TreeSet<>();
        for (String line : reference.lines().toList()) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String cell = line.substring(1, line.indexOf('|', 1));
            Matcher tokens = TOKEN.matcher(cell);
            String first = null;
            while (tokens.find()) {
                String token = tokens.group(1);
                if (first == null) {
                    first = token;
                    keys.add(normalized(token));
                } else if (token.startsWith(".")) {
                    keys.add(normalized(first.substring(0, first.lastIndexOf('.')) + token));
                } else {
                    keys.add(normalized(token));
                }
            }
        }
        return keys;
    }

    private static String normalized(String key) {
        return key.replaceAll("<[^>]+>", "*");
    }

    /** The mappings among a service's classes, found in its build output. */
    private static List<Class<?>> mappings(Path classes) throws IOException, ClassNotFoundException {
        List<Class<?>> mappings = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, ConfigurationReferenceTest.class.getClassLoader());
                if (type.isAnnotationPresent(ConfigMapping.class)) {
                    mappings.add(type);
                }
            }
        }
        return mappings;
    }

    private static Path root() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    }
}
