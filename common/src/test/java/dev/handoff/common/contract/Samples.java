package dev.handoff.common.contract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventType;
import dev.handoff.common.serde.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The sample payloads of the contract, as listed in {@code /samples/index.txt}. */
public final class Samples {
    public static final String INDEX = "/samples/index.txt";
    private static final Pattern PATH =
            Pattern.compile("^([a-z-]+\\.[a-z]+)/v([1-9][0-9]*)/([a-z0-9][a-z0-9._-]*)\\.json$");

    private Samples() {}

    /**
     * One sample payload.
     *
     * @param path relative to {@code /samples/}, e.g. {@code commit.pushed/v1/edge-cluster-infra-main.json}
     * @param type the event type named by the path
     * @param version the schema version named by the path
     */
    public record Sample(String path, EventType type, int version) {
        public JsonNode json() {
            return read("/samples/" + path);
        }

        /** The host of the sample, which is also the event's subject and Kafka key. */
        public String host() {
            JsonNode host = json().get("host");
            return host == null ? "forgejo-pi" : host.asText();
        }

        @Override
        public String toString() {
            return path;
        }
    }

    /** The lines of the index, blank lines left out. */
    public static List<String> indexLines() {
        try (InputStream in = Samples.class.getResourceAsStream(INDEX)) {
            if (in == null) {
                throw new IllegalStateException(INDEX + " is not on the classpath");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every sample of every version. */
    public static List<Sample> all() {
        return indexLines().stream().map(Samples::parse).toList();
    }

    /** The samples of one version of one type. */
    public static List<Sample> of(EventType type, int version) {
        return all().stream()
                .filter(s -> s.type() == type && s.version() == version)
                .toList();
    }

    /** A sample by its path relative to {@code /samples/}. */
    public static Sample get(String path) {
        return parse(path);
    }

    static Sample parse(String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "sample path '" + path + "' is not <short name>/v<N>/<lower-case name>.json");
        }
        EventType type = Arrays.stream(EventType.values())
                .filter(t -> t.shortName().equals(m.group(1)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "sample path '" + path + "' names no event type: '" + m.group(1) + "'"));
        return new Sample(path, type, Integer.parseInt(m.group(2)));
    }

    /** A JSON resource of the classpath. */
    public static JsonNode read(String resource) {
        try (InputStream in = Samples.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(resource + " is not on the classpath");
            }
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
