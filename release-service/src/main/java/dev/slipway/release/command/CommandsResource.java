package dev.slipway.release.command;

import static dev.slipway.release.api.Inputs.name;
import static dev.slipway.release.api.Inputs.text;

import dev.slipway.events.DeploymentSetEvent;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.command.ApprovalRequested;
import dev.slipway.events.command.WindowOverrideRequested;
import dev.slipway.events.command.HoldReleaseRequested;
import dev.slipway.events.command.HoldRequested;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RemoveHostRequested;
import dev.slipway.events.command.ResumeRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.messaging.CommandPublisher;
import dev.slipway.release.api.Digests;
import dev.slipway.release.api.Inputs;
import dev.slipway.release.api.ProblemException;
import dev.slipway.release.auth.TokenFilter;
import dev.slipway.release.projection.Projector;
import dev.slipway.release.readmodel.Deployable;
import dev.slipway.release.readmodel.DeploymentSet;
import dev.slipway.release.readmodel.Host;
import dev.slipway.release.readmodel.Rollout;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Operator decisions about a set. Each is checked against the read model (the set exists, the digest was
 * built for it, there is a rollout to pause or a version to go back to), then published as a command event on
 * {@code slipway.commands}: 202 with the command's id once the broker has it, and where to follow what becomes of
 * it ({@code /api/commands/<id>}: carried out, or refused and why). Needs an operator token; the token's name is
 * recorded as who asked.
 */
@Path("/api")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class CommandsResource {

    private static final String SOURCE = "/release-service/api";

    public record Promote(String digest, String channel) {
    }

    public record Revoke(String digest, String reason) {
    }

    /** For pause and roll back; the reason is optional for resume. */
    public record Reason(String reason) {
    }

    /** A named hold: until is ISO-8601 (PT30M), onExpiry {@code release} (the default) or {@code fail}. */
    public record Hold(String name, String until, String onExpiry, String reason) {
    }

    /** The longest hold: the set's log keeps a week of records, and a hold meant to outlast that is a freeze. */
    static final Duration LONGEST_HOLD = Duration.ofDays(7);

    /** What the API answers: the command event as published, and where to follow what becomes of it. */
    public record Accepted(String id, String type, String deploymentSet, Object command, String outcome) {
    }

    private final Mutiny.SessionFactory database;
    private final CommandPublisher commands;

    public CommandsResource(Mutiny.SessionFactory database, CommandPublisher commands) {
        this.database = database;
        this.commands = commands;
    }

    @POST
    @Path("/sets/{set}/promote")
    @Operation(summary = "Make a built recipe (or its artifact) deployable on a channel of the set")
    public Uni<Response> promote(@PathParam("set") String set, Promote body, @Context ContainerRequestContext request) {
        Promote promote = required(body, "{\"digest\": \"sha256:...\", \"channel\": \"production\"}");
        String digest = promote.digest();
        String channel = name(promote.channel(), "channel");
        return database.withSession(s -> knownSet(s, set)
                .chain(() -> Digests.built(s, digest, "digest"))
                .map(artifact -> {
                    if (artifact.deploymentSet != null && !artifact.deploymentSet.equals(set)) {
                        throw new ProblemException(409, digest + " was built for deployment set '"
                                + artifact.deploymentSet + "', not '" + set + "'");
                    }
                    if (artifact.rejectedReason != null) {
                        throw new ProblemException(409, "the store refused " + artifact.digest + ": "
                                + artifact.rejectedReason);
                    }
                    return artifact.recipe;
                })
                .call(recipe -> notRevoked(s, set, recipe)))
                .chain(recipe -> publish(new PromoteRequested(set, channel, recipe, who(request))));
    }

    @POST
    @Path("/sets/{set}/pause")
    @Operation(summary = "Hold the set: its rollout in progress, and any that starts before the resume, grants no "
            + "new slot")
    public Uni<Response> pause(@PathParam("set") String set, Reason body, @Context ContainerRequestContext request) {
        String reason = text(required(body, "{\"reason\": \"incident 4411\"}").reason(), "reason");
        return database.withSession(s -> knownSet(s, set).chain(() -> s.find(DeploymentSet.class, set))
                .chain(found -> Projector.latestRollout(s, set).map(latest -> {
                    if (found.paused()) {
                        throw new ProblemException(409, "set '" + set + "' is already paused by " + found.pausedBy
                                + " since " + found.pausedAt + " (" + found.pauseReason + "); resume it first");
                    }
                    if (latest == null) {
                        throw new ProblemException(409, "set '" + set + "' has had no rollout yet: nothing to pause");
                    }
                    return latest;
                })))
                .chain(latest -> publish(new PauseRequested(set, latest.id, who(request), reason)));
    }

    @POST
    @Path("/sets/{set}/resume")
    @Operation(summary = "Release the set's pause: its held rollout goes on")
    public Uni<Response> resume(@PathParam("set") String set, @Context ContainerRequestContext request) {
        return database.withSession(s -> knownSet(s, set).chain(() -> s.find(DeploymentSet.class, set))
                .chain(found -> Projector.latestRollout(s, set).map(latest -> {
                    if (!found.paused()) {
                        throw new ProblemException(409, "set '" + set + "' is not paused"
                                + (latest == null ? "" : " (latest rollout: " + latest.id + ", " + latest.status + ")"));
                    }
                    return latest;
                })))
                .chain(latest -> publish(new ResumeRequested(set, latest.id, who(request))));
    }

    @POST
    @Path("/sets/{set}/approve")
    @Operation(summary = "Let the set's latest rollout past its gate: the hosts after the canaries take the version")
    public Uni<Response> approve(@PathParam("set") String set, Reason body, @Context ContainerRequestContext request) {
        String reason = text(required(body, "{\"reason\": \"canary looks good\"}").reason(), "reason");
        return database.withSession(s -> knownSet(s, set).chain(() -> Projector.latestRollout(s, set)))
                .chain(latest -> {
                    if (latest == null || !(latest.is(Rollout.Status.RUNNING) || latest.is(Rollout.Status.PAUSED))) {
                        return conflict("set '" + set + "' has no rollout under way to approve"
                                + (latest == null ? "" : " (latest: " + latest.id + ", " + latest.status + ")"));
                    }
                    if (!latest.gated()) {
                        return conflict("rollout " + latest.id + " has no approval gate (its recipe's "
                                + "rollout.approvalWithin): nothing waits for an approval");
                    }
                    if (latest.approvedBy != null) {
                        return conflict("rollout " + latest.id + " was already approved by " + latest.approvedBy);
                    }
                    return publish(new ApprovalRequested(set, latest.id, who(request), reason, latest.gateBatch));
                });
    }

    @POST
    @Path("/sets/{set}/override-window")
    @Operation(summary = "Let the set's latest rollout go on outside its deployment windows (the recipe's "
            + "rollout.windows), with a reason for the audit trail")
    public Uni<Response> overrideWindow(@PathParam("set") String set, Reason body,
            @Context ContainerRequestContext request) {
        String reason = text(required(body, "{\"reason\": \"hotfix for incident 4411\"}").reason(), "reason");
        return database.withSession(s -> knownSet(s, set).chain(() -> Projector.latestRollout(s, set)))
                .chain(latest -> {
                    if (latest == null || !(latest.is(Rollout.Status.RUNNING) || latest.is(Rollout.Status.PAUSED))) {
                        return conflict("set '" + set + "' has no rollout under way whose windows could be overridden"
                                + (latest == null ? "" : " (latest: " + latest.id + ", " + latest.status + ")"));
                    }
                    if (latest.windows().isEmpty()) {
                        return conflict("rollout " + latest.id + " has no deployment windows: it may go on at any time");
                    }
                    if (latest.windowOverriddenBy != null) {
                        return conflict("rollout " + latest.id + "'s windows were already overridden by "
                                + latest.windowOverriddenBy);
                    }
                    return publish(new WindowOverrideRequested(set, latest.id, who(request), reason));
                });
    }

    @POST
    @Path("/sets/{set}/holds")
    @Operation(summary = "Place a named hold on the set (or renew it): no rollout grants a slot forward until it is "
            + "released or its deadline passes, which releases it or fails the rollout as onExpiry says; needs a "
            + "holder or operator token")
    public Uni<Response> hold(@PathParam("set") String set, Hold body, @Context ContainerRequestContext request) {
        Hold hold = required(body, "{\"name\": \"db-migration\", \"until\": \"PT30M\", \"onExpiry\": \"fail\", "
                + "\"reason\": \"schema 42\"}");
        String name = name(hold.name(), "name");
        Duration until = until(hold.until());
        String onExpiry = hold.onExpiry() == null ? HoldPlaced.RELEASE : hold.onExpiry();
        if (!onExpiry.equals(HoldPlaced.RELEASE) && !onExpiry.equals(HoldPlaced.FAIL)) {
            throw new ProblemException(400, "onExpiry must be \"release\" (the rollout goes on) or \"fail\" (the "
                    + "rollout in progress is aborted), not " + Inputs.quoted(onExpiry));
        }
        String reason = text(hold.reason(), "reason");
        return database.withSession(s -> knownSet(s, set))
                .chain(() -> publish(new HoldRequested(set, name, until, onExpiry, who(request), reason)));
    }

    @DELETE
    @Path("/sets/{set}/holds/{name}")
    @Operation(summary = "Release the set's named hold: a rollout held by nothing else goes on; needs a holder or "
            + "operator token")
    public Uni<Response> releaseHold(@PathParam("set") String set, @PathParam("name") String name,
            @Context ContainerRequestContext request) {
        name(name, "hold name");
        return database.withSession(s -> knownSet(s, set).chain(() -> Projector.holdsOf(s, set))).chain(holds -> {
            if (holds.stream().noneMatch(hold -> hold.name.equals(name))) {
                return conflict("set '" + set + "' has no hold named '" + name + "' in place; its holds: "
                        + (holds.isEmpty() ? "none" : String.join(", ", holds.stream().map(h -> h.name).toList())));
            }
            return publish(new HoldReleaseRequested(set, name, who(request)));
        });
    }

    private static Duration until(String text) {
        if (text == null) {
            throw new ProblemException(400, "until is required: how long the hold may last at most, ISO-8601 (PT30M)");
        }
        Duration until;
        try {
            until = Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new ProblemException(400, "until must be an ISO-8601 duration such as PT30M, not "
                    + Inputs.quoted(text));
        }
        if (until.isNegative() || until.isZero() || until.compareTo(LONGEST_HOLD) > 0) {
            throw new ProblemException(400, "until must be more than nothing and at most " + LONGEST_HOLD + ", not "
                    + until);
        }
        return until;
    }

    @POST
    @Path("/sets/{set}/rollback")
    @Operation(summary = "Abort the set's latest rollout: every host that switched goes back to its previous version")
    public Uni<Response> rollback(@PathParam("set") String set, Reason body, @Context ContainerRequestContext request) {
        String reason = text(required(body, "{\"reason\": \"errors up since 10:02\"}").reason(), "reason");
        return database.withSession(s -> knownSet(s, set).chain(() -> Projector.latestRollout(s, set))
                .chain(latest -> s.createSelectionQuery("from Host where deploymentSet = :set and previous is not null",
                                Host.class).setParameter("set", set).getResultList()
                        .map(withPrevious -> {
                            if (latest == null || withPrevious.isEmpty()) {
                                throw new ProblemException(409, "set '" + set + "' has no previous version to roll "
                                        + "back to: no host reports one");
                            }
                            if (latest.is(Rollout.Status.ABORTED) || latest.is(Rollout.Status.SUPERSEDED)) {
                                throw new ProblemException(409, "the latest rollout of '" + set + "' (" + latest.id
                                        + ") is already " + latest.status + "; promote the version to go back to");
                            }
                            return latest;
                        })))
                .chain(latest -> publish(new RollbackRequested(set, latest.id, who(request), reason)));
    }

    @POST
    @Path("/sets/{set}/revoke")
    @Operation(summary = "Revoke a recipe (or its artifact): no agent of the set installs it again")
    public Uni<Response> revoke(@PathParam("set") String set, Revoke body, @Context ContainerRequestContext request) {
        Revoke revoke = required(body, "{\"digest\": \"sha256:...\", \"reason\": \"CVE-2026-1234\"}");
        String reason = text(revoke.reason(), "reason");
        return database.withSession(s -> knownSet(s, set)
                .chain(() -> Digests.built(s, revoke.digest(), "digest")).map(artifact -> artifact.recipe))
                .chain(recipe -> publish(new RevokeRequested(set, recipe, who(request), reason)));
    }

    @POST
    @Path("/sets/{set}/hosts/{host}/remove")
    @Operation(summary = "Take a decommissioned host out of its set: rollouts stop waiting for it")
    public Uni<Response> removeHost(@PathParam("set") String set, @PathParam("host") String host, Reason body,
            @Context ContainerRequestContext request) {
        String reason = text(required(body, "{\"reason\": \"decommissioned\"}").reason(), "reason");
        return database.withSession(s -> knownSet(s, set).chain(() -> s.find(Host.class, host))).chain(found -> {
            if (found == null || !found.deploymentSet.equals(set) || !found.member) {
                return conflict("'" + host + "' is not a member of set '" + set + "'");
            }
            return publish(new RemoveHostRequested(set, host, who(request), reason));
        });
    }

    private Uni<Response> publish(SlipwayEvent command) {
        return commands.publish(Event.of(SOURCE, command))
                .onFailure().transform(e -> new ProblemException(503, "the command could not reach the broker ("
                        + e.getMessage() + "); nothing was sent: try again, or check kafka.bootstrap.servers"))
                .map(event -> {
                    String outcome = "/api/commands/" + event.id();
                    return Response.accepted(new Accepted(event.id(), event.type(), set(command), command, outcome))
                            .location(URI.create(outcome)).build();
                });
    }

    private static String set(SlipwayEvent command) {
        return ((DeploymentSetEvent) command).deploymentSet();
    }

    private static Uni<Void> knownSet(Mutiny.Session s, String set) {
        return s.find(DeploymentSet.class, set).chain(found -> found != null ? Uni.createFrom().voidItem()
                : s.createSelectionQuery("select name from DeploymentSet order by name", String.class).getResultList()
                        .map(known -> {
                            throw new ProblemException(404, "unknown deployment set '" + set + "'; known sets: "
                                    + (known.isEmpty() ? "none yet" : String.join(", ", known)));
                        }));
    }

    /** The store would refuse it, on the dead-letter topic where no operator looks: refuse it here. */
    private static Uni<Void> notRevoked(Mutiny.Session s, String set, String recipe) {
        return s.createSelectionQuery("from Deployable where deploymentSet = :set and recipe = :recipe "
                        + "and revokedAt is not null", Deployable.class)
                .setParameter("set", set).setParameter("recipe", recipe).setMaxResults(1).getResultList()
                .map(revoked -> {
                    if (!revoked.isEmpty()) {
                        throw new ProblemException(409, "recipe " + recipe + " was revoked by "
                                + revoked.get(0).revokedBy + " (" + revoked.get(0).revokeReason
                                + "): build and promote a new recipe instead");
                    }
                    return null;
                });
    }

    private static <T> Uni<T> conflict(String message) {
        return Uni.createFrom().failure(new ProblemException(409, message));
    }

    private static <T> T required(T body, String example) {
        if (body == null) {
            throw new ProblemException(400, "a JSON body is required, e.g. " + example);
        }
        return body;
    }

    private static String who(ContainerRequestContext request) {
        return "operator:" + request.getProperty(TokenFilter.TOKEN_NAME);
    }
}
