package dev.handoff.control.ui;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.control.api.Views.DeploymentView;
import dev.handoff.control.fleet.Fleet;
import dev.handoff.control.fleet.HostView;
import dev.handoff.control.ledger.HostStateQueries;
import dev.handoff.control.ledger.HostStateQueries.HostEvent;
import dev.handoff.control.ledger.HostTriggers;
import dev.handoff.control.ledger.LedgerQueries;
import dev.handoff.control.ledger.LedgerQueries.DeploymentFilter;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The hosts of handoff.yaml as pages: the list, and per host what it runs now (each stage's newest run, the commit of
 * each of its repositories, its NixOS generation, drift reports, the newest verdict of each recovery contract), with
 * the redeploy form for operators. A host name is checked against handoff.yaml before the ledger is asked.
 */
// under /ui as the other page classes: JAX-RS picks one class by its path before it looks at methods
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class HostPages {
    /**
     * A host in the list.
     *
     * @param name its name
     * @param role edge or control
     * @param repositories its repositories
     * @param lastStatus its newest deployment's status, or empty
     * @param lastStarted when that started
     * @param lastId that deployment
     */
    public record HostRow(
            String name,
            String role,
            List<String> repositories,
            String lastStatus,
            String lastStarted,
            String lastId) {}

    /**
     * The redeploy form of a host page.
     *
     * @param stages the stages to choose from
     * @param defaultStage the stage the host's newest deployment started at, or empty
     * @param csrf the session's form token
     * @param attempt a fresh idempotency key: the same form sent twice redeploys once
     */
    public record RedeployForm(List<String> stages, String defaultStage, String csrf, String attempt) {}

    private final Inventory inventory;
    private final UiSessions sessions;
    private final Pages pages;
    private final LedgerQueries ledger;
    private final HostStateQueries state;
    private final HostTriggers triggers;
    private final Fleet fleet;

    public HostPages(
            Inventory inventory,
            UiSessions sessions,
            Pages pages,
            LedgerQueries ledger,
            HostStateQueries state,
            HostTriggers triggers,
            Fleet fleet) {
        this.triggers = triggers;
        this.fleet = fleet;
        this.inventory = inventory;
        this.sessions = sessions;
        this.pages = pages;
        this.ledger = ledger;
        this.state = state;
    }

    @GET
    @Path("/hosts")
    @Operation(hidden = true)
    public Response list(
            @CookieParam(UiSessions.COOKIE) String sessionId, @HeaderParam(LiveUpdates.BY_ITSELF) String byItself)
            throws SQLException {
        Optional<UiSessions.Session> session =
                LiveUpdates.byItself(byItself) ? sessions.peek(sessionId) : sessions.find(sessionId);
        if (session.isEmpty()) {
            return Response.seeOther(URI.create("/ui/login")).build();
        }
        List<HostRow> rows = new ArrayList<>();
        for (Inventory.Host h : inventory.hosts().values()) {
            List<DeploymentView> last = ledger.deployments(new DeploymentFilter(h.name(), null, null), 1, null)
                    .items();
            rows.add(new HostRow(
                    h.name(),
                    h.role().name().toLowerCase(Locale.ROOT),
                    h.repositories(),
                    last.isEmpty() ? "" : last.get(0).status(),
                    last.isEmpty() ? "" : Timeline.time(last.get(0).startedAt()),
                    last.isEmpty() ? "" : last.get(0).id()));
        }
        Map<String, Object> data = new HashMap<>();
        data.put("user", session.get().name());
        data.put("hosts", rows);
        data.put("live", LiveUpdates.streamOfList(null));
        return pages.html("hosts", data);
    }

    @GET
    @Path("/hosts/{host}")
    @Operation(hidden = true)
    public Response host(
            @CookieParam(UiSessions.COOKIE) String sessionId,
            @PathParam("host") String host,
            @HeaderParam(LiveUpdates.BY_ITSELF) String byItself)
            throws SQLException {
        Optional<UiSessions.Session> session =
                LiveUpdates.byItself(byItself) ? sessions.peek(sessionId) : sessions.find(sessionId);
        if (session.isEmpty()) {
            return Response.seeOther(URI.create("/ui/login")).build();
        }
        String user = session.get().name();
        Inventory.Host h = inventory.hosts().get(host);
        if (h == null) {
            return pages.notice(
                    404,
                    user,
                    "No host " + host,
                    "Host " + host + " is not in handoff.yaml, so Handoff deploys nothing to it.",
                    "Open one of handoff.yaml's hosts ("
                            + String.join(", ", inventory.hosts().keySet())
                            + "), or add the host to handoff.yaml and restart control-service.",
                    "/ui/hosts");
        }
        Map<String, HostStateQueries.StageRun> runs = state.lastRunPerStage(host);
        List<HostState.StageLine> stages = new ArrayList<>();
        for (Stage s : Stage.values()) {
            stages.add(HostState.stage(s.id(), runs.get(s.id())));
        }
        List<HostState.RepositoryLine> repositories = new ArrayList<>();
        java.util.Map<String, HostView.RepositoryState> git = new java.util.HashMap<>();
        fleet.repositories(h).forEach(r -> git.put(r.repository(), r));
        for (String repository : h.repositories()) {
            Optional<LedgerQueries.DeployedCommit> c = ledger.lastDeployment(repository, host);
            repositories.add(HostState.repository(
                    repository,
                    c.map(LedgerQueries.DeployedCommit::commit).orElse(null),
                    c.map(LedgerQueries.DeployedCommit::at).orElse(null),
                    git.get(repository)));
        }
        List<HostState.DriftLine> drift = new ArrayList<>();
        for (HostState.DriftSource source : HostState.DRIFT_SOURCES) {
            Optional<HostEvent> report =
                    state.newest(host, source.type(), source.reason() == null ? null : "reason", source.reason());
            if (report.isPresent()) {
                HostState.drift(source, report, state.newest(host, source.clearedBy(), null, null))
                        .ifPresent(drift::add);
            }
        }
        Optional<HostEvent> newestFailure = state.newest(host, EventType.BACKUP_FAILED.type(), null, null);
        List<HostState.BackupLine> backups = new ArrayList<>();
        for (String contract : h.backups()) {
            backups.add(HostState.backup(
                    contract,
                    state.newest(host, EventType.BACKUP_COMPLETED.type(), "contract", contract),
                    newestFailure));
        }
        Map<String, Object> data = new HashMap<>();
        data.put("user", user);
        data.put("host", host);
        data.put("role", h.role().name().toLowerCase(Locale.ROOT));
        data.put("stages", stages);
        data.put("repositories", repositories);
        data.put(
                "generation",
                HostState.generation(state.newest(host, EventType.CONVERGENCE_COMPLETED.type(), null, null))
                        .orElse(null));
        data.put("drift", drift);
        data.put("backups", backups);
        data.put("redeploy", redeployForm(session.get(), host));
        data.put("live", LiveUpdates.streamOfHost(host));
        return pages.html("host", data);
    }

    private RedeployForm redeployForm(UiSessions.Session session, String host) throws SQLException {
        if (!session.role().allows(PageActions.REDEPLOY_ROLE)) {
            return null;
        }
        return new RedeployForm(
                Arrays.stream(Stage.values()).map(Stage::id).toList(),
                triggers.lastFirstStage(host).orElse(""),
                session.csrf(),
                UUID.randomUUID().toString());
    }
}
