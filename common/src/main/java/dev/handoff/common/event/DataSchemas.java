package dev.handoff.common.event;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the version out of a {@code dataschema} URI. Two forms name a version of a type's schema: the schema's
 * {@code $id}, {@code https://handoff.dev/schemas/<name>/v<N>} (every record written before the schemas were served
 * carries it), and the URL of a served copy, {@code <base>/<name>/v<N>.json} ({@link SchemaLocations}). The base is
 * not checked: events of another producer, or of a lab whose control-service listened elsewhere, carry their own.
 */
public final class DataSchemas {
    private static final Pattern VERSION = Pattern.compile("/v([1-9][0-9]{0,3})(\\.json)?$");

    private DataSchemas() {}

    /** The version, or -1 when the URI does not end in {@code /v<N>} or {@code /v<N>.json}. */
    public static int version(String dataSchema) {
        if (dataSchema == null) {
            return -1;
        }
        Matcher m = VERSION.matcher(dataSchema);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * The version of {@code type}'s schema that {@code dataSchema} names, or -1 when it is not an absolute URI whose
     * path ends in {@code /<name of type>/v<N>} or {@code /<name of type>/v<N>.json}.
     */
    public static int version(EventType type, String dataSchema) {
        int version = version(dataSchema);
        if (version < 1) {
            return -1;
        }
        URI uri;
        try {
            uri = new URI(dataSchema);
        } catch (URISyntaxException e) {
            return -1;
        }
        String path = uri.getPath();
        boolean named = uri.isAbsolute()
                && uri.getQuery() == null
                && uri.getFragment() == null
                && path != null
                && (path.endsWith("/" + type.shortName() + "/v" + version)
                        || path.endsWith("/" + type.shortName() + "/v" + version + ".json"));
        return named ? version : -1;
    }
}
