package dev.handoff.common.event;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * What producers write in {@code ce_dataschema}. By default the schema's {@code $id}
 * ({@code https://handoff.dev/schemas/<name>/v<N>}), which names the schema but is not served anywhere; with a base
 * URL ({@code handoff.schema-base-url}, e.g. control-service's {@code http://localhost:8080/schemas/}) the URL of the
 * copy control-service serves, {@code <base><name>/v<N>.json}, so that a consumer that follows the URI gets the
 * schema. Readers accept both forms with any base ({@link DataSchemas}).
 */
public final class SchemaLocations {
    /** The config key of the base URL; its environment variable is {@code HANDOFF_SCHEMA_BASE_URL}. */
    public static final String CONFIG_KEY = "handoff.schema-base-url";

    /** The schemas' own ids, the form of every record written before the schemas were served. */
    public static final SchemaLocations IDS = new SchemaLocations(null);

    private final String base;

    private SchemaLocations(String base) {
        this.base = base;
    }

    /**
     * The served copies under {@code baseUrl}, e.g. {@code http://localhost:8080/schemas/} (a missing trailing slash
     * is added).
     *
     * @throws IllegalArgumentException when {@code baseUrl} is not an absolute http(s) URL
     */
    public static SchemaLocations servedAt(String baseUrl) {
        String base = baseUrl.strip().endsWith("/") ? baseUrl.strip() : baseUrl.strip() + "/";
        try {
            URI uri = new URI(base);
            if (!uri.isAbsolute()
                    || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || uri.getQuery() != null
                    || uri.getFragment() != null) {
                throw new URISyntaxException(base, "not an absolute http(s) URL without query or fragment");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    CONFIG_KEY + " (HANDOFF_SCHEMA_BASE_URL) '" + baseUrl + "' is not an http(s) URL: " + e.getReason()
                            + "; set it to where control-service serves the schemas, e.g."
                            + " http://localhost:8080/schemas/, or leave it unset to write the schemas' ids");
        }
        return new SchemaLocations(base);
    }

    /** {@link #servedAt} the configured base, or {@link #IDS} when it is unset or blank. */
    public static SchemaLocations of(Optional<String> baseUrl) {
        return baseUrl.filter(b -> !b.isBlank()).map(SchemaLocations::servedAt).orElse(IDS);
    }

    /** The {@code dataschema} of a version of a type. */
    public String dataSchema(EventType type, int version) {
        return base == null ? type.dataSchema(version) : base + type.shortName() + "/v" + version + ".json";
    }

    @Override
    public String toString() {
        return base == null ? "schema ids (" + EventType.SCHEMA_BASE + "…)" : base;
    }
}
