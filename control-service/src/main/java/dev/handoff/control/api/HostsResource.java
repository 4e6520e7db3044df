package dev.handoff.control.api;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.HostKeyTrusted;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.control.api.ReplayViews.RedeployView;
import dev.handoff.control.fleet.Fleet;
import dev.handoff.control.fleet.HostView;
import dev.handoff.control.kafka.KafkaClients;
import dev.handoff.control.ledger.HostKeyLedger;
import dev.handoff.control.replay.HostRedeploy;
import dev.handoff.control.replay.ReplayRefused;
import dev.handoff.control.replay.ReplayService;
import dev.handoff.control.security.ApiAuthFilter;
import dev.handoff.control.security.RequiresRole;
import dev.handoff.control.security.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.logging.Logger;

/**
 * A host's SSH host keys: an operator trusts a host's key ({@code handoffctl hosts trust}), which publishes
 * {@code host-key.trusted} to the shared pin store every service reads; anyone with a token reads the history. And
 * an operator redeploys a host from a stage ({@code handoffctl redeploy}).
 */
@Path("/api/hosts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "SecurityScheme")
public class HostsResource {
    private static final Logger LOG = Logger.getLogger(HostsResource.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(15);
    private static final int MAX_REASON = 2000;
    /** The fleet view's largest page: each host costs a few ledger reads. */
    private static final int MAX_HOSTS = 500;

    private final Inventory inventory;
    private final HostKeyLedger ledger;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final HostRedeploy redeploy;
    private final Fleet fleet;

    public HostsResource(
            Inventory inventory,
            HostKeyLedger ledger,
            EventPublisher publisher,
            EventCodec codec,
            HostRedeploy redeploy,
            Fleet fleet) {
        this.inventory = inventory;
        this.ledger = ledger;
        this.publisher = publisher;
        this.codec = codec;
        this.redeploy = redeploy;
        this.fleet = fleet;
    }

    @GET
    @Operation(
            summary = "The fleet: each host desired against actual",
            description =
                    "The hosts of handoff.yaml by name, a page at a time: for each of its repositories the head of"
                            + " the deployed branch in Git (read with git ls-remote, at most 15 s old) against the commit"
                            + " deployed, the newest completed run of each stage, a drift no later completion cleared, and the"
                            + " newest verified backup of each contract. state: in-sync, behind, deploying, drifted or unknown;"
                            + " ?state= keeps the hosts in one of them. next: the 'after' of the next page, absent on the last.")
    public Response fleet(
            @QueryParam("limit") @Parameter(description = "hosts per page, default 100, at most 500") Integer limit,
            @QueryParam("after") @Parameter(description = "the host name the previous page's next gave") String after,
            @QueryParam("state") @Parameter(description = "in-sync, behind, deploying, drifted or unknown")
                    String state)
            throws SQLException {
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_HOSTS) {
            return ApiErrors.badLimit(size, MAX_HOSTS);
        }
        if (state != null && !Fleet.STATES.contains(state)) {
            return ApiErrors.badRequest(
                    "bad-state",
                    "state " + state + " is not a host state",
                    "use one of " + String.join(", ", Fleet.STATES));
        }
        List<String> names = new java.util.TreeSet<>(inventory.hosts().keySet())
                .stream().filter(h -> after == null || h.compareTo(after) > 0).toList();
        List<HostView> page = new java.util.ArrayList<>();
        String next = null;
        for (String name : names) {
            HostView view = fleet.host(name).orElseThrow();
            if (state != null && !view.state().equals(state)) {
                continue;
            }
            if (page.size() == size) {
                next = page.get(size - 1).host();
                break;
            }
            page.add(view);
        }
        return Response.ok(new Views.Page<>(page, next)).build();
    }

    @GET
    @Path("/{host}")
    @Operation(summary = "One host desired against actual", description = "As GET /api/hosts, for one host.")
    public Response host(@PathParam("host") String host) throws SQLException {
        return fleet.host(host)
                .map(view -> Response.ok(view).build())
                .orElseGet(() -> ApiErrors.notFound(
                        "unknown-host",
                        "host " + host + " is not in handoff.yaml",
                        "use a host name of handoff.yaml's hosts: "
                                + String.join(", ", inventory.hosts().keySet())));
    }

    /**
     * The body of a trust decision.
     *
     * @param fingerprint {@code SHA256:…} as {@code ssh-keygen -l} prints it
     * @param reason why, optional
     */
    public record TrustRequest(String fingerprint, String reason) {}

    /**
     * The body of a redeploy (optional).
     *
     * @param stage the stage to run again; absent = the stage the host's newest deployment started at
     */
    public record RedeployRequest(String stage) {}

    /**
     * The published decision.
     *
     * @param host the host
     * @param fingerprint the trusted key
     * @param eventId the id of the {@code host-key.trusted} event
     * @param overriddenBy the fingerprint handoff.yaml requires for the host, which wins over this decision, if any
     */
    public record TrustView(String host, String fingerprint, String eventId, String overriddenBy) {}

    /**
     * A host's key decisions.
     *
     * @param host the host
     * @param required the fingerprint handoff.yaml requires ({@code access.hostKey}), which wins, if any
     * @param decisions every decision, oldest first
     */
    public record KeysView(String host, String required, List<HostKeyLedger.Decision> decisions) {}

    @POST
    @Path("/{host}/trust")
    @RequiresRole(Role.OPERATOR)
    @Operation(
            summary = "Trust a host's SSH host key",
            description = "Body {\"fingerprint\": \"SHA256:…\", \"reason\": \"…\"}; the host must be in handoff.yaml."
                    + " Replaces the key every service checks the host against (unless handoff.yaml gives"
                    + " access.hostKey). Answers 202 once Kafka has the host-key.trusted event.")
    public Response trust(@PathParam("host") String host, TrustRequest body, @Context ContainerRequestContext request)
            throws InvalidEventException {
        if (!inventory.hosts().containsKey(host)) {
            return ApiErrors.notFound(
                    "unknown-host",
                    "host " + host + " is not in handoff.yaml",
                    "use a host name of handoff.yaml's hosts: "
                            + String.join(", ", inventory.hosts().keySet()));
        }
        if (body == null
                || body.fingerprint() == null
                || !HostKeyTrusted.FINGERPRINT.matcher(body.fingerprint()).matches()) {
            return ApiErrors.badRequest(
                    "bad-fingerprint",
                    "'" + (body == null ? null : body.fingerprint()) + "' is not an SSH host key fingerprint",
                    "send SHA256: and 43 base64 characters, as `ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub`"
                            + " prints it on the host's console");
        }
        if (body.reason() != null && body.reason().length() > MAX_REASON) {
            return ApiErrors.badRequest(
                    "text-too-long",
                    "the reason has " + body.reason().length() + " characters",
                    "keep it to " + MAX_REASON);
        }
        String caller = String.valueOf(request.getProperty(ApiAuthFilter.CALLER));
        String reason = body.reason() == null || body.reason().isBlank() ? null : body.reason();
        HostKeyTrusted trusted =
                new HostKeyTrusted(host, null, body.fingerprint(), null, HostKeyTrusted.OPERATOR, caller, reason);
        EventEnvelope event =
                codec.newEvent(EventType.HOST_KEY_TRUSTED, KafkaClients.SOURCE, host, null, null, trusted);
        try {
            publisher.publishAll(List.of(event), PUBLISH_TIMEOUT);
        } catch (EventPublisher.PublishException e) {
            return ApiErrors.kafkaUnavailable(e.getMessage(), "try again once Kafka is reachable");
        }
        LOG.infof("host key: %s trusted %s for %s", caller, body.fingerprint(), host);
        return Response.accepted(new TrustView(
                        host, body.fingerprint(), event.id(), required(host).orElse(null)))
                .build();
    }

    @GET
    @Path("/{host}/keys")
    @Operation(
            summary = "A host's SSH host key decisions",
            description = "Every first-bootstrap pin and operator decision, oldest first, the one in effect marked;"
                    + " required is handoff.yaml's access.hostKey, which wins over all of them.")
    public Response keys(@PathParam("host") String host) throws SQLException {
        if (!inventory.hosts().containsKey(host) && !host.startsWith(HostKeyTrusted.BUILD_HOST_PREFIX)) {
            return ApiErrors.notFound(
                    "unknown-host",
                    "host " + host + " is not in handoff.yaml",
                    "use a host name of handoff.yaml's hosts: "
                            + String.join(", ", inventory.hosts().keySet()));
        }
        return Response.ok(new KeysView(host, required(host).orElse(null), ledger.history(host)))
                .build();
    }

    private Optional<String> required(String host) {
        return Optional.ofNullable(inventory.hosts().get(host))
                .flatMap(Inventory.Host::access)
                .flatMap(Inventory.Access::requiredHostKey);
    }

    @POST
    @Path("/{host}/redeploy")
    @RequiresRole(Role.OPERATOR)
    @Operation(
            summary = "Redeploy a host from a stage",
            description = "Body {\"stage\": \"converge\"}, or {} for the stage the host's newest deployment started"
                    + " at. Finds the host's last trigger of the stage in the ledger (a commit.pushed of a"
                    + " repository the stage owns, or the previous stage's facts) and replays exactly that record for"
                    + " this host, as POST /api/replays would: a new deployment, linked to the original. 202 with the"
                    + " trigger, the new deploymentId and the replay; 404 unknown-host; 400 with a reason (no-trigger,"
                    + " no-deployment, unknown-stage, or a refused replay). The same Idempotency-Key again repeats the"
                    + " same redeploy.")
    public Response redeploy(
            @PathParam("host") String host,
            RedeployRequest body,
            @HeaderParam("Idempotency-Key")
                    @Parameter(description = "repeat the same redeploy (same ids) when retrying a request")
                    String idempotencyKey,
            @Context ContainerRequestContext request)
            throws SQLException {
        String caller = String.valueOf(request.getProperty(ApiAuthFilter.CALLER));
        try {
            RedeployView done = redeploy.redeploy(host, body == null ? null : body.stage(), caller, idempotencyKey);
            LOG.infof(
                    "redeploy: %s redeployed %s from %s: replay %s of %s[%d]@%d, new deployment %s",
                    caller,
                    host,
                    done.stage(),
                    done.replay().id(),
                    done.trigger().topic(),
                    done.trigger().partition(),
                    done.trigger().offset(),
                    done.deploymentId());
            return Response.accepted(done)
                    .location(URI.create("/api/deployments/" + done.deploymentId()))
                    .build();
        } catch (ReplayRefused e) {
            return ApiErrors.of(e.reason().equals("unknown-host") ? 404 : 400, e.reason(), e.getMessage(), e.fix());
        } catch (ReplayService.KafkaUnavailable e) {
            return ApiErrors.kafkaUnavailable(
                    e.getMessage(),
                    "retry later with the same Idempotency-Key; it repeats the same redeploy, not a second one");
        }
    }
}
