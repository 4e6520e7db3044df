package dev.handoff.common.inventory;

import java.util.List;

/** {@code handoff.yaml} is invalid; {@link #problems()} lists every problem with its line and field. */
public class InventoryException extends RuntimeException {
    private final List<String> problems;

    public InventoryException(String source, List<String> problems) {
        super(source + " is invalid (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  "
                + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code <file>:<line>: <field>: <what is wrong and what to do>}. */
    public List<String> problems() {
        return problems;
    }
}
