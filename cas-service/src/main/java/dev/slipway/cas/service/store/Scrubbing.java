package dev.slipway.cas.service.store;

import dev.slipway.cas.blob.BlobScrubber;
import dev.slipway.cas.blob.BlobStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs {@link BlobScrubber} over the store on a schedule ({@code slipway.cas.store.scrub-interval}) and on
 * demand. One pass at a time; on its own daemon thread, never the event loop.
 */
@Singleton
public final class Scrubbing {

    private static final Logger LOG = Logger.getLogger(Scrubbing.class);

    private final BlobScrubber scrubber;
    private final StoreConfig config;
    private ScheduledExecutorService schedule;

    public Scrubbing(BlobStore blobs, StoreConfig config) {
        this.scrubber = new BlobScrubber(blobs);
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        long every = config.scrubInterval().toMillis();
        if (every <= 0) {
            return;
        }
        schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cas-scrub");
            thread.setDaemon(true);
            return thread;
        });
        schedule.scheduleWithFixedDelay(this::scheduledPass, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (schedule != null) {
            schedule.shutdownNow();
        }
    }

    /** One pass now; blocking. */
    public synchronized BlobScrubber.Report scrub() throws IOException {
        BlobScrubber.Report report = scrubber.scrub();
        if (report.quarantined().isEmpty()) {
            LOG.infof("scrub: %d blobs, %d bytes verified in %s", report.blobs(), report.bytes(), report.took());
        } else {
            LOG.errorf("scrub: quarantined %d corrupt blobs %s; upload them again to repair the store",
                    report.quarantined().size(), report.quarantined());
        }
        return report;
    }

    private void scheduledPass() {
        try {
            scrub();
        } catch (IOException | RuntimeException e) {
            LOG.error("scrub pass failed; the next one runs on schedule", e);
        }
    }
}
