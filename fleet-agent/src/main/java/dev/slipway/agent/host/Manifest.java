package dev.slipway.agent.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.wire.EventJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How an artifact runs: {@code slipway-manifest.json} at its root, {@code {"start": [argv...], "drain":
 * [argv...]}}. Commands run with the artifact's directory as working directory; {@code drain} is optional.
 */
public record Manifest(List<String> start, List<String> drain) {

    public static final String FILE = "slipway-manifest.json";

    public static Manifest read(Path artifactDirectory) throws IOException {
        Path file = artifactDirectory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException("the artifact has no " + FILE + " saying how to start it");
        }
        JsonNode json = EventJson.mapper().readTree(file.toFile());
        List<String> start = strings(json.path("start"));
        if (start.isEmpty()) {
            throw new IOException(FILE + " has no \"start\" command");
        }
        return new Manifest(start, strings(json.path("drain")));
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(item -> strings.add(item.asText()));
        return List.copyOf(strings);
    }
}
