package dev.handoff.lab;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/** A service's {@code /q/metrics} page as Prometheus scrapes it, for tests that read what a service exposes. */
public final class MetricsPage {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MetricsPage() {}

    /** The page at {@code uri}; anything but 200 is an error naming the answer. */
    public static String read(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> page = HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (page.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + page.statusCode() + ": " + page.body());
        }
        return page.body();
    }

    /** The sum of {@code name}'s samples whose labels include all of {@code labels} (e.g. {@code stage="infra"}). */
    public static double sum(String page, String name, String... labels) {
        return page.lines()
                .filter(l -> l.startsWith(name + "{") && Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(MetricsPage::value)
                .sum();
    }

    /**
     * The value of one sample line: the token after its labels. An OpenMetrics exemplar may follow it
     * ({@code … 1.0 # {trace_id="…",span_id="…"} 1.0 1796614520.963}): the stage's work runs in its deployment's
     * span, and Micrometer links the sample to that trace.
     */
    static double value(String line) {
        String sample = line.substring(line.lastIndexOf('}') < 0 ? 0 : line.indexOf('}') + 1)
                .trim();
        int exemplar = sample.indexOf(" #");
        if (exemplar >= 0) {
            sample = sample.substring(0, exemplar).trim();
        }
        int timestamp = sample.indexOf(' ');
        return Double.parseDouble(timestamp < 0 ? sample : sample.substring(0, timestamp));
    }
}
