package dev.slipway.cas.flag;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.slipway.cas.digest.Digest;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the store says about one recipe: that it built (and to what), on which channels it is deployable,
 * and whether it was revoked. Immutable; every change returns a new value.
 *
 * @param built      null until a build of the recipe was verified and recorded
 * @param deployable channel name to the flag; empty when deployable nowhere
 * @param revoked    null unless revoked; a revoked recipe is never flagged deployable again
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Flags(Digest recipe, Built built, Map<String, Deployable> deployable, Revoked revoked) {

    /** The recipe built to {@code artifact}, proven by {@code provenance}, for a deployment set. */
    public record Built(Digest artifact, Digest provenance, String deploymentSet, String by, Instant at) {
    }

    /** Deployable on one channel, flagged by someone at some time. */
    public record Deployable(Digest artifact, String by, Instant at) {
    }

    public record Revoked(String reason, String by, Instant at) {
    }

    public Flags {
        deployable = deployable == null ? Map.of() : Map.copyOf(deployable);
    }

    /** No flags at all: what the store says about a recipe it knows nothing of. */
    public static Flags none(Digest recipe) {
        return new Flags(recipe, null, Map.of(), null);
    }

    public Flags withBuilt(Built built) {
        return new Flags(recipe, built, deployable, revoked);
    }

    /**
     * @throws IllegalStateException when the recipe was revoked or has not built: say what to do instead
     */
    public Flags withDeployable(String channel, Deployable flag) {
        if (revoked != null) {
            throw new IllegalStateException("recipe " + recipe + " was revoked (" + revoked.reason()
                    + "); build and promote a new recipe instead");
        }
        if (built == null) {
            throw new IllegalStateException("recipe " + recipe + " has no verified build yet; build it first");
        }
        Map<String, Deployable> channels = new TreeMap<>(deployable);
        channels.put(channel, flag);
        return new Flags(recipe, built, channels, revoked);
    }

    /** Revoking also withdraws every deployable flag. */
    public Flags withRevoked(Revoked revoked) {
        return new Flags(recipe, built, Map.of(), revoked);
    }
}
