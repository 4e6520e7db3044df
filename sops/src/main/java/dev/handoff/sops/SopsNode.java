package dev.handoff.sops;

import java.util.List;
import java.util.Optional;

/** A node of a SOPS document, in document order: a mapping, a list or a scalar leaf. */
public sealed interface SopsNode permits SopsNode.Branch, SopsNode.Sequence, SopsNode.Leaf {

    /** The 1-based line the node starts on, or 0 when the format does not say (JSON). */
    int line();

    /**
     * A mapping with its keys in document order.
     *
     * @param entries the key/value pairs, in order
     * @param line where it starts
     */
    record Branch(List<Entry> entries, int line) implements SopsNode {
        public Branch {
            entries = List.copyOf(entries);
        }

        /** The value under {@code key}, if present. */
        public Optional<SopsNode> get(String key) {
            return entries.stream()
                    .filter(e -> e.key().equals(key))
                    .map(Entry::value)
                    .findFirst();
        }
    }

    /**
     * One key of a mapping.
     *
     * @param key the key
     * @param value its value
     */
    record Entry(String key, SopsNode value) {}

    /**
     * A list. List indices are not part of a value's path in SOPS.
     *
     * @param items the items, in order
     * @param line where it starts
     */
    record Sequence(List<SopsNode> items, int line) implements SopsNode {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /** The type of a scalar as the format resolves it (YAML 1.2 core schema, JSON). */
    enum Kind {
        STRING,
        INT,
        FLOAT,
        BOOL,
        NULL
    }

    /**
     * A scalar. {@code toString} never shows the text: it may be a plaintext value.
     *
     * @param kind its type
     * @param text its text as written (for a string, the string)
     * @param line where it is
     */
    record Leaf(Kind kind, String text, int line) implements SopsNode {
        @Override
        public String toString() {
            return "Leaf[" + kind + ", line " + line + "]";
        }
    }
}
