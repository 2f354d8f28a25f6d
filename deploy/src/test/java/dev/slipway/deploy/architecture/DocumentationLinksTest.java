package dev.slipway.deploy.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README and docs/ link to each other by file and heading: none of those links may lead nowhere. */
class DocumentationLinksTest {

    private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#+ (.*)$");

    @Test
    void everyRelativeLinkOfTheDocumentationLeadsToAFileAndHeadingThatExist() throws IOException {
        assertEquals(List.of(), broken(repositoryRoot()));
    }

    @Test
    void theCheckCatchesAMissingFileAndAMissingHeading(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("README.md"), "# Top\n\nSee [the guide](docs/guide.md#setting-up), [gone](docs/gone.md) "
                + "and [here](#top).\n\n```\n[in a code block](nowhere.md)\n```\n");
        Files.writeString(root.resolve("docs/guide.md"), "# Guide\n\n## Set-up\n\nBack to [the top](../README.md#top).\n");

        assertEquals(List.of("README.md:3: docs/guide.md#setting-up (no such heading)", "README.md:3: docs/gone.md (no such file)"),
                broken(root));
    }

    /** Each broken link as {@code file:line: target (why)}, in file order. */
    static List<String> broken(Path root) throws IOException {
        List<Path> documents = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        Path examples = root.resolve("examples");
        if (Files.isDirectory(examples)) {
            try (Stream<Path> readmes = Files.walk(examples, 2)) {
                readmes.filter(p -> p.getFileName().toString().equals("README.md")).sorted().forEach(documents::add);
            }
        }
        List<String> broken = new ArrayList<>();
        for (Path document : documents) {
            List<String> lines = Files.readAllLines(document);
            boolean code = false;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("```")) {
                    code = !code;
                }
                if (code) {
                    continue;
                }
                Matcher link = LINK.matcher(lines.get(i));
                while (link.find()) {
                    String problem = problem(document, link.group(2));
                    if (problem != null) {
                        broken.add(root.relativize(document) + ":" + (i + 1) + ": " + link.group(2) + " (" + problem + ")");
                    }
                }
            }
        }
        return broken;
    }

    private static String problem(Path document, String target) throws IOException {
        if (target.matches("^[a-z]+:.*")) {
            return null; // http:, https:, mailto:
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path linked = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
        if (!Files.exists(linked)) {
            return "no such file";
        }
        if (hash >= 0 && linked.toString().endsWith(".md") && !headings(linked).contains(target.substring(hash + 1))) {
            return "no such heading";
        }
        return null;
    }

    /** The anchors a Markdown renderer gives the file's headings: lower case, punctuation dropped, dashes for spaces. */
    private static Set<String> headings(Path markdown) throws IOException {
        Set<String> anchors = new HashSet<>();
        for (String line : Files.readAllLines(markdown)) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                anchors.add(heading.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\w\\- ]", "")
                        .replace(' ', '-'));
            }
        }
        return anchors;
    }

    private static Path repositoryRoot() {
        // Surefire runs in the module's directory; the reactor root is its parent.
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    }
}
