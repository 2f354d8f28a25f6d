package dev.slipway.release.live;

import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Server-sent events: one JSON {@link Change} per projected event, and a heartbeat every 15 s. */
@Path("/api/live")
public class LiveResource {

    private final LiveUpdates live;

    public LiveResource(LiveUpdates live) {
        this.live = live;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every change to the read model as it is committed (server-sent events)")
    public Multi<Change> changes() {
        return live.stream();
    }
}
