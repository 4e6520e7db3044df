package dev.handoff.bench.hostile;

import dev.handoff.common.inventory.InventoryException;
import dev.handoff.common.inventory.InventoryLoader;
import java.util.List;
import java.util.Locale;

/**
 * {@code handoff.yaml} → {@link InventoryLoader#parse}: an {@link InventoryException} is a refusal; its reason is the
 * kind of its first problem (YAML syntax, duplicate key, unknown key, missing field, invalid value, …).
 */
public final class InventoryProbe implements Probe<String> {
    @Override
    public Verdict probe(String yaml) {
        try {
            InventoryLoader.parse("handoff.yaml", yaml);
            return Verdict.accepted();
        } catch (InventoryException e) {
            List<String> problems = e.problems();
            if (problems.isEmpty()) {
                return Verdict.refused("", e.getMessage());
            }
            return Verdict.refused("inventory-invalid: " + kind(problems.get(0)), e.getMessage());
        }
    }

    /** A coarse kind of a problem line, for counting. */
    static String kind(String problem) {
        String p = problem.toLowerCase(Locale.ROOT);
        if (p.contains("duplicate key")) {
            return "duplicate key";
        }
        if (p.contains("alias") || p.contains("anchor")) {
            return "aliases";
        }
        if (p.contains("not valid yaml")) {
            return "not valid YAML";
        }
        if (p.contains("empty")) {
            return "empty";
        }
        if (p.contains("unknown")) {
            return "unknown key";
        }
        if (p.contains("missing") || p.contains("is required") || p.contains("needs")) {
            return "missing field";
        }
        if (p.contains("must be a")
                || p.contains("is not a mapping")
                || p.contains("is not a list")
                || p.contains("not a string")
                || p.contains("mapping")
                || p.contains("list")) {
            return "wrong type";
        }
        return "invalid value";
    }
}
