package dev.slipway.cas.release;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What one deployment set may run: for each channel the releases flagged on it (the last is current, the ones
 * before it are what a revocation falls back to), and every artifact revoked for the set. cas-service signs it
 * ({@link SignedChannelState}); agents act on nothing else. Each change and each renewal raises {@code version},
 * and the state is not to be trusted after {@code expires}: an old state cannot be replayed to a host that saw a
 * newer one, and a withheld one runs out.
 *
 * @param channels releases per channel, oldest first, at most {@link #HISTORY} each
 * @param revoked  revocations by artifact digest
 */
public record ChannelState(String deploymentSet, long version, Instant expires, Map<String, List<Release>> channels,
        Map<String, Revocation> revoked) {

    /** How many earlier releases a channel keeps to fall back to. */
    public static final int HISTORY = 10;

    /**
     * One flagging of a recipe on a channel.
     *
     * @param event the id of the {@code ArtifactDeployable} that announced it: every agent names the rollout that
     *              answers it after this id
     */
    public record Release(String recipe, String artifact, String event, Instant since) {
    }

    public record Revocation(String recipe, String reason, Instant at) {
    }

    public ChannelState {
        Map<String, List<Release>> copy = new TreeMap<>();
        (channels == null ? Map.<String, List<Release>>of() : channels).forEach((c, r) -> copy.put(c, List.copyOf(r)));
        channels = Map.copyOf(copy);
        revoked = revoked == null ? Map.of() : Map.copyOf(revoked);
    }

    /** The state of a set nothing was flagged for yet: version 0, already expired. */
    public static ChannelState none(String deploymentSet) {
        return new ChannelState(deploymentSet, 0, Instant.EPOCH, Map.of(), Map.of());
    }

    /** What the channel runs now; empty when nothing is released on it (never flagged, or held after a revocation). */
    public Optional<Release> current(String channel) {
        List<Release> releases = channels.getOrDefault(channel, List.of());
        return releases.isEmpty() ? Optional.empty() : Optional.of(releases.get(releases.size() - 1));
    }

    /**
     * The release made current on the channel; unchanged when it already is (the same event handled again), when
     * the current one is newer (an old event delivered again), or when its artifact was revoked.
     */
    public ChannelState flagged(String channel, Release release) {
        if (revoked.containsKey(release.artifact()) || current(channel)
                .map(r -> r.event().equals(release.event()) || r.since().isAfter(release.since())).orElse(false)) {
            return this;
        }
        List<Release> releases = new ArrayList<>(channels.getOrDefault(channel, List.of()));
        releases.removeIf(r -> r.recipe().equals(release.recipe()));
        releases.add(release);
        while (releases.size() > HISTORY) {
            releases.remove(0);
        }
        return withChannel(channel, releases);
    }

    /**
     * The recipe withdrawn from every channel and its artifact revoked. A channel whose current release it was
     * falls back to the release before it, as a new release (its event named by {@code fallbackEvent} per
     * channel, so the set rolls back through an ordinary rollout); with none before it, the channel holds.
     */
    public ChannelState revokedRecipe(String recipe, String artifact, Revocation revocation,
            Function<String, String> fallbackEvent) {
        if (revoked.containsKey(artifact)) {
            return this;
        }
        ChannelState next = new ChannelState(deploymentSet, version, expires, channels, with(revoked, artifact, revocation));
        for (Map.Entry<String, List<Release>> channel : channels.entrySet()) {
            List<Release> releases = new ArrayList<>(channel.getValue());
            boolean wasCurrent = next.current(channel.getKey()).map(r -> r.recipe().equals(recipe)).orElse(false);
            releases.removeIf(r -> r.recipe().equals(recipe) || r.artifact().equals(artifact));
            if (wasCurrent && !releases.isEmpty()) {
                Release back = releases.remove(releases.size() - 1);
                releases.add(new Release(back.recipe(), back.artifact(), fallbackEvent.apply(channel.getKey()),
                        revocation.at()));
            }
            next = next.withChannel(channel.getKey(), releases);
        }
        return next;
    }

    /** The same content under the next version, valid until {@code expires}. */
    public ChannelState nextVersion(Instant expires) {
        return new ChannelState(deploymentSet, version + 1, expires, channels, revoked);
    }

    /** Whether two states say the same, whatever their version and expiry. */
    public boolean sameContent(ChannelState other) {
        return channels.equals(other.channels) && revoked.equals(other.revoked);
    }

    private ChannelState withChannel(String channel, List<Release> releases) {
        return new ChannelState(deploymentSet, version, expires, with(channels, channel, releases), revoked);
    }

    private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
        Map<String, V> copy = new TreeMap<>(map);
        copy.put(key, value);
        return copy;
    }
}
