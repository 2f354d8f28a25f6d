package dev.slipway.agent.run;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.agent.host.Durable;
import dev.slipway.agent.rollout.HostView;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.cas.release.ChannelState;
import dev.slipway.cas.release.SignedChannelState;
import dev.slipway.events.artifact.ChannelStateSigned;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The newest signed channel state of this host's set that verified under a trusted release key, as this host
 * accepted it. A state older than the newest one this host ever accepted is refused (the highest version is
 * kept on the host's disk, so a restart cannot be fooled by a replay either), and a state past its expiry
 * releases nothing new (a withheld renewal runs out). Not thread-safe: the agent's thread only.
 */
final class ChannelStateView {

    private static final Logger LOG = Logger.getLogger(ChannelStateView.class);

    private final String set;
    private final String channel;
    private final Map<String, PublicKey> releaseKeys;
    private final Path versionFile;
    private long highestSeen;
    /** Whether {@link #highestSeen} is ahead of the disk: written before anything acts on it. */
    private boolean unsaved;
    private ChannelState state;
    private HostView.Deployable latest;
    private String refusal;

    ChannelStateView(String set, String channel, Map<String, PublicKey> releaseKeys, Path root) throws IOException {
        this.set = set;
        this.channel = channel;
        this.releaseKeys = Map.copyOf(releaseKeys);
        this.versionFile = root.resolve("channel-state.version");
        this.highestSeen = readVersion(versionFile);
    }

    /**
     * Offers a state read from the set's partition at {@code offset}; accepted when it verifies and is not older
     * than the newest this host accepted.
     */
    void offer(ChannelStateSigned signed, long offset) {
        ChannelState offered;
        try {
            offered = SignedChannelState.verify(signed.envelope().getBytes(UTF_8), releaseKeys);
        } catch (UntrustedProvenanceException e) {
            refuse("a channel state at offset " + offset + " does not verify: " + e.getMessage()
                    + (releaseKeys.isEmpty() ? "; configure slipway.agent.trusted-release-keys" : ""));
            return;
        }
        if (!offered.deploymentSet().equals(set)) {
            refuse("a channel state at offset " + offset + " is signed for set " + offered.deploymentSet());
            return;
        }
        if (offered.version() < highestSeen) {
            // Below what the disk says: older states replayed at start are expected; one arriving after a newer
            // one is a replay (or a store gone back in time), and is said so.
            if (state != null) {
                refuse("refused channel state v" + offered.version() + " at offset " + offset + ": this host already "
                        + "accepted v" + highestSeen + " (a replayed or rolled-back state)");
            }
            return;
        }
        Optional<ChannelState.Release> current = offered.current(channel);
        if (current.isEmpty()) {
            latest = null;
        } else if (latest == null || !latest.eventId().equals(current.get().event())) {
            ChannelState.Release r = current.get();
            latest = new HostView.Deployable(r.event(), offset, channel, r.recipe(), r.artifact(), Instant.now());
        }
        state = offered;
        refusal = null;
        if (offered.version() > highestSeen) {
            highestSeen = offered.version();
            unsaved = true;
        }
    }

    /** Whether a state is this set's and verifies under a trusted release key, however old. */
    boolean verifies(ChannelStateSigned signed) {
        try {
            return SignedChannelState.verify(signed.envelope().getBytes(UTF_8), releaseKeys).deploymentSet().equals(set);
        } catch (UntrustedProvenanceException e) {
            return false;
        }
    }

    /**
     * What the state allows at {@code now}, by the host's clock. Its version is on the disk first: a start that
     * reads a long history writes it once, not once per state.
     */
    HostView.Released released(Instant now) throws IOException {
        if (unsaved) {
            // Durable before the state is acted on.
            Durable.write(versionFile, highestSeen + "\n");
            unsaved = false;
        }
        Map<String, String> revoked = new HashMap<>();
        if (state != null) {
            state.revoked().forEach((artifact, revocation) -> revoked.put(artifact, revocation.reason()));
        }
        return new HostView.Released(latest, revoked, stale(now));
    }

    /**
     * What an operator should know: why nothing new is installed, else the last state refused since one was
     * accepted (which changes nothing: anyone who can write the topic could otherwise stop a fleet with one record).
     */
    String report(Instant now, String running) {
        String stale = stale(now);
        if (stale != null) {
            return stale;
        }
        ChannelState.Revocation revoked = running == null ? null : state.revoked().get(running);
        if (revoked != null && latest == null) {
            return "runs " + running + ", revoked (" + revoked.reason() + "), and holds: channel " + channel
                    + " has no earlier release to go back to; flag one";
        }
        return refusal;
    }

    /** Why this host acts on no new release now; null when its state is fresh. */
    private String stale(Instant now) {
        if (state == null) {
            return highestSeen == 0 ? "no signed channel state for set " + set + " yet"
                    : "no channel state of set " + set + " at or above v" + highestSeen
                            + " (the newest this host accepted) on the log";
        }
        if (!now.isBefore(state.expires())) {
            return "channel state v" + state.version() + " of set " + set + " expired at " + state.expires()
                    + ": cas-service has not renewed it (down, or its records withheld); nothing new is installed";
        }
        return null;
    }

    private void refuse(String why) {
        if (!why.equals(refusal)) {
            LOG.warn(why);
        }
        refusal = why;
    }

    private static long readVersion(Path file) throws IOException {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (NumberFormatException e) {
            throw new IOException(file + " is damaged (" + e.getMessage() + "); it holds the newest channel state "
                    + "version this host accepted: restore it, or delete it to trust the log again", e);
        }
    }
}
