package dev.handoff.control.ui;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateLocator.TemplateLocation;
import io.quarkus.qute.Variant;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
