package dev.slipway.cas.service.flagging;

import dev.slipway.cas.blob.BlobNotFoundException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.cas.release.ChannelState;
import dev.slipway.events.command.CommandEffects;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RevokeRequested;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the store does with one event: verify, change flags, and say what it announces. Deterministic for a
 * given event: flags carry the event's own time and source, and every announced event's id is derived from
 * the input's id, so handling an event twice writes nothing new and announces the same ids again (which
 * consumers deduplicate, and the transaction in {@link FlaggingLoop} usually prevents outright).
 *
 * <p>Blocking (reads whole blobs to verify them): runs on the flagging loop's thread.
 */
public final class Flagger {

    /** An event to publish, on its topic. */
    public record Announcement(String topic, Event<?> event) {
    }

    /** The event cannot be acted on and needs a person: it goes to the dead-letter topic with this reason. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason);
        }
    }

    private static final int MAX_PROVENANCE_SIZE = 4 * 1024 * 1024;

    private final BlobStore blobs;
    private final FlagStore flags;
    private final FlaggingConfig.AutoFlag autoFlag;
    private final String source;
    private final Map<String, PublicKey> trustedBuilders;
    private final ChannelStates states;

    /**
     * @param trustedBuilders builder public keys by key id; a build signed by no key here is rejected
     * @param states          where each flag and revocation is also signed into its set's channel state
     */
    Flagger(BlobStore blobs, FlagStore flags, FlaggingConfig.AutoFlag autoFlag, String source,
            Map<String, PublicKey> trustedBuilders, ChannelStates states) {
        this.blobs = blobs;
        this.flags = flags;
        this.states = states;
        this.autoFlag = autoFlag;
        this.source = source;
        this.trustedBuilders = Map.copyOf(trustedBuilders);
    }

    /** The announcements for {@code event}; empty for events the store does not act on. */
    public List<Announcement> handle(Event<?> event) throws IOException, Refused {
        SlipwayEvent data = event.data();
        if (data instanceof ArtifactBuilt built) {
            return built(event, built);
        }
        if (data instanceof PromoteRequested promote) {
            return promote(event, promote);
        }
        if (data instanceof RevokeRequested revoke) {
            return revoke(event, revoke);
        }
        return List.of();
    }

    private List<Announcement> built(Event<?> event, ArtifactBuilt built) throws IOException {
        Optional<String> problem = unverifiable(built);
        if (problem.isPresent() && !alreadyRecorded(built)) {
            return List.of(announce(event, "rejected", Topics.ARTIFACTS,
                    new ArtifactRejected(built.artifact(), built.recipe(), problem.get())));
        }
        Digest recipe = Digest.parse(built.recipe());
        Digest artifact = Digest.parse(built.artifact());
        List<String> channels = autoFlag.sets().getOrDefault(built.deploymentSet(), autoFlag.defaultChannels());
        Flags stored = flags.update(recipe, current -> {
            Flags next = current.withBuilt(new Flags.Built(artifact, Digest.parse(built.provenance()),
                    built.deploymentSet(), event.source(), event.time()));
            if (next.revoked() != null) {
                return next;
            }
            for (String channel : channels) {
                next = next.withDeployable(channel, new Flags.Deployable(artifact, "auto-flag", event.time()));
            }
            return next;
        });
        if (stored.revoked() != null) {
            return List.of();
        }
        List<Announcement> announcements = new ArrayList<>();
        for (String channel : channels) {
            announcements.add(announce(event, "deployable/" + channel, Topics.DEPLOYABLES, new ArtifactDeployable(
                    built.deploymentSet(), channel, built.recipe(), built.artifact(), "auto-flag")));
        }
        return withState(event, built.deploymentSet(), announcements);
    }

    /** The announcements, then the set's channel state once the deployables among them are in it. */
    private List<Announcement> withState(Event<?> cause, String set, List<Announcement> announcements)
            throws IOException {
        Optional<ChannelStateSigned> state = states.change(set, current -> {
            ChannelState next = current;
            for (Announcement announcement : announcements) {
                if (announcement.event().data() instanceof ArtifactDeployable d) {
                    next = next.flagged(d.channel(), new ChannelState.Release(d.recipe(), d.artifact(),
                            announcement.event().id(), cause.time()));
                }
            }
            return next;
        }, cause.time());
        List<Announcement> all = new ArrayList<>(announcements);
        state.ifPresent(signed -> all.add(announce(cause, "state", Topics.DEPLOYABLES, signed)));
        return all;
    }

    private List<Announcement> promote(Event<?> event, PromoteRequested promote) throws IOException, Refused {
        Flags.Built built = builtFor(promote.recipe(), promote.deploymentSet());
        try {
            flags.update(Digest.parse(promote.recipe()), current -> current.withDeployable(promote.channel(),
                    new Flags.Deployable(built.artifact(), promote.requestedBy(), event.time())));
        } catch (IllegalStateException notAllowed) {
            throw new Refused(notAllowed.getMessage());
        }
        return withState(event, promote.deploymentSet(), List.of(announce(event, CommandEffects.DEPLOYABLE,
                Topics.DEPLOYABLES, new ArtifactDeployable(promote.deploymentSet(), promote.channel(), promote.recipe(),
                        built.artifact().toString(), promote.requestedBy()))));
    }

    /**
     * Revokes the recipe, and in its set's channel state withdraws it from every channel: a channel it was
     * current on falls back to the release flagged before it, announced as deployable again (so the set rolls
     * back through an ordinary rollout), or holds when there is none.
     */
    private List<Announcement> revoke(Event<?> event, RevokeRequested revoke) throws IOException, Refused {
        Flags.Built built = builtFor(revoke.recipe(), revoke.deploymentSet());
        flags.update(Digest.parse(revoke.recipe()), current -> current.revoked() != null ? current
                : current.withRevoked(new Flags.Revoked(revoke.reason(), revoke.requestedBy(), event.time())));
        String artifact = built.artifact().toString();
        List<Announcement> announcements = new ArrayList<>(List.of(announce(event, CommandEffects.REVOKED,
                Topics.DEPLOYABLES, new ArtifactRevoked(revoke.deploymentSet(), revoke.recipe(), artifact, revoke.reason(),
                        revoke.requestedBy()))));
        Optional<ChannelStateSigned> state = states.change(revoke.deploymentSet(), current -> current.revokedRecipe(
                revoke.recipe(), artifact, new ChannelState.Revocation(revoke.recipe(), revoke.reason(), event.time()),
                channel -> Event.idCausedBy(event, "fallback/" + channel)), event.time());
        if (state.isEmpty()) {
            return announcements;
        }
        // Derived from the state as stored, so that handling the revocation again announces the same fallbacks.
        ChannelState signed = states.stateOf(state.get());
        for (String channel : signed.channels().keySet()) {
            signed.current(channel).filter(back -> back.event().equals(Event.idCausedBy(event, "fallback/" + channel)))
                    .ifPresent(back -> announcements.add(new Announcement(Topics.DEPLOYABLES, new Event<>(back.event(),
                            source, event.time(), new ArtifactDeployable(revoke.deploymentSet(), channel,
                                    back.recipe(), back.artifact(), "fallback from revoked " + revoke.recipe())))));
        }
        announcements.add(announce(event, "state", Topics.DEPLOYABLES, state.get()));
        return announcements;
    }

    private Flags.Built builtFor(String recipe, String deploymentSet) throws IOException, Refused {
        Flags.Built built = flags.read(Digest.parse(recipe)).flags().built();
        if (built == null) {
            throw new Refused("recipe " + recipe + " has no verified build in the store; build it before promoting "
                    + "or revoking it");
        }
        if (!built.deploymentSet().equals(deploymentSet)) {
            throw new Refused("recipe " + recipe + " builds deployment set '" + built.deploymentSet() + "', not '"
                    + deploymentSet + "'");
        }
        return built;
    }

    /**
     * Whether the store already recorded exactly this build: then it was verified when first handled, and a
     * later doubt (a blob since scrubbed away, say) must not announce a rejection of a recipe whose flags say
     * built. Handling it again re-announces what the first handling did.
     */
    private boolean alreadyRecorded(ArtifactBuilt built) throws IOException {
        Flags.Built recorded = flags.read(Digest.parse(built.recipe())).flags().built();
        return recorded != null && recorded.artifact().toString().equals(built.artifact())
                && recorded.provenance().toString().equals(built.provenance());
    }

    /** Why the blobs an ArtifactBuilt names cannot be trusted, or empty when each is present and intact. */
    private Optional<String> unverifiable(ArtifactBuilt built) throws IOException {
        for (String[] blob : new String[][] {
                {"artifact", built.artifact()}, {"recipe", built.recipe()}, {"provenance", built.provenance()}}) {
            Digest digest = Digest.parse(blob[1]);
            if (!blobs.exists(digest)) {
                return Optional.of(blob[0] + " " + digest + " is not in the store; upload it before announcing the build");
            }
            try (InputStream in = blobs.open(digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (DigestMismatchException corrupt) {
                return Optional.of(blob[0] + " " + digest + " does not verify: " + corrupt.getMessage());
            } catch (BlobNotFoundException gone) {
                return Optional.of(blob[0] + " " + digest + " is not in the store; upload it before announcing the build");
            }
            // Any other IOException (a timeout, the backend down) is not the build's fault: it propagates, the
            // transaction aborts, and the event is handled again.
        }
        return untrusted(built);
    }

    /** Why the provenance does not vouch for this build: unsigned by a trusted builder, or about other content. */
    private Optional<String> untrusted(ArtifactBuilt built) throws IOException {
        byte[] envelope;
        try (InputStream in = blobs.open(Digest.parse(built.provenance()))) {
            envelope = in.readNBytes(MAX_PROVENANCE_SIZE + 1);
        }
        if (envelope.length > MAX_PROVENANCE_SIZE) {
            return Optional.of("provenance " + built.provenance() + " is larger than " + MAX_PROVENANCE_SIZE + " bytes");
        }
        Provenance provenance;
        try {
            provenance = Provenance.verify(envelope, trustedBuilders);
        } catch (UntrustedProvenanceException e) {
            return Optional.of("provenance " + built.provenance() + " does not verify: " + e.getMessage()
                    + (trustedBuilders.isEmpty() ? "; configure slipway.cas.flagging.trusted-builder-keys" : ""));
        }
        if (!provenance.artifact().toString().equals(built.artifact())
                || !provenance.recipe().toString().equals(built.recipe())) {
            return Optional.of("provenance " + built.provenance() + " is signed for artifact " + provenance.artifact()
                    + " of recipe " + provenance.recipe() + ", not for this build");
        }
        return Optional.empty();
    }

    private Announcement announce(Event<?> cause, String what, String topic, SlipwayEvent data) {
        return new Announcement(topic, Event.causedBy(cause, what, source, cause.time(), data));
    }
}
