package dev.slipway.cas.flag;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.slipway.cas.digest.Digest;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the store says about one recipe: what each builder built of it, that its builders agreed (and on
 * what), on which channels it is deployable, and whether it was revoked or rejected. Immutable; every change
 * returns a new value.
 *
 * @param built      null until the recipe's builds were verified and agreed on (k of its set's builders)
 * @param deployable channel name to the flag; empty when deployable nowhere
 * @param revoked    null unless revoked; a revoked recipe is never flagged deployable again
 * @param claims     builder key id to what that builder's signed provenance says it built; empty for flags
 *                   written before builders had to agree
 * @param rejected   null unless the builders disagreed, or too few agreed in time; then never flagged
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Flags(Digest recipe, Built built, Map<String, Deployable> deployable, Revoked revoked,
        Map<String, Claim> claims, Rejected rejected) {

    /**
     * The recipe built to {@code artifact}, proven by {@code provenance} (one of the agreeing builders'), for a
     * deployment set.
     *
     * @param event the event whose build completed the agreement: the one whose handling announces it
     */
    public record Built(Digest artifact, Digest provenance, String deploymentSet, String by, Instant at,
            String event) {

        public Built(Digest artifact, Digest provenance, String deploymentSet, String by, Instant at) {
            this(artifact, provenance, deploymentSet, by, at, null);
        }
    }

    /** One builder's verified build of the recipe: its artifact and the provenance it signed. */
    public record Claim(Digest artifact, Digest provenance, String builder, String event, Instant at) {
    }

    /** @param event the build event whose claim showed the disagreement; null for a deadline that passed */
    public record Rejected(String reason, Instant at, String event) {
    }

    /** Deployable on one channel, flagged by someone at some time. */
    public record Deployable(Digest artifact, String by, Instant at) {
    }

    public record Revoked(String reason, String by, Instant at) {
    }

    public Flags {
        deployable = deployable == null ? Map.of() : Map.copyOf(deployable);
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    public Flags(Digest recipe, Built built, Map<String, Deployable> deployable, Revoked revoked) {
        this(recipe, built, deployable, revoked, Map.of(), null);
    }

    /** No flags at all: what the store says about a recipe it knows nothing of. */
    public static Flags none(Digest recipe) {
        return new Flags(recipe, null, Map.of(), null);
    }

    public Flags withBuilt(Built built) {
        return new Flags(recipe, built, deployable, revoked, claims, rejected);
    }

    /** With {@code builder}'s claim recorded; a second claim by the same builder replaces its first. */
    public Flags withClaim(String builder, Claim claim) {
        Map<String, Claim> next = new TreeMap<>(claims);
        next.put(builder, claim);
        return new Flags(recipe, built, deployable, revoked, next, rejected);
    }

    public Flags withRejected(Rejected rejected) {
        return new Flags(recipe, built, deployable, revoked, claims, rejected);
    }

    /**
     * @throws IllegalStateException when the recipe was revoked or has not built: say what to do instead
     */
    public Flags withDeployable(String channel, Deployable flag) {
        if (revoked != null) {
            throw new IllegalStateException("recipe " + recipe + " was revoked (" + revoked.reason()
                    + "); build and promote a new recipe instead");
        }
        if (rejected != null) {
            throw new IllegalStateException("recipe " + recipe + " was rejected (" + rejected.reason() + ")");
        }
        if (built == null) {
            throw new IllegalStateException("recipe " + recipe + " has no agreed, verified build yet; build it first");
        }
        Map<String, Deployable> channels = new TreeMap<>(deployable);
        channels.put(channel, flag);
        return new Flags(recipe, built, channels, revoked, claims, rejected);
    }

    /** Revoking also withdraws every deployable flag. */
    public Flags withRevoked(Revoked revoked) {
        return new Flags(recipe, built, Map.of(), revoked, claims, rejected);
    }
}
