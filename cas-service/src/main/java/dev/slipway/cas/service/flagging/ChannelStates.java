package dev.slipway.cas.service.flagging;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.cas.release.ChannelState;
import dev.slipway.cas.release.SignedChannelState;
import dev.slipway.events.artifact.ChannelStateSigned;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Each deployment set's signed channel state, kept in the flag store and changed by compare-and-set: every
 * change raises its version and signs it again with the release key, valid for {@code validity}; {@link #renew}
 * signs unchanged states again before they expire, as TUF's timestamp role does. Without a release key nothing
 * is signed, so no agent acts on anything: the service says so at start.
 */
final class ChannelStates {

    private static final Logger LOG = Logger.getLogger(ChannelStates.class);

    private final FlagStore store;
    private final KeyPair releaseKey;
    private final Map<String, PublicKey> readable;
    private final Duration validity;
    private final Duration renewEvery;

    /**
     * @param releaseKey   null when none is configured
     * @param previousKeys release keys rotated out: a stored state they signed is still read (and signed anew)
     */
    ChannelStates(FlagStore store, KeyPair releaseKey, List<PublicKey> previousKeys, Duration validity,
            Duration renewEvery) {
        if (renewEvery.compareTo(validity) >= 0) {
            throw new IllegalArgumentException("channel states must be renewed (every " + renewEvery
                    + ") more often than they expire (after " + validity + ")");
        }
        this.store = store;
        this.releaseKey = releaseKey;
        Map<String, PublicKey> keys = new HashMap<>();
        previousKeys.forEach(key -> keys.put(BuilderKeys.keyId(key), key));
        if (releaseKey != null) {
            keys.put(BuilderKeys.keyId(releaseKey.getPublic()), releaseKey.getPublic());
        }
        this.readable = Map.copyOf(keys);
        this.validity = validity;
        this.renewEvery = renewEvery;
    }

    /** From configuration; a private key without its public half, or halves that do not match, stop the start. */
    static ChannelStates configured(FlaggingConfig.Release config, FlagStore store) {
        if (config.privateKey().isPresent() != config.publicKey().isPresent()) {
            throw new IllegalStateException("set both slipway.cas.flagging.release.private-key and public-key, or "
                    + "neither");
        }
        KeyPair key = null;
        if (config.privateKey().isPresent()) {
            key = new KeyPair(BuilderKeys.publicKey(config.publicKey().get()),
                    BuilderKeys.privateKey(config.privateKey().get()));
            try {
                SignedChannelState.verify(SignedChannelState.sign(ChannelState.none("key-check"), key),
                        Map.of(BuilderKeys.keyId(key.getPublic()), key.getPublic()));
            } catch (UntrustedProvenanceException e) {
                throw new IllegalStateException("slipway.cas.flagging.release.public-key is not the public half of "
                        + "private-key", e);
            }
            LOG.infof("signing channel states with release key %s", BuilderKeys.keyId(key.getPublic()));
        } else {
            LOG.warn("no release key (slipway.cas.flagging.release.private-key): no channel state is signed, so no "
                    + "agent installs anything new");
        }
        return new ChannelStates(store, key, config.previousPublicKeys().orElse(List.of()).stream()
                .map(BuilderKeys::publicKey).toList(), config.validity(), config.renewEvery());
    }

    boolean signing() {
        return releaseKey != null;
    }

    /**
     * Applies {@code change} to the set's state, signed anew when it changed what the state says.
     *
     * @return the state as it now stands, signed; empty without a release key
     */
    Optional<ChannelStateSigned> change(String set, UnaryOperator<ChannelState> change, Instant now)
            throws IOException {
        return update(set, state -> {
            ChannelState next = change.apply(state);
            return next.sameContent(state) && state.version() > 0 ? state : next.nextVersion(now.plus(validity));
        });
    }

    /** Signs again, under the next version, every state that is due: the ones signed {@code renewEvery} ago. */
    List<ChannelStateSigned> renew(Instant now) throws IOException {
        List<ChannelStateSigned> renewed = new ArrayList<>();
        if (!signing()) {
            return renewed;
        }
        for (String set : store.channelStateSets()) {
            Instant[] signedAt = new Instant[1];
            Optional<ChannelStateSigned> state = update(set, current -> {
                signedAt[0] = current.expires().minus(validity);
                return now.isBefore(signedAt[0].plus(renewEvery)) ? current : current.nextVersion(now.plus(validity));
            });
            state.filter(s -> !now.isBefore(signedAt[0].plus(renewEvery))).ifPresent(renewed::add);
        }
        return renewed;
    }

    private Optional<ChannelStateSigned> update(String set, UnaryOperator<ChannelState> change) throws IOException {
        if (!signing()) {
            return Optional.empty();
        }
        for (int attempt = 0; attempt < FlagStore.UPDATE_ATTEMPTS; attempt++) {
            FlagStore.Document stored = store.readChannelState(set);
            ChannelState current = stored.bytes() == null ? ChannelState.none(set) : read(set, stored.bytes());
            ChannelState next = change.apply(current);
            if (next == current) {
                return Optional.of(new ChannelStateSigned(set, current.version(), new String(stored.bytes(), UTF_8)));
            }
            byte[] envelope = SignedChannelState.sign(next, releaseKey);
            if (store.replaceChannelState(set, stored.version(), envelope)) {
                return Optional.of(new ChannelStateSigned(set, next.version(), new String(envelope, UTF_8)));
            }
        }
        throw new IllegalStateException("the channel state of " + set + " kept changing under "
                + FlagStore.UPDATE_ATTEMPTS + " attempts");
    }

    /** What a state this service signed says. */
    ChannelState stateOf(ChannelStateSigned signed) throws IOException {
        return read(signed.deploymentSet(), signed.envelope().getBytes(UTF_8));
    }

    /** The stored state; one that no longer verifies under the release key means the store was written behind our back. */
    private ChannelState read(String set, byte[] envelope) throws IOException {
        try {
            return SignedChannelState.verify(envelope, readable);
        } catch (UntrustedProvenanceException e) {
            throw new IOException("the stored channel state of " + set + " does not verify under the release key ("
                    + e.getMessage() + "): the store was changed by someone else, or the release key was rotated "
                    + "without listing the old one in slipway.cas.flagging.release.previous-public-keys", e);
        }
    }
}
