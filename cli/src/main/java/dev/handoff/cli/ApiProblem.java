package dev.handoff.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * An error answer of control-service, read from its RFC 9457 problem detail ({@code detail}, {@code fix},
 * {@code reason}); from the {@code {error, fix, reason}} of a server older than problem details; or, when a proxy in
 * front of it answered with a page of its own, from the first line of that page.
 *
 * @param reason the stable code, or empty
 * @param detail what failed, for a person
 * @param fix what to do, or empty
 */
record ApiProblem(String reason, String detail, String fix) {
    private static final int SNIPPET = 200;

    /** Reads the body of an answer with this status. */
    static ApiProblem read(int status, String body) {
        if (body == null || body.isBlank()) {
            return new ApiProblem("", "HTTP " + status + " with an empty body", "");
        }
        JsonNode json;
        try {
            json = ControlApi.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return new ApiProblem(
                    "",
                    "HTTP " + status + " that is not control-service's JSON (a proxy in front of it?): "
                            + snippet(body),
                    "");
        }
        String detail = text(json, "detail");
        if (detail.isEmpty()) {
            detail = text(json, "error");
        }
        if (detail.isEmpty()) {
            detail = text(json, "title");
        }
        return new ApiProblem(text(json, "reason"), detail.isEmpty() ? "HTTP " + status : detail, text(json, "fix"));
    }

    /** The detail, and the fix on a line of its own. */
    String said() {
        return detail + (fix.isEmpty() ? "" : "\n  fix: " + fix);
    }

    private static String text(JsonNode json, String member) {
        JsonNode value = json.path(member);
        return value.isValueNode() ? value.asText("") : "";
    }

    private static String snippet(String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() > SNIPPET ? oneLine.substring(0, SNIPPET) + "…" : oneLine;
    }
}
