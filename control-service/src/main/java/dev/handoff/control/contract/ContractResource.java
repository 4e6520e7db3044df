package dev.handoff.control.contract;

import dev.handoff.common.asyncapi.AsyncApiGenerator;
import dev.handoff.common.event.EventType;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Serves the event contract (whatever a client accepts: JSON Schema tools ask for {@code application/json}, and a 404
 * is plain text): {@code /asyncapi.yaml}, generated when {@code common} was built, and
 * {@code /schemas/<short name>/v<N>.json}, the schemas events name in {@code ce_dataschema} when their producer has
 * {@code HANDOFF_SCHEMA_BASE_URL} pointing here. Only names of the contract are looked up, on the classpath; nothing
 * of the request reaches a file path.
 */
@Path("/")
public class ContractResource {
    /** The media type of a JSON Schema document. */
    public static final String SCHEMA_JSON = "application/schema+json";

    public static final String YAML = "application/yaml";

    private static final Pattern VERSION_FILE = Pattern.compile("v([1-9][0-9]{0,3})\\.json");
    private static final CacheControl HOUR = CacheControl.valueOf("public, max-age=3600");

    @GET
    @Path("asyncapi.yaml")
    @Produces({YAML, MediaType.WILDCARD})
    @Operation(summary = "The AsyncAPI 3.0 document of the event contract (no token needed)")
    public Response asyncApi() {
        return resource(AsyncApiGenerator.RESOURCE)
                .map(bytes -> Response.ok(bytes, YAML + ";charset=utf-8")
                        .cacheControl(HOUR)
                        .build())
                .orElseGet(() -> notFound("this build of control-service has no asyncapi.yaml: its handoff-common jar"
                        + " was built without the process-classes phase; rebuild it with ./mvnw -B package"));
    }

    @GET
    @Path("schemas/{type}/{file}")
    @Produces({SCHEMA_JSON, MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Operation(summary = "The JSON Schema of one version of an event type, e.g. /schemas/commit.pushed/v1.json")
    public Response schema(@PathParam("type") String name, @PathParam("file") String file) {
        Optional<EventType> type = EventType.byType("handoff." + name);
        if (type.isEmpty()) {
            return notFound("'" + shown(name) + "' is not an event type of the Handoff contract; known types: "
                    + Arrays.stream(EventType.values())
                            .map(EventType::shortName)
                            .collect(Collectors.joining(", ")));
        }
        Matcher m = VERSION_FILE.matcher(file);
        Optional<byte[]> schema =
                m.matches() ? resource(type.get().schemaResource(Integer.parseInt(m.group(1)))) : Optional.empty();
        return schema.map(bytes ->
                        Response.ok(bytes, SCHEMA_JSON).cacheControl(HOUR).build())
                .orElseGet(() -> notFound(type.get().type() + " has no schema '" + shown(file) + "'; this build has v1"
                        + " to v" + type.get().currentVersion() + ", e.g. /schemas/" + name + "/v"
                        + type.get().currentVersion() + ".json"));
    }

    private static Optional<byte[]> resource(String name) {
        try (InputStream in = ContractResource.class.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the classpath", e);
        }
    }

    private static Response notFound(String message) {
        return Response.status(Response.Status.NOT_FOUND)
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                .entity(message + "\n")
                .build();
    }

    /** A request's text, safe to echo: printable ASCII, at most 64 characters. */
    private static String shown(String value) {
        String printable = value.chars()
                .map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
    }
}
