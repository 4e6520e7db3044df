package dev.handoff.control.ui;

import dev.handoff.common.event.Stage;
import dev.handoff.control.api.HostsResource;
import dev.handoff.control.api.ReplayViews.RedeployView;
import dev.handoff.control.api.ReplayViews.ReplayView;
import dev.handoff.control.api.ReplaysResource;
import dev.handoff.control.api.Views.DeploymentView;
import dev.handoff.control.api.Views.EventView;
import dev.handoff.control.ledger.LedgerQueries;
import dev.handoff.control.replay.HostRedeploy;
import dev.handoff.control.replay.ReplayRefused;
import dev.handoff.control.replay.ReplayRequest;
import dev.handoff.control.replay.ReplayService;
import dev.handoff.control.security.AccessRules;
import dev.handoff.control.security.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * The pages' replay and redeploy forms. Each form must come from a live session, carry its session's form token (a
 * form another site makes the browser send has none) and the confirmation box, and the person must hold the role the
 * API's route needs, read from that route itself; the work goes through the API's own classes ({@link ReplayService},
 * {@link HostRedeploy}), so a page and {@code handoffctl} cannot differ. A refusal is a page with the API's reason and
 * fix; success goes to the new deployment's page.
 */
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class PageActions {
    private static final Logger LOG = Logger.getLogger(PageActions.class);
    /** The role {@code POST /api/replays} needs. */
    static final Role REPLAY_ROLE = apiRole(ReplaysResource.class, "replay");
    /** The role {@code POST /api/hosts/{host}/redeploy} needs. */
    static final Role REDEPLOY_ROLE = apiRole(HostsResource.class, "redeploy");

    private static final int MAX_ATTEMPT = 100;

    private final UiSessions sessions;
    private final Pages pages;
    private final LedgerQueries ledger;
    private final ReplayService replays;
    private final HostRedeploy redeploy;

    public PageActions(
            UiSessions sessions, Pages pages, LedgerQueries ledger, ReplayService replays, HostRedeploy redeploy) {
        this.sessions = sessions;
        this.pages = pages;
        this.ledger = ledger;
        this.replays = replays;
        this.redeploy = redeploy;
    }

    /** Runs a stage of a deployment again from the record that made it run there (the page's "Replay" form). */
    @POST
    @Path("/deployments/{id}/replay")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Response replay(
            @CookieParam(UiSessions.COOKIE) String sessionId,
            @PathParam("id") String id,
            @FormParam("csrf") String csrf,
            @FormParam("stage") String stage,
            @FormParam("event") String eventId,
            @FormParam("attempt") String attempt,
            @FormParam("confirm") String confirm)
            throws SQLException {
        String back = "/ui/deployments/" + encode(id);
        Optional<UiSessions.Session> session = sessions.find(sessionId);
        if (session.isEmpty()) {
            return Response.seeOther(URI.create("/ui/login")).build();
        }
        String user = session.get().name();
        Optional<Response> refused = checkForm(session.get(), REPLAY_ROLE, "replay a stage", csrf, confirm, back);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<DeploymentView> d = ledger.deployment(id);
        if (d.isEmpty()) {
            return pages.notice(
                    404,
                    user,
                    "Not replayed",
                    "The ledger has no deployment " + id + ".",
                    "Open the deployment from the list and replay from its page.",
                    "/ui");
        }
        Optional<Stage> s = Stage.byId(stage == null ? "" : stage);
        Optional<EventView> trigger =
                s.flatMap(x -> ReplayForms.trigger(d.get(), x)).filter(e -> e.id().equals(eventId));
        if (trigger.isEmpty()) {
            return pages.notice(
                    400,
                    user,
                    "Not replayed",
                    "Event " + eventId + " is not what made stage " + stage + " run in deployment " + id
                            + ", so nothing was replayed.",
                    "Use a Replay button of the deployment's page; it names the stage's trigger.",
                    back);
        }
        EventView t = trigger.get();
        try {
            ReplayView done = replays.replay(
                    new ReplayRequest(
                            s.get().id(),
                            t.topic(),
                            t.partition(),
                            t.offset(),
                            t.offset(),
                            d.get().host()),
                    user,
                    attempt(attempt));
            LOG.infof(
                    "replay from the page: %s ran %s of %s again from %s[%d]@%d, replay %s",
                    user, s.get().id(), id, t.topic(), t.partition(), t.offset(), done.id());
            return Response.seeOther(URI.create(
                            "/ui/deployments/" + encode(done.records().get(0).deploymentId())))
                    .build();
        } catch (ReplayRefused e) {
            return refusedPage(400, user, "Not replayed", e, back);
        } catch (ReplayService.KafkaUnavailable e) {
            return unavailable(user, "Not replayed", e, back);
        }
    }

    /** Redeploys a host from a stage, or from the stage its newest deployment started at (the host page's form). */
    @POST
    @Path("/hosts/{host}/redeploy")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Response redeploy(
            @CookieParam(UiSessions.COOKIE) String sessionId,
            @PathParam("host") String host,
            @FormParam("csrf") String csrf,
            @FormParam("stage") String stage,
            @FormParam("attempt") String attempt,
            @FormParam("confirm") String confirm)
            throws SQLException {
        String back = "/ui/hosts/" + encode(host);
        Optional<UiSessions.Session> session = sessions.find(sessionId);
        if (session.isEmpty()) {
            return Response.seeOther(URI.create("/ui/login")).build();
        }
        String user = session.get().name();
        Optional<Response> refused = checkForm(session.get(), REDEPLOY_ROLE, "redeploy a host", csrf, confirm, back);
        if (refused.isPresent()) {
            return refused.get();
        }
        try {
            RedeployView done = redeploy.redeploy(host, stage, user, attempt(attempt));
            LOG.infof(
                    "redeploy from the page: %s redeployed %s from %s, new deployment %s",
                    user, host, done.stage(), done.deploymentId());
            return Response.seeOther(URI.create("/ui/deployments/" + encode(done.deploymentId())))
                    .build();
        } catch (ReplayRefused e) {
            boolean unknownHost = e.reason().equals("unknown-host");
            return refusedPage(unknownHost ? 404 : 400, user, "Not redeployed", e, unknownHost ? "/ui/hosts" : back);
        } catch (ReplayService.KafkaUnavailable e) {
            return unavailable(user, "Not redeployed", e, back);
        }
    }

    /** The checks every action form passes before anything is done: role, then form token, then confirmation. */
    private Optional<Response> checkForm(
            UiSessions.Session session, Role needed, String what, String csrf, String confirm, String back) {
        String user = session.name();
        if (!session.role().allows(needed)) {
            return Optional.of(pages.notice(
                    403,
                    user,
                    "Not allowed",
                    "Only a token with the " + needed.name().toLowerCase(Locale.ROOT) + " role may " + what
                            + "; you are signed in as " + user + " ("
                            + session.role().name().toLowerCase(Locale.ROOT) + ").",
                    "Sign in with an operator token.",
                    back));
        }
        if (!UiSessions.formTokenMatches(session, csrf)) {
            return Optional.of(pages.notice(
                    403,
                    user,
                    "The form has expired",
                    "This form does not belong to your session, so nothing was done.",
                    "Open the page again (sign in again if it was opened before this version) and use its form.",
                    back));
        }
        if (!"yes".equals(confirm)) {
            return Optional.of(pages.notice(
                    400, user, "Not confirmed", "Nothing was done: tick the box that confirms the action.", "", back));
        }
        return Optional.empty();
    }

    private Response refusedPage(int status, String user, String heading, ReplayRefused e, String back) {
        return pages.notice(status, user, heading, e.getMessage() + " (" + e.reason() + ")", e.fix(), back);
    }

    private Response unavailable(String user, String heading, ReplayService.KafkaUnavailable e, String back) {
        return Response.fromResponse(pages.notice(
                        503,
                        user,
                        heading,
                        e.getMessage() + " (kafka-unavailable)",
                        "Send the same form again once Kafka is reachable: it repeats the same request, not a"
                                + " second one.",
                        back))
                .header("Retry-After", "10")
                .build();
    }

    /** The form's idempotency key, when it is one the page made (a UUID); otherwise none. */
    private static String attempt(String attempt) {
        return attempt == null || attempt.isBlank() || attempt.length() > MAX_ATTEMPT ? null : attempt;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The role an API route needs, read from its {@code @RequiresRole}, so that a page asks for the same. */
    static Role apiRole(Class<?> resource, String methodName) {
        Method method = Arrays.stream(resource.getDeclaredMethods())
                .filter(m -> m.getName().equals(methodName))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(resource.getSimpleName() + " has no " + methodName));
        AccessRules.Rule rule = AccessRules.of(resource, method)
                .orElseThrow(() ->
                        new IllegalStateException(resource.getSimpleName() + "." + methodName + " has no access rule"));
        if (rule instanceof AccessRules.Bearer b) {
            return b.role();
        }
        throw new IllegalStateException(resource.getSimpleName() + "." + methodName + " is public; a page action"
                + " that changes something must need a role");
    }
}
