package dev.slipway.cas.service.flagging;

import static dev.slipway.cas.service.http.Replies.digestOf;
import static dev.slipway.cas.service.http.Replies.fail;

import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagJson;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.service.auth.Guard;
import dev.slipway.cas.service.auth.Role;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.messaging.CommandPublisher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The flags API, for people: {@code GET /flags/<recipe>} reads a recipe's flags (reader);
 * {@code PUT /flags/<recipe>/deployable/<channel>} and {@code POST /flags/<recipe>/revoke} (releaser, the body
 * is the reason) publish {@code PromoteRequested} / {@code RevokeRequested} and answer 202 with the command's
 * id. The flagging loop applies the command and announces the change, exactly as for commands from anywhere
 * else; a command it cannot apply lands in {@code slipway.commands.dlq}. Obvious mistakes (no build, a
 * revoked recipe, a malformed channel) are refused here with 4xx before anything is published.
 */
@Singleton
public final class FlagRoutes {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int MAX_REASON = 4096;

    private final FlagStore flags;
    private final Guard guard;
    private final CommandPublisher commands;

    public FlagRoutes(FlagStore flags, Guard guard, CommandPublisher commands) {
        this.flags = flags;
        this.guard = guard;
        this.commands = commands;
    }

    void register(@Observes Router router) {
        router.route(HttpMethod.GET, "/flags/:hex").handler(this::read);
        router.route(HttpMethod.PUT, "/flags/:hex/deployable/:channel").handler(this::promote);
        router.route(HttpMethod.POST, "/flags/:hex/revoke").handler(BodyHandler.create().setBodyLimit(MAX_REASON))
                .handler(this::revoke);
    }

    private void read(RoutingContext ctx) {
        Optional<Digest> recipe = digestOf(ctx);
        if (recipe.isEmpty() || guard.authorize(ctx, Role.READER, "read flags").isEmpty()) {
            return;
        }
        ctx.vertx().executeBlocking(() -> {
            FlagStore.Versioned read = flags.read(recipe.get());
            return read.absent() ? Optional.<byte[]>empty() : Optional.of(FlagJson.write(read.flags()));
        }, false).onSuccess(json -> {
            if (json.isEmpty()) {
                fail(ctx, 404, "no flags for recipe " + recipe.get() + ": it has not been built through this store");
            } else {
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Buffer.buffer(json.get()));
            }
        }).onFailure(error -> fail(ctx, 500, "cannot read flags: " + error.getMessage()));
    }

    private void promote(RoutingContext ctx) {
        Optional<Digest> recipe = digestOf(ctx);
        String channel = ctx.pathParam("channel");
        if (recipe.isEmpty()) {
            return;
        }
        Optional<String> token = guard.authorize(ctx, Role.RELEASER, "flag recipes deployable");
        if (token.isEmpty()) {
            return;
        }
        if (!NAME.matcher(channel).matches()) {
            fail(ctx, 400, "'" + channel + "' is not a channel name: letters, digits, '.', '_' and '-', up to 128");
            return;
        }
        publishFor(ctx, recipe.get(), built -> new PromoteRequested(built.deploymentSet(), channel,
                recipe.get().toString(), "token:" + token.get()));
    }

    private void revoke(RoutingContext ctx) {
        Optional<Digest> recipe = digestOf(ctx);
        if (recipe.isEmpty()) {
            return;
        }
        Optional<String> token = guard.authorize(ctx, Role.RELEASER, "revoke recipes");
        if (token.isEmpty()) {
            return;
        }
        String reason = ctx.body().asString();
        if (reason == null || reason.isBlank()) {
            fail(ctx, 400, "say why in the request body: the reason is recorded and announced with the revocation");
            return;
        }
        publishFor(ctx, recipe.get(), built -> new RevokeRequested(built.deploymentSet(), recipe.get().toString(),
                "token:" + token.get(), reason.strip()));
    }

    /** What happened to a flag request: the published command's id, or why it conflicts with the flags. */
    private record Outcome(String commandId, String conflict) {
    }

    private void publishFor(RoutingContext ctx, Digest recipe, Function<Flags.Built, SlipwayEvent> command) {
        ctx.vertx().executeBlocking(() -> {
            Flags current = flags.read(recipe).flags();
            if (current.built() == null) {
                return new Outcome(null, "recipe " + recipe + " has no verified build in this store; build it first");
            }
            if (current.revoked() != null) {
                return new Outcome(null, "recipe " + recipe + " was revoked (" + current.revoked().reason() + ")");
            }
            Event<?> event = Event.of("/cas-service/flags-api", command.apply(current.built()));
            // Bounded by the command channel's producer settings (20 s for delivery); the minute is a backstop.
            commands.publish(event).await().atMost(Duration.ofMinutes(1));
            return new Outcome(event.id(), null);
        }, false).onSuccess(outcome -> {
            if (outcome.conflict() != null) {
                fail(ctx, 409, outcome.conflict());
            } else {
                ctx.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(new JsonObject().put("command", outcome.commandId()).encode());
            }
        }).onFailure(error -> fail(ctx, 503, "cannot publish the command: " + error.getMessage()
                + "; is Kafka reachable (kafka.bootstrap.servers)?"));
    }
}
