package dev.slipway.build.sandbox;

import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * No isolation at all, for a builder whose operator configured {@code slipway.build.sandbox=none} on a machine
 * without bubblewrap: the step runs as the builder's user, sees the whole host and its network, and every
 * event and provenance of its builds says {@code hermetic: false}. Mount points cannot exist on the host, so
 * every occurrence of a mount path (and of {@code /work}) in the step's argv and environment is rewritten to
 * where that input was unpacked; a step that builds such paths at run time will not find them.
 */
public final class Unsandboxed implements Sandbox {

    @Override
    public boolean hermetic() {
        return false;
    }

    @Override
    public Result run(Recipe.Step step, Map<String, Path> inputs, Path work, Path log)
            throws IOException, InterruptedException {
        Map<String, Path> places = new LinkedHashMap<>(inputs);
        places.put("/work", work);
        List<Map.Entry<String, Path>> longestFirst = places.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
                .toList();
        ProcessBuilder builder = new ProcessBuilder(step.argv().stream().map(arg -> rewrite(arg, longestFirst)).toList())
                .directory(work.toFile());
        builder.environment().clear();
        step.env().forEach((name, value) -> builder.environment().put(name, rewrite(value, longestFirst)));
        return Bubblewrap.runBounded(builder, step.timeout(), log, work, StepLimits.DEFAULT);
    }

    private static String rewrite(String text, List<Map.Entry<String, Path>> places) {
        String result = text;
        for (Map.Entry<String, Path> place : places) {
            result = result.replaceAll("(?<![A-Za-z0-9._-])" + java.util.regex.Pattern.quote(place.getKey())
                    + "(?=/|$|[^A-Za-z0-9._-])", java.util.regex.Matcher.quoteReplacement(place.getValue().toString()));
        }
        return result;
    }
}
