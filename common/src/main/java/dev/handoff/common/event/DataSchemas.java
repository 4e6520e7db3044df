package dev.handoff.common.event;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the version out of a {@code dataschema} URI ({@code …/v<N>}). */
public final class DataSchemas {
    private static final Pattern VERSION = Pattern.compile("/v([1-9][0-9]{0,3})$");

    private DataSchemas() {}

    /** The version, or -1 when the URI does not end in {@code /v<N>}. */
    public static int version(String dataSchema) {
        if (dataSchema == null) {
            return -1;
        }
        Matcher m = VERSION.matcher(dataSchema);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
