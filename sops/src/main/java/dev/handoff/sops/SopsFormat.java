package dev.handoff.sops;

import java.util.Locale;
import java.util.Optional;

/** The SOPS file formats this codec reads, chosen by file name as {@code sops} does. */
public enum SopsFormat {
    YAML,
    JSON;

    /** The format of a file by its extension ({@code .yaml}/{@code .yml} or {@code .json}); empty for others. */
    public static Optional<SopsFormat> forPath(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return Optional.of(YAML);
        }
        if (lower.endsWith(".json")) {
            return Optional.of(JSON);
        }
        return Optional.empty();
    }
}
