package dev.handoff.control.ui;

import dev.handoff.common.event.EventType;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.control.api.ReplayViews.ReplayLink;
import dev.handoff.control.api.ReplayViews.ReplayView;
import dev.handoff.control.api.Views.DeploymentView;
import dev.handoff.control.api.Views.Page;
import dev.handoff.control.approval.ApprovalDecisions;
import dev.handoff.control.ledger.ApprovalQueries;
import dev.handoff.control.ledger.LedgerQueries;
import dev.handoff.control.ledger.LedgerQueries.Cursor;
import dev.handoff.control.ledger.LedgerQueries.DeploymentFilter;
import dev.handoff.control.ledger.ReplayLedger;
import dev.handoff.control.security.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The deployment history web page, rendered on the server ({@link Pages}, Qute templates): the deployments list with filters, and a
 * deployment as a timeline of its stages. Signing in with an API token opens a session (see {@link UiSessions});
 * pages follow the ledger live ({@link LiveUpdates}) instead of reloading.
 */
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class DeploymentPages {
    private static final Set<String> STATUSES = Set.of("running", "succeeded", "failed", "stale", "superseded");
    private static final int PAGE = 50;

    /**
     * A deployment in the list.
     *
     * @param id its id
     * @param host the host
     * @param repository the repository
     * @param commit the commit, shortened
     * @param firstStage where the chain started
     * @param status running, succeeded, failed, stale or superseded
     * @param result what ended it, or empty
     * @param startedAt when it started
     * @param duration how long it ran (or has been running)
     * @param replay whether a replay made it
     * @param steps its stages
     */
    public record Row(
            String id,
            String host,
            String repository,
            String commit,
            String firstStage,
            String status,
            String result,
            String startedAt,
            String duration,
            boolean replay,
            List<Timeline.Step> steps) {}

    /**
     * A replay link on the page.
     *
     * @param replayId the replay
     * @param deploymentId the deployment at the other end
     * @param requestedBy who asked, or empty when the ledger does not have the replay yet
     * @param requestedAt when, or empty
     * @param stage the stage replayed, or empty
     */
    public record Link(String replayId, String deploymentId, String requestedBy, String requestedAt, String stage) {}

    private final LedgerQueries ledger;
    private final ReplayLedger replays;
    private final UiSessions sessions;
    private final Pages pages;
    private final ApprovalDecisions decisions;

    public DeploymentPages(
            LedgerQueries ledger, ReplayLedger replays, UiSessions sessions, Pages pages, ApprovalDecisions decisions) {
        this.decisions = decisions;
        this.ledger = ledger;
        this.replays = replays;
        this.sessions = sessions;
        this.pages = pages;
    }

    @GET
    @Path("/login")
    @Operation(hidden = true)
    public Response loginForm() {
        return html("login", Map.of("error", ""));
    }

    @POST
    @Path("/login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Response login(@FormParam("token") String token, @Context UriInfo uri, @Context HttpHeaders headers) {
        Optional<String> session = sessions.signIn(token);
        if (session.isEmpty()) {
            return Response.status(Response.Status.UNAUTHORIZED)
                    .type(MediaType.TEXT_HTML_TYPE)
                    .entity(pages.render(
                            "pages/login",
                            Map.of(
                                    "error",
                                    "That token is not recognised. Use a token whose SHA-256 is in"
                                            + " HANDOFF_AUTH_TOKENS (the lab prints its operator token).")))
                    .build();
        }
        boolean secure = "https".equalsIgnoreCase(uri.getBaseUri().getScheme())
                || "https".equalsIgnoreCase(headers.getHeaderString("X-Forwarded-Proto"));
        NewCookie cookie = new NewCookie.Builder(UiSessions.COOKIE)
                .value(session.get())
                .path("/ui")
                .httpOnly(true)
                .secure(secure)
                .sameSite(NewCookie.SameSite.STRICT)
                .build();
        return Response.seeOther(URI.create("/ui")).cookie(cookie).build();
    }

    @POST
    @Path("/logout")
    @Operation(hidden = true)
    public Response logout(@CookieParam(UiSessions.COOKIE) String sessionId) {
        sessions.signOut(sessionId);
        NewCookie gone = new NewCookie.Builder(UiSessions.COOKIE)
                .value("")
                .path("/ui")
                .httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT)
                .maxAge(0)
                .build();
        return Response.seeOther(URI.create("/ui/login")).cookie(gone).build();
    }

    @GET
    @Operation(hidden = true)
    public Response list(
            @CookieParam(UiSessions.COOKIE) String sessionId,
            @QueryParam("host") String host,
            @QueryParam("repository") String repository,
            @QueryParam("status") String status,
            @QueryParam("before") String before,
            @HeaderParam(LiveUpdates.BY_ITSELF) String byItself)
            throws SQLException {
        Optional<UiSessions.Session> session =
                LiveUpdates.byItself(byItself) ? sessions.peek(sessionId) : sessions.find(sessionId);
        if (session.isEmpty()) {
            return toLogin();
        }
        String h = blankToNull(host);
        String r = blankToNull(repository);
        String s = blankToNull(status);
        String user = session.get().name();
        if (s != null && !STATUSES.contains(s)) {
            return html(
                    "list",
                    list(
                            user,
                            h,
                            r,
                            null,
                            List.of(),
                            "",
                            "Status must be running, succeeded, failed, stale or superseded."));
        }
        Cursor cursor = null;
        if (before != null && !before.isBlank()) {
            try {
                cursor = Cursor.decode(before);
            } catch (IllegalArgumentException e) {
                return html("list", list(user, h, r, s, List.of(), "", "That page link is broken; start again."));
            }
        }
        Page<DeploymentView> page = ledger.deployments(new DeploymentFilter(h, r, s), PAGE, cursor);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Row> rows = page.items().stream().map(d -> row(d, now)).toList();
        String next = page.next() == null ? "" : query(h, r, s, page.next());
        return html("list", list(user, h, r, s, rows, next, ""));
    }

    @GET
    @Path("/deployments/{id}")
    @Operation(hidden = true)
    public Response deployment(
            @CookieParam(UiSessions.COOKIE) String sessionId,
            @PathParam("id") String id,
            @HeaderParam(LiveUpdates.BY_ITSELF) String byItself)
            throws SQLException {
        Optional<UiSessions.Session> session =
                LiveUpdates.byItself(byItself) ? sessions.peek(sessionId) : sessions.find(sessionId);
        if (session.isEmpty()) {
            return toLogin();
        }
        String user = session.get().name();
        Optional<DeploymentView> found = ledger.deployment(id);
        if (found.isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND)
                    .type(MediaType.TEXT_HTML_TYPE)
                    .entity(pages.render("pages/missing", Map.of("user", user, "id", id)))
                    .build();
        }
        DeploymentView d = found.get();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Link replayOf = d.replayOf() == null ? null : link(d.replayOf());
        List<Link> replayedAs = new ArrayList<>();
        if (d.replays() != null) {
            for (ReplayLink l : d.replays()) {
                replayedAs.add(link(l));
            }
        }
        ApprovalForm approval = approvalForm(session.get(), d);
        Map<String, Object> data = new HashMap<>();
        data.put("user", user);
        data.put("d", row(d, now));
        data.put("steps", Timeline.of(d, now));
        data.put("replayOf", replayOf);
        data.put("replays", replayedAs);
        data.put("approval", approval);
        data.put(
                "replayForms",
                session.get().role().allows(PageActions.REPLAY_ROLE)
                        ? ReplayForms.of(
                                d, session.get().csrf(), UUID.randomUUID().toString())
                        : Map.of());
        data.put("live", LiveUpdates.streamOfDeployment(id));
        return html("deployment", data);
    }

    /**
     * A plan held for an operator's decision, as the page shows it: the stage, each planned change (its address and
     * actions), and the form's token. Null when nothing waits or the person signed in may not decide.
     */
    private ApprovalForm approvalForm(UiSessions.Session session, DeploymentView d) throws SQLException {
        if (!session.role().allows(Role.OPERATOR)) {
            return null;
        }
        Optional<ApprovalQueries.PendingRequest> waiting = decisions.waiting(d.id());
        if (waiting.isEmpty()) {
            return null;
        }
        List<String> changes = new ArrayList<>();
        d.events().stream()
                .filter(e -> e.type().equals(EventType.APPROVAL_REQUESTED.type()))
                .reduce((first, second) -> second)
                .ifPresent(e -> e.data().path("changes").forEach(c -> {
                    List<String> actions = new ArrayList<>();
                    c.path("actions").forEach(a -> actions.add(a.asText()));
                    changes.add(c.path("stack").asText() + ": "
                            + c.path("address").asText() + " — " + String.join(", ", actions));
                }));
        return new ApprovalForm(waiting.get().stage(), changes, session.csrf());
    }

    /** A held plan and the form to decide it. */
    public record ApprovalForm(String stage, List<String> changes, String csrf) {}

    /**
     * An operator approves or rejects a held plan from the deployment's page. The form must carry the session's token
     * (a form another site makes the browser send has none) and the confirmation box; the decision goes the API's
     * way ({@link ApprovalDecisions}).
     */
    @POST
    @Path("/deployments/{id}/decision")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(hidden = true)
    public Response decide(
            @CookieParam(UiSessions.COOKIE) String sessionId,
            @PathParam("id") String id,
            @FormParam("csrf") String csrf,
            @FormParam("decision") String decision,
            @FormParam("comment") String comment,
            @FormParam("confirm") String confirm)
            throws SQLException, InvalidEventException {
        Optional<UiSessions.Session> session = sessions.find(sessionId);
        if (session.isEmpty()) {
            return toLogin();
        }
        String back = "/ui/deployments/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        String user = session.get().name();
        if (!session.get().role().allows(Role.OPERATOR)) {
            return notice(403, user, "Not allowed", "Only an operator token may approve or reject a plan.", "", back);
        }
        if (!UiSessions.formTokenMatches(session.get(), csrf)) {
            return notice(
                    403,
                    user,
                    "The form has expired",
                    "This form does not belong to your session, so nothing was decided.",
                    "Open the deployment's page again (sign in again if the page was opened before this version) and"
                            + " decide there.",
                    back);
        }
        if (!"yes".equals(confirm)) {
            return notice(
                    400,
                    user,
                    "Not confirmed",
                    "Nothing was decided: tick the box that confirms you have read the planned changes.",
                    "",
                    back);
        }
        ApprovalDecisions.Outcome outcome =
                decisions.decide(id, decision, comment == null || comment.isBlank() ? null : comment.trim(), user);
        if (outcome instanceof ApprovalDecisions.Decided) {
            return Response.seeOther(URI.create(back)).build();
        }
        if (outcome instanceof ApprovalDecisions.Invalid i) {
            return notice(400, user, "Not decided", i.error(), i.fix(), back);
        }
        if (outcome instanceof ApprovalDecisions.NoRequest n) {
            return notice(404, user, "Not decided", n.error(), n.fix(), back);
        }
        if (outcome instanceof ApprovalDecisions.NotWaiting w) {
            return notice(409, user, "Already decided", w.error(), w.fix(), back);
        }
        ApprovalDecisions.Unavailable u = (ApprovalDecisions.Unavailable) outcome;
        return notice(503, user, "Not decided", u.error(), u.fix(), back);
    }

    private Link link(ReplayLink l) throws SQLException {
        Optional<ReplayView> replay = replays.replay(l.replayId());
        return new Link(
                l.replayId(),
                l.deploymentId() == null ? "" : l.deploymentId(),
                replay.map(ReplayView::requestedBy).orElse(""),
                replay.map(r -> Timeline.time(r.requestedAt())).orElse(""),
                replay.map(ReplayView::stage).orElse(""));
    }

    private static Row row(DeploymentView d, OffsetDateTime now) {
        OffsetDateTime end =
                d.finishedAt() != null ? d.finishedAt() : "running".equals(d.status()) ? now : d.updatedAt();
        String duration = d.startedAt() == null || end == null
                ? ""
                : Timeline.duration(Duration.between(d.startedAt(), end).toMillis());
        return new Row(
                d.id(),
                d.host(),
                orEmpty(d.repository()),
                d.commit() == null
                        ? ""
                        : d.commit().substring(0, Math.min(12, d.commit().length())),
                orEmpty(d.firstStage()),
                d.status(),
                orEmpty(d.result()),
                Timeline.time(d.startedAt()),
                duration,
                d.replayOf() != null,
                Timeline.of(d, now));
    }

    private static Response toLogin() {
        return Response.seeOther(URI.create("/ui/login")).build();
    }

    private static Map<String, Object> list(
            String user,
            String host,
            String repository,
            String status,
            List<Row> rows,
            String nextQuery,
            String error) {
        Map<String, Object> data = new HashMap<>();
        data.put("user", user);
        data.put("host", orEmpty(host));
        data.put("repository", orEmpty(repository));
        data.put("status", orEmpty(status));
        data.put("rows", rows);
        data.put("nextQuery", nextQuery);
        data.put("error", error);
        data.put("live", LiveUpdates.streamOfList(host));
        return data;
    }

    private Response html(String page, Map<String, Object> data) {
        return pages.html(page, data);
    }

    private Response notice(int status, String user, String heading, String message, String fix, String back) {
        return pages.notice(status, user, heading, message, fix, back);
    }

    private static String query(String host, String repository, String status, String before) {
        StringBuilder q = new StringBuilder();
        append(q, "host", host);
        append(q, "repository", repository);
        append(q, "status", status);
        append(q, "before", before);
        return q.toString();
    }

    private static void append(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append(q.length() == 0 ? "" : "&")
                    .append(name)
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
