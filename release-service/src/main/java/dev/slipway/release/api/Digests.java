package dev.slipway.release.api;

import dev.slipway.cas.digest.Digest;
import dev.slipway.release.readmodel.Artifact;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.regex.Pattern;
import org.hibernate.reactive.mutiny.Mutiny;

/** Digests from requests: parsed strictly, refused with 400 and the parser's reason. */
public final class Digests {

    /** What people copy from the CLI and the console: 12 or more hex digits of a digest, with or without sha256:. */
    private static final Pattern SHORT = Pattern.compile("(sha256:)?([0-9a-f]{12,63})");
    private static final Pattern TOO_SHORT = Pattern.compile("(sha256:)?[0-9a-f]{1,11}");
    private static final int SHOWN = 5;

    private Digests() {
    }

    public static String parse(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new ProblemException(400, name + " is required: a digest such as sha256:<64 lowercase hex>");
        }
        if (TOO_SHORT.matcher(value).matches()) {
            throw new ProblemException(400, name + " '" + value + "' is too short to name one digest: give 12 or more "
                    + "of its hex digits, or all 64");
        }
        try {
            return Digest.parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw new ProblemException(400, name + ": " + e.getMessage());
        }
    }

    /** A digest, in full or by 12 or more of its hex digits, as the text a digest so given starts with. */
    public static String prefix(String value, String name) {
        var shortened = value == null ? null : SHORT.matcher(value);
        return shortened != null && shortened.matches() ? "sha256:" + shortened.group(2) : parse(value, name);
    }

    /**
     * The newest build whose recipe or artifact the value names, in full or by a unique prefix of 12 or more hex
     * digits: 404 when nothing was built from or to it, 409 when a prefix names more than one recipe.
     */
    public static Uni<Artifact> built(Mutiny.Session s, String value, String name) {
        var shortened = value == null ? null : SHORT.matcher(value);
        boolean prefix = shortened != null && shortened.matches();
        String digest = prefix ? "sha256:" + shortened.group(2) : parse(value, name);
        String query = prefix
                ? "from Artifact where digest like :d or recipe like :d order by builtAt desc, digest"
                : "from Artifact where digest = :d or recipe = :d order by builtAt desc, digest";
        return s.createSelectionQuery(query, Artifact.class).setParameter("d", prefix ? digest + "%" : digest)
                .setMaxResults(100).getResultList().map(found -> {
                    if (found.isEmpty()) {
                        throw new ProblemException(404, "nothing was built from or to " + digest + (prefix ? "…" : "")
                                + ": name the recipe or artifact digest of a successful build");
                    }
                    List<String> recipes = found.stream().map(a -> a.recipe).distinct().toList();
                    if (recipes.size() > 1) {
                        throw new ProblemException(409, digest + "… names " + recipes.size() + " recipes ("
                                + String.join(", ", recipes.subList(0, Math.min(SHOWN, recipes.size())))
                                + (recipes.size() > SHOWN ? ", …" : "") + "): give more of the digest");
                    }
                    return found.get(0);
                });
    }
}
