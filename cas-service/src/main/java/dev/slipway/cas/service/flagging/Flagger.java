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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * What the store does with one event: verify, change flags, and say what it announces. Deterministic for a
 * given event: flags carry the event's own time and source, and every announced event's id is derived from
 * the input's id, so handling an event twice writes nothing new and announces the same ids again (which
 * consumers deduplicate, and the transaction in {@link FlaggingLoop} usually prevents outright).
 *
 * <p>Blocking (reads whole blobs to verify them): runs on the flagging loop's thread.
 */
public final class Flagger implements FlaggingLoop.Handler {

    /** An event to publish, on its topic. */
    public record Announcement(String topic, Event<?> event) {
    }

    /** The event cannot be acted on and needs a person: it goes to the dead-letter topic with this reason. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason);
        }
    }

    private static final Logger LOG = Logger.getLogger(Flagger.class);
    private static final int MAX_PROVENANCE_SIZE = 4 * 1024 * 1024;

    private final BlobStore blobs;
    private final FlagStore flags;
    private final FlaggingConfig.AutoFlag autoFlag;
    private final String source;
    private final Map<String, PublicKey> trustedBuilders;
    private final ChannelStates states;
    private final Agreements agreements;
    private final PendingAgreements pending;

    /**
     * @param trustedBuilders builder public keys by key id; a build signed by no key here is rejected
     * @param states          where each flag and revocation is also signed into its set's channel state
     */
    Flagger(BlobStore blobs, FlagStore flags, FlaggingConfig.AutoFlag autoFlag, String source,
            Map<String, PublicKey> trustedBuilders, ChannelStates states) {
        this(blobs, flags, autoFlag, source, trustedBuilders, states, Agreements.ANY_ONE);
    }

    /** @param agreements how many of which builders must agree, per set; their keys are trusted too */
    Flagger(BlobStore blobs, FlagStore flags, FlaggingConfig.AutoFlag autoFlag, String source,
            Map<String, PublicKey> trustedBuilders, ChannelStates states, Agreements agreements) {
        this.blobs = blobs;
        this.flags = flags;
        this.states = states;
        this.autoFlag = autoFlag;
        this.source = source;
        Map<String, PublicKey> trusted = new HashMap<>(trustedBuilders);
        trusted.putAll(agreements.keys());
        this.trustedBuilders = Map.copyOf(trusted);
        this.agreements = agreements;
        this.pending = new PendingAgreements(flags);
    }

    /** The announcements for {@code event}; empty for events the store does not act on. */
    @Override
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

    /**
     * Records the build as its builder's claim, then judges the set's agreement: flagged when enough builders of
     * the set built these bytes, rejected when they built different ones, pending otherwise (until
     * {@link #expire}). A build signed only by keys outside the set's agreement is not counted. Only the event
     * whose claim settled the recipe announces the outcome; handling it again announces the same events.
     */
    private List<Announcement> built(Event<?> event, ArtifactBuilt built) throws IOException {
        Digest recipe = Digest.parse(built.recipe());
        Agreement agreement = agreements.of(built.deploymentSet());
        Checked checked = check(built);
        Optional<Map.Entry<String, Flags.Claim>> recorded = recordedClaim(recipe, event);
        if (checked.problem() != null && recorded.isEmpty()) {
            return List.of(announce(event, "rejected", Topics.ARTIFACTS,
                    new ArtifactRejected(built.artifact(), built.recipe(), checked.problem())));
        }
        Optional<String> builder = recorded.map(Map.Entry::getKey)
                .or(() -> checked.signers().stream().filter(agreement::counts).findFirst());
        if (builder.isEmpty()) {
            LOG.warnf("build of %s by %s is signed by %s, none of them a builder of set '%s': it does not count",
                    built.recipe(), built.builder(), checked.signers(), built.deploymentSet());
            return List.of();
        }
        Digest artifact = Digest.parse(built.artifact());
        Digest provenance = Digest.parse(built.provenance());
        // Named as its signed provenance names it: the event's builder field is anyone's to write.
        String name = recorded.map(claim -> claim.getValue().builder()).orElseGet(checked::builder);
        List<String> channels = autoFlag.sets().getOrDefault(built.deploymentSet(), autoFlag.defaultChannels());
        Flags stored = flags.update(recipe, current -> {
            Flags next = current.withClaim(builder.get(), new Flags.Claim(artifact, provenance, name,
                    event.id(), event.time()));
            if (next.revoked() != null || next.rejected() != null || next.built() != null) {
                return next;
            }
            Agreement.Verdict verdict = agreement.judge(recipe, next.claims());
            if (verdict instanceof Agreement.Disagreed disagreed) {
                return next.withRejected(new Flags.Rejected(disagreed.reason(), event.time(), event.id()));
            }
            if (!(verdict instanceof Agreement.Agreed)) {
                return next;
            }
            next = next.withBuilt(new Flags.Built(artifact, provenance, built.deploymentSet(), event.source(),
                    event.time(), event.id()));
            String flaggedBy = agreedBy(agreement, next, artifact);
            for (String channel : channels) {
                next = next.withDeployable(channel, new Flags.Deployable(artifact, flaggedBy, event.time()));
            }
            return next;
        });
        if (stored.revoked() != null) {
            return List.of();
        }
        if (stored.rejected() != null) {
            pending.settled(built.recipe());
            return event.id().equals(stored.rejected().event()) ? List.of(announce(event, "rejected",
                    Topics.ARTIFACTS, new ArtifactRejected(built.artifact(), built.recipe(), stored.rejected().reason())))
                    : List.of();
        }
        if (stored.built() == null) {
            pending.await(built.recipe(), new PendingAgreements.Waiting(built.deploymentSet(),
                    event.time().plus(agreement.deadline())));
            LOG.infof("recipe %s: %d of the %d builders set '%s' requires built %s; waiting for the others",
                    built.recipe(), stored.claims().keySet().stream().filter(agreement::counts).count(),
                    agreement.required(), built.deploymentSet(), built.artifact());
            return List.of();
        }
        pending.settled(built.recipe());
        boolean settledByThis = stored.built().event() == null ? stored.built().provenance().equals(provenance)
                : stored.built().event().equals(event.id());
        if (!settledByThis) {
            return List.of();
        }
        List<Announcement> announcements = new ArrayList<>();
        for (String channel : channels) {
            announcements.add(announce(event, "deployable/" + channel, Topics.DEPLOYABLES, new ArtifactDeployable(
                    built.deploymentSet(), channel, built.recipe(), built.artifact(),
                    agreedBy(agreement, stored, artifact))));
        }
        return withState(event, built.deploymentSet(), announcements);
    }

    /**
     * Who flagged it: {@code auto-flag}, naming the builders that agreed where more than one had to, so that the
     * operator's view says which independent builds stand behind a release.
     */
    private static String agreedBy(Agreement agreement, Flags flags, Digest artifact) {
        if (agreement.required() == 1) {
            return "auto-flag";
        }
        List<String> names = flags.claims().entrySet().stream()
                .filter(claim -> agreement.counts(claim.getKey()) && claim.getValue().artifact().equals(artifact))
                .map(claim -> claim.getValue().builder()).sorted().toList();
        return "auto-flag: " + String.join(", ", names) + " built the same bytes (" + agreement.required()
                + " required)";
    }

    /**
     * Rejects every recipe whose agreement deadline passed before {@code now}, announcing it; forgets those
     * settled meanwhile. Handling the same deadline again announces the same event.
     */
    @Override
    public List<Announcement> expire(Instant now) throws IOException {
        List<Announcement> announcements = new ArrayList<>();
        for (Map.Entry<String, PendingAgreements.Waiting> waiting : pending.read().entrySet()) {
            if (now.isBefore(waiting.getValue().deadline())) {
                continue;
            }
            String recipe = waiting.getKey();
            Agreement agreement = agreements.of(waiting.getValue().deploymentSet());
            Flags stored = flags.update(Digest.parse(recipe), current -> current.built() != null
                    || current.rejected() != null || current.revoked() != null ? current
                    : current.withRejected(new Flags.Rejected(agreement.tooFew(current.claims()), now, null)));
            if (stored.rejected() != null && stored.rejected().event() == null) {
                String artifact = stored.claims().values().stream().map(claim -> claim.artifact().toString())
                        .findFirst().orElse("");
                Event<ArtifactRejected> rejected = new Event<>(Event.idCausedBy("agreement-deadline/" + recipe,
                        "rejected"), source, stored.rejected().at(), new ArtifactRejected(artifact, recipe,
                                stored.rejected().reason()));
                announcements.add(new Announcement(Topics.ARTIFACTS, rejected));
            }
        }
        return announcements;
    }

    /** Forgets the recipes {@link #expire} announced, once their announcements are published. */
    @Override
    public void expired(List<Announcement> announced) throws IOException {
        for (Announcement announcement : announced) {
            pending.settled(((ArtifactRejected) announcement.event().data()).recipe());
        }
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
     * The builder whose claim this very event already recorded: then its build was verified when first handled,
     * and a later doubt (a blob since scrubbed away, say) must not announce a rejection of it. Handling it
     * again re-announces what the first handling did.
     */
    private Optional<Map.Entry<String, Flags.Claim>> recordedClaim(Digest recipe, Event<?> event) throws IOException {
        return flags.read(recipe).flags().claims().entrySet().stream()
                .filter(claim -> claim.getValue().event().equals(event.id())).findFirst();
    }

    /**
     * Why the build cannot be trusted (null when it can), the trusted keys that signed its provenance, and the
     * builder that provenance names.
     */
    private record Checked(String problem, SortedSet<String> signers, String builder) {

        static Checked refused(String problem) {
            return new Checked(problem, new TreeSet<>(), null);
        }
    }

    /** Whether the blobs an ArtifactBuilt names are each present and intact, and who signed the provenance. */
    private Checked check(ArtifactBuilt built) throws IOException {
        for (String[] blob : new String[][] {
                {"artifact", built.artifact()}, {"recipe", built.recipe()}, {"provenance", built.provenance()}}) {
            Digest digest = Digest.parse(blob[1]);
            if (!blobs.exists(digest)) {
                return Checked.refused(blob[0] + " " + digest + " is not in the store; upload it before announcing "
                        + "the build");
            }
            try (InputStream in = blobs.open(digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (DigestMismatchException corrupt) {
                return Checked.refused(blob[0] + " " + digest + " does not verify: " + corrupt.getMessage());
            } catch (BlobNotFoundException gone) {
                return Checked.refused(blob[0] + " " + digest + " is not in the store; upload it before announcing "
                        + "the build");
            }
            // Any other IOException (a timeout, the backend down) is not the build's fault: it propagates, the
            // transaction aborts, and the event is handled again.
        }
        return signed(built);
    }

    /** Who vouches for this build: the trusted keys that signed its provenance, if it is about this content. */
    private Checked signed(ArtifactBuilt built) throws IOException {
        byte[] envelope;
        try (InputStream in = blobs.open(Digest.parse(built.provenance()))) {
            envelope = in.readNBytes(MAX_PROVENANCE_SIZE + 1);
        }
        if (envelope.length > MAX_PROVENANCE_SIZE) {
            return Checked.refused("provenance " + built.provenance() + " is larger than " + MAX_PROVENANCE_SIZE
                    + " bytes");
        }
        Provenance.Signed signed;
        try {
            signed = Provenance.verifySigned(envelope, trustedBuilders);
        } catch (UntrustedProvenanceException e) {
            return Checked.refused("provenance " + built.provenance() + " does not verify: " + e.getMessage()
                    + (trustedBuilders.isEmpty() ? "; configure slipway.cas.flagging.trusted-builder-keys" : ""));
        }
        Provenance provenance = signed.provenance();
        if (!provenance.artifact().toString().equals(built.artifact())
                || !provenance.recipe().toString().equals(built.recipe())) {
            return Checked.refused("provenance " + built.provenance() + " is signed for artifact "
                    + provenance.artifact() + " of recipe " + provenance.recipe() + ", not for this build");
        }
        return new Checked(null, signed.signers(), provenance.builder());
    }

    private Announcement announce(Event<?> cause, String what, String topic, SlipwayEvent data) {
        return new Announcement(topic, Event.causedBy(cause, what, source, cause.time(), data));
    }
}
