package dev.handoff.infra.stage;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replaces sensitive values in text before it is logged or published. It learns the values from tofu's sensitive
 * outputs (and the state's); values shorter than four characters are not hunted, as they would mangle ordinary text.
 */
public final class Redactor {
    /** What a redacted value is replaced with. */
    public static final String MASK = "(sensitive value)";

    private static final int MIN_LENGTH = 4;

    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    /** Learns more sensitive values. */
    public void learn(Collection<String> values) {
        values.stream().filter(v -> v != null && v.length() >= MIN_LENGTH).forEach(secrets::add);
    }

    /** The text with every known sensitive value masked. */
    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        List<String> longestFirst = secrets.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String secret : longestFirst) {
            out = out.replace(secret, MASK);
        }
        return out;
    }
}
