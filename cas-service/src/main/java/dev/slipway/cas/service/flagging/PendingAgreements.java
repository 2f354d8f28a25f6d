package dev.slipway.cas.service.flagging;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.slipway.cas.flag.FlagStore;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The recipes whose builders have not agreed yet, with the time each is rejected at: kept in the store (one
 * document, changed by compare-and-set) so that a deadline is judged even when cas-service restarts in
 * between, and small, since a recipe leaves it once agreed or rejected.
 */
final class PendingAgreements {

    /** A recipe waiting for its set's builders until {@code deadline}. */
    record Waiting(String deploymentSet, Instant deadline) {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final TypeReference<TreeMap<String, Waiting>> TYPE = new TypeReference<>() {
    };

    private final FlagStore store;

    PendingAgreements(FlagStore store) {
        this.store = store;
    }

    /** Recipe digest to what it waits for. */
    Map<String, Waiting> read() throws IOException {
        byte[] bytes = store.readPendingAgreements().bytes();
        return bytes == null ? new TreeMap<>() : JSON.readValue(bytes, TYPE);
    }

    /** Waits for {@code recipe} unless it already does (the first build's deadline stands). */
    void await(String recipe, Waiting waiting) throws IOException {
        change(pending -> {
            pending.putIfAbsent(recipe, waiting);
            return pending;
        });
    }

    void settled(String recipe) throws IOException {
        change(pending -> {
            pending.remove(recipe);
            return pending;
        });
    }

    private void change(UnaryOperator<TreeMap<String, Waiting>> change) throws IOException {
        for (int attempt = 0; attempt < FlagStore.UPDATE_ATTEMPTS; attempt++) {
            FlagStore.Document current = store.readPendingAgreements();
            TreeMap<String, Waiting> pending = current.bytes() == null ? new TreeMap<>() : JSON.readValue(current.bytes(), TYPE);
            TreeMap<String, Waiting> before = new TreeMap<>(pending);
            TreeMap<String, Waiting> next = change.apply(pending);
            if (next.equals(before) || store.replacePendingAgreements(current.version(), JSON.writeValueAsBytes(next))) {
                return;
            }
        }
        throw new IOException("the pending agreements kept changing under " + FlagStore.UPDATE_ATTEMPTS + " attempts");
    }
}
