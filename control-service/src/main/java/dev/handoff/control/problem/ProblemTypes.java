package dev.handoff.control.problem;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every reason the API answers with: its title (the same on every problem of the reason) and a sentence that explains
 * it, which the reason's page shows. A reason missing here still answers, titled with the HTTP status's phrase, so
 * that a new refusal never breaks an answer; list it here to give it a title and a page.
 */
public final class ProblemTypes {
    /**
     * One reason.
     *
     * @param reason the code
     * @param title short
     * @param about when it happens, for the reason's page
     */
    public record Type(String reason, String title, String about) {}

    private static final Map<String, Type> TYPES = new LinkedHashMap<>();

    static {
        // asking the API
        add("bad-limit", "Page size out of range", "limit is below 1 or above HANDOFF_LEDGER_MAX_PAGE_SIZE.");
        add("bad-cursor", "Unreadable page cursor", "before is not a 'next' cursor this API handed out.");
        add("bad-status", "Unknown deployment status", "status is not one a deployment can have.");
        add("bad-state", "Unknown host state", "state is not one the fleet view gives a host.");
        add(
                "offset-without-partition",
                "Offset without a partition",
                "fromOffset was given without topic and" + " partition: an offset counts within one partition.");
        add("unknown-deployment", "No such deployment", "the ledger holds no deployment with this id.");
        add(
                "unknown-replay",
                "No such replay",
                "the ledger holds no replay with this id (yet: a new one appears" + " within seconds).");
        add("unknown-host", "Host not in handoff.yaml", "the host is not one of the inventory's hosts.");
        add(
                "bad-fingerprint",
                "Not an SSH host key fingerprint",
                "a fingerprint is SHA256: and 43 base64" + " characters, as ssh-keygen -l prints it.");
        add("text-too-long", "Text too long", "a free-text field (reason, comment) is longer than the API keeps.");
        add("invalid-decision", "Not a decision", "an approval's decision is approve or reject.");
        add("no-approval-request", "No approval asked", "the deployment never asked for an approval.");
        add("not-waiting", "Not waiting for approval", "the stage was decided, timed out or finished already.");
        add(
                "kafka-unavailable",
                "Kafka unavailable",
                "Kafka could not be read or did not acknowledge in time;"
                        + " nothing, or with an Idempotency-Key nothing twice, was published. Retry later.");
        add("database-unavailable", "Database unavailable", "PostgreSQL could not be reached. Retry later.");
        // replays and redeploys
        add("malformed-request", "Malformed replay request", "a field is missing or negative.");
        add("unknown-stage", "Unknown stage", "the stage is not infra, secrets, converge, workload or backup.");
        add("not-an-input", "Topic is not an input of the stage", "the stage does not read this topic.");
        add("bad-host", "Not a host name", "host is not a DNS label.");
        add("unknown-partition", "No such partition", "the topic has no such partition.");
        add(
                "offset-out-of-range",
                "Offset out of range",
                "the offsets are outside what the partition holds now"
                        + " (retention may have deleted old records), or toOffset is below fromOffset.");
        add("too-many-records", "Too many records", "the range spans more offsets than HANDOFF_REPLAY_MAX_RECORDS.");
        add("nothing-to-replay", "Nothing to replay", "no record of the range triggers the stage.");
        add("no-deployment", "Host has no deployment", "no stage was given and the host has no deployment yet.");
        add("no-trigger", "No trigger of the stage", "the ledger holds no event that starts the stage for the host.");
        // tokens
        add("missing-token", "Bearer token missing", "the request has no Authorization header.");
        add("not-bearer", "Not a bearer token", "the Authorization header is not 'Bearer <token>'.");
        add("unknown-token", "Token not recognised", "no SHA-256 listed in HANDOFF_AUTH_TOKENS matches the token.");
        add("role-too-low", "Role too low", "the token's role (viewer) may not do this (operator).");
        add(
                "no-access-rule",
                "Endpoint declares no access rule",
                "a route without @RequiresRole or"
                        + " @PublicEndpoint is refused to everyone: a bug of control-service.");
        add(
                "too-many-failures",
                "Too many failed sign-ins",
                "this address sent too many unknown tokens within"
                        + " HANDOFF_AUTH_FAILURE_WINDOW; wait for Retry-After.");
        // what Quarkus refuses before a route runs
        add("too-large", "Body too large", "the request announces a body over quarkus.http.limits.max-body-size.");
        add("malformed-body", "Malformed request body", "the body is not JSON of the expected shape.");
        add("bad-parameter", "Bad parameter", "a path, query or header parameter has the wrong type.");
        add("unknown-route", "No such route", "no API route has this path.");
        add("method-not-allowed", "Method not allowed", "the route exists, but not with this HTTP method.");
        add("unsupported-media-type", "Unsupported media type", "the route reads application/json bodies.");
        add("not-acceptable", "Not acceptable", "the API answers application/json and application/problem+json.");
        add(
                "internal-error",
                "Internal error",
                "control-service failed; its log has the details under the id" + " the detail gives.");
    }

    private ProblemTypes() {}

    private static void add(String reason, String title, String about) {
        TYPES.put(reason, new Type(reason, title, about));
    }

    /** The reason's title, or the status's phrase for a reason not listed. */
    static String title(String reason, int status) {
        Type type = TYPES.get(reason);
        if (type != null) {
            return type.title();
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        return known == null ? "HTTP " + status : known.getReasonPhrase();
    }

    /** One listed reason. */
    public static Optional<Type> find(String reason) {
        return Optional.ofNullable(TYPES.get(reason));
    }

    /** Every listed reason, in the order above. */
    public static Iterable<Type> all() {
        return TYPES.values();
    }
}
