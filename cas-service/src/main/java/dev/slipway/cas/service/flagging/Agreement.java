package dev.slipway.cas.service.flagging;

import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.Flags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How many of which builders must have built the same bytes from a recipe before the store flags it: {@code
 * required} of {@code builders} (key ids; empty: any trusted builder), within {@code deadline} of the first
 * verified build. Pure: the verdict depends only on the claims.
 */
record Agreement(int required, Set<String> builders, Duration deadline) {

    /** Today's single-builder trust: one build signed by any trusted key. */
    static final Agreement ANY_ONE = new Agreement(1, Set.of(), Duration.ofMinutes(30));

    Agreement {
        if (required < 1) {
            throw new IllegalArgumentException("an agreement needs at least 1 builder, not " + required);
        }
        if (!builders.isEmpty() && builders.size() < required) {
            throw new IllegalArgumentException(required + " builders must agree but only " + builders.size()
                    + " are named");
        }
        builders = Set.copyOf(builders);
    }

    /** Whether a signature by this key counts towards agreement. */
    boolean counts(String keyId) {
        return builders.isEmpty() || builders.contains(keyId);
    }

    /** What the claims that count say. */
    sealed interface Verdict {
    }

    /** {@code required} builders built {@code artifact}; {@code builders} are the key ids that did. */
    record Agreed(Digest artifact, List<String> builders) implements Verdict {
    }

    /** Builders that count built different bytes: a reproducibility failure, said in full. */
    record Disagreed(String reason) implements Verdict {
    }

    record Pending(int agreeing, int required) implements Verdict {
    }

    Verdict judge(Digest recipe, Map<String, Flags.Claim> claims) {
        Map<Digest, List<String>> byArtifact = new TreeMap<>((a, b) -> a.hex().compareTo(b.hex()));
        new TreeMap<>(claims).forEach((key, claim) -> {
            if (counts(key)) {
                byArtifact.computeIfAbsent(claim.artifact(), artifact -> new ArrayList<>()).add(key);
            }
        });
        if (byArtifact.size() > 1) {
            return new Disagreed("builders disagree on what recipe " + recipe + " builds: " + describe(claims)
                    + "; a build that is not reproducible is never flagged");
        }
        if (byArtifact.isEmpty()) {
            return new Pending(0, required);
        }
        Map.Entry<Digest, List<String>> only = byArtifact.entrySet().iterator().next();
        return only.getValue().size() >= required ? new Agreed(only.getKey(), List.copyOf(only.getValue()))
                : new Pending(only.getValue().size(), required);
    }

    /** Why a recipe still pending at its deadline is rejected. */
    String tooFew(Map<String, Flags.Claim> claims) {
        Set<String> counted = new TreeSet<>();
        claims.keySet().stream().filter(this::counts).forEach(counted::add);
        return "only " + counted.size() + " of the " + required + " builders this set requires built it within "
                + deadline + (counted.isEmpty() ? "" : " (" + describe(claims) + ")")
                + (builders.isEmpty() ? "" : "; waiting for " + (builders.size() - counted.size()) + " of "
                        + builders.size() + " named builders")
                + "; nothing is flagged";
    }

    /** Each counted claim as "builder-id (key sha256:1234abcd...) built sha256:...", in key order. */
    private String describe(Map<String, Flags.Claim> claims) {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(claims).forEach((key, claim) -> {
            if (counts(key)) {
                parts.add(claim.builder() + " (key " + key.substring(0, Math.min(key.length(), 19)) + "...) built "
                        + claim.artifact());
            }
        });
        return String.join("; ", parts);
    }
}
