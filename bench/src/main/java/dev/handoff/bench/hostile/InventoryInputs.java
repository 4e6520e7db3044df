package dev.handoff.bench.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile {@code handoff.yaml} files: the classic documents, then seeded edits of a valid inventory (the bench's) —
 * nasty host and repository names, wrong types, paths, durations and numbers at their limits.
 */
public final class InventoryInputs {
    private static final List<String> FIELD_EDITS = List.of(
            "role: edge",
            "role: [edge]",
            "branch: main",
            "branch: {a: 1}",
            "address: cloud:publicIp",
            "region: eu-frankfurt-1");

    private InventoryInputs() {}

    /** A valid inventory: the one the bench gives control-service. */
    public static String valid() {
        try (InputStream in = InventoryInputs.class.getResourceAsStream("/handoff.yaml")) {
            if (in == null) {
                throw new IllegalStateException("handoff.yaml is missing from the bench's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} inputs (at least the classic ones), the same for the same seed. */
    public static List<Hostile<String>> generate(long seed, int count) {
        Random random = new Random(seed);
        String valid = valid();
        List<Hostile<String>> out = new ArrayList<>(Mutations.classicDocuments());
        out.add(new Hostile<>("valid", valid));
        out.add(new Hostile<>("duplicate top-level key", Mutations.duplicateKeyYaml(valid)));
        out.add(new Hostile<>("duplicate host", valid + "  cloud-edge-1:\n    role: edge\n"));
        out.add(new Hostile<>("anchors in inventory", valid.replace("role: edge", "role: &r edge") + "\n# *r\n"));
        out.add(new Hostile<>(
                "alias bomb inside hosts",
                valid.replace("hosts:\n", "hosts:\n" + Mutations.billionLaughs().replaceAll("(?m)^", "  "))));
        while (out.size() < count) {
            int kind = random.nextInt(4);
            String text;
            String label;
            switch (kind) {
                case 0 -> {
                    text = Mutations.mutate(valid, random);
                    label = "edited";
                }
                case 1 -> {
                    String nasty = Mutations.nasty(random);
                    text = valid.replace("cloud-edge-1", yamlString(nasty));
                    label = "host name " + LogCapture.shorten(nasty);
                }
                case 2 -> {
                    String nasty = Mutations.nasty(random);
                    text = valid.replace("ops/edge-cluster-infra", yamlString(nasty));
                    label = "repository name " + LogCapture.shorten(nasty);
                }
                default -> {
                    String field = FIELD_EDITS.get(random.nextInt(FIELD_EDITS.size()));
                    String key = field.substring(0, field.indexOf(':'));
                    String nasty = Mutations.nasty(random);
                    String replacement = switch (random.nextInt(4)) {
                        case 0 -> key + ": " + yamlString(nasty);
                        case 1 -> key + ": [" + yamlString(nasty) + "]";
                        case 2 -> key + ": {x: " + yamlString(nasty) + "}";
                        default -> key + ": " + random.nextLong();
                    };
                    text = valid.replace(field, replacement);
                    label = "field " + key + " wrong";
                }
            }
            out.add(new Hostile<>(label, text));
        }
        return out;
    }

    /** {@code s} as a double-quoted YAML scalar (escapes so that the document still parses; the value is hostile). */
    static String yamlString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
