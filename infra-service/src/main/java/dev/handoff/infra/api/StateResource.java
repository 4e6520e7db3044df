package dev.handoff.infra.api;

import dev.handoff.infra.driver.StateArchive;
import dev.handoff.infra.run.StateRestore;
import dev.handoff.infra.stage.StageFailure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The explicit restore path of OpenTofu state: list the archives, and restore one after its checksum matched. Both
 * need an operator's bearer token.
 */
@Path("/api/state")
@Produces(MediaType.APPLICATION_JSON)
public class StateResource {
    private static final Logger LOG = Logger.getLogger(StateResource.class);

    private final StateArchive archives;
    private final StateRestore restores;
    private final OperatorTokens tokens;

    public StateResource(StateArchive archives, StateRestore restores, OperatorTokens tokens) {
        this.archives = archives;
        this.restores = restores;
        this.tokens = tokens;
    }

    /**
     * An error for a person.
     *
     * @param error what is wrong
     * @param fix what to do
     */
    public record ApiError(String error, String fix) {}

    /**
     * The body of a restore.
     *
     * @param archive the archive's file name, from {@code GET /api/state/archives}
     */
    public record RestoreRequest(String archive) {}

    /**
     * The archives.
     *
     * @param archives file names, newest first
     */
    public record ArchiveList(List<String> archives) {}

    @GET
    @Path("/archives")
    public Response list(@HeaderParam("Authorization") String authorization) throws IOException {
        if (tokens.operator(authorization).isEmpty()) {
            return unauthorized();
        }
        return Response.ok(new ArchiveList(archives.list())).build();
    }

    @POST
    @Path("/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response restore(@HeaderParam("Authorization") String authorization, RestoreRequest body)
            throws IOException, InterruptedException {
        Optional<String> operator = tokens.operator(authorization);
        if (operator.isEmpty()) {
            return unauthorized();
        }
        if (body == null || body.archive() == null || body.archive().isBlank()) {
            return error(Response.Status.BAD_REQUEST, "no archive named", "send {\"archive\": \"<name>\"}");
        }
        try {
            StateRestore.Restored restored = restores.restore(body.archive());
            LOG.infof(
                    "state restored by %s from %s (sha256 %s) for %s %s",
                    operator.get(), restored.archive(), restored.sha256(), restored.repository(), restored.stack());
            return Response.ok(restored).build();
        } catch (StateArchive.RestoreRefused e) {
            LOG.warnf("state restore of %s by %s refused: %s", body.archive(), operator.get(), e.getMessage());
            return error(
                    e.notFound() ? Response.Status.NOT_FOUND : Response.Status.CONFLICT,
                    e.getMessage(),
                    "list the archives with GET /api/state/archives");
        } catch (StageFailure e) {
            LOG.warnf(
                    "state restore of %s by %s failed (%s): %s",
                    body.archive(), operator.get(), e.reason(), e.getMessage());
            return error(
                    Response.Status.BAD_GATEWAY,
                    "the restore of " + body.archive() + " failed (" + e.reason() + "): " + e.getMessage(),
                    "nothing was written if tofu state push did not run; fix the cause and restore again");
        } catch (IOException | RuntimeException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Response unauthorized() {
        return error(
                Response.Status.UNAUTHORIZED,
                "an operator's bearer token is needed",
                "send 'Authorization: Bearer <operator token>' (a token listed in HANDOFF_AUTH_TOKENS with role"
                        + " operator)");
    }

    private static Response error(Response.Status status, String error, String fix) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(error, fix))
                .build();
    }
}
