package dev.handoff.control.ui;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateLocator.TemplateLocation;
import io.quarkus.qute.Variant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders the web page's Qute templates ({@code src/main/resources/templates/<id>.html}) with the Qute engine used
 * as a library. Every value written into a page is HTML-escaped; the templates hold no logic beyond ifs and loops.
 */
@ApplicationScoped
public class Pages {
    private static final Variant HTML = new Variant(Locale.ROOT, "text/html", "UTF-8");

    private final Engine engine = Engine.builder()
            .addDefaults()
            .addValueResolver(new ReflectionValueResolver())
            .addResultMapper(new HtmlEscaper(List.of("text/html")))
            .removeStandaloneLines(true)
            .addLocator(Pages::locate)
            .build();
    private final Map<String, Template> templates = new ConcurrentHashMap<>();

    /** Renders template {@code id} with {@code data}. */
    public String render(String id, Map<String, Object> data) {
        Template template = templates.computeIfAbsent(id, k -> {
            Template t = engine.getTemplate(k);
            if (t == null) {
                throw new IllegalStateException("no template templates/" + k + ".html on the class path");
            }
            return t;
        });
        return template.data(data).render();
    }

    /**
     * A page as an answer: never cached (it holds a session's form token), and only this origin's script (the live
     * updates, {@code /ui/live.js}) and server-sent events may run or connect.
     */
    public Response html(String page, Map<String, Object> data) {
        return Response.ok(render("pages/" + page, data), MediaType.TEXT_HTML_TYPE)
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header(
                        "Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self';"
                                + " form-action 'self'; frame-ancestors 'none'")
                .build();
    }

    /** A page that says why an action was not done and what to do, with a link back. */
    public Response notice(int status, String user, String heading, String message, String fix, String back) {
        Map<String, Object> data = new HashMap<>();
        data.put("user", user);
        data.put("heading", heading);
        data.put("message", message);
        data.put("fix", fix);
        data.put("back", back);
        return Response.fromResponse(html("notice", data)).status(status).build();
    }

    private static Optional<TemplateLocation> locate(String id) {
        String path = "templates/" + id + ".html";
        if (Pages.class.getClassLoader().getResource(path) == null) {
            return Optional.empty();
        }
        return Optional.of(new TemplateLocation() {
            @Override
            public Reader read() {
                InputStream in = Pages.class.getClassLoader().getResourceAsStream(path);
                if (in == null) {
                    throw new UncheckedIOException(new java.io.FileNotFoundException(path));
                }
                return new InputStreamReader(in, StandardCharsets.UTF_8);
            }

            @Override
            public Optional<Variant> getVariant() {
                return Optional.of(HTML);
            }
        });
    }
}
