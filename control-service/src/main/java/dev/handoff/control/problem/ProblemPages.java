package dev.handoff.control.problem;

import dev.handoff.control.security.PublicEndpoint;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The pages a problem's {@code type} points to ({@code /problems/<reason>}), so that the URI is one a person can open:
 * the reason's title and when it happens. The problem itself carries what failed and what to do.
 */
@Path("/problems")
@PublicEndpoint("static descriptions of the API's error reasons; nothing about any deployment, host or token")
public class ProblemPages {
    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response index() {
        StringBuilder list = new StringBuilder("<ul>\n");
        for (ProblemTypes.Type type : ProblemTypes.all()) {
            list.append("<li><a href=\"/problems/")
                    .append(type.reason())
                    .append("\"><code>")
                    .append(type.reason())
                    .append("</code></a>: ")
                    .append(escape(type.title()))
                    .append("</li>\n");
        }
        return page(
                "Handoff API problem types",
                "<p>Every error of the Handoff control API is an RFC 9457 problem detail"
                        + " (<code>application/problem+json</code>) with <code>type</code>, <code>title</code>,"
                        + " <code>status</code>, <code>detail</code>, <code>instance</code>, <code>reason</code> and"
                        + " <code>fix</code>. Its <code>type</code> is <code>/problems/&lt;reason&gt;</code>:</p>\n"
                        + list
                        + "</ul>\n");
    }

    @GET
    @Path("/{reason}")
    @Produces(MediaType.TEXT_HTML)
    public Response reason(@PathParam("reason") String reason) {
        return ProblemTypes.find(reason)
                .map(type -> page(
                        type.title(),
                        "<p><code>reason: " + type.reason() + "</code></p>\n<p>" + escape(type.about()) + "</p>\n"
                                + "<p>The problem's <code>detail</code> says what failed in your request and"
                                + " <code>fix</code> what to do. <a href=\"/problems\">Every problem type</a>.</p>\n"))
                .orElseGet(() -> Problem.of(
                                404,
                                "unknown-route",
                                "no problem type '" + reason + "'",
                                "see the list of problem types at /problems")
                        .toResponse());
    }

    private static Response page(String title, String body) {
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title></head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body></html>\n";
        return Response.ok(html, MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
                .header("Content-Security-Policy", "default-src 'none'")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
