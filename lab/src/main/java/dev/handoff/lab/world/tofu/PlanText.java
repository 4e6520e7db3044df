package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Plan.OutputChange;
import dev.handoff.lab.world.tofu.Plan.ResourceChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The human plan rendering of {@code internal/command/jsonformat/plan.go} without colours: the symbols legend, one
 * block per change ("will be created", "will be updated in-place", "has moved to", "will be imported", "will be
 * removed from the OpenTofu state but will not be destroyed", ...), the "Plan:" summary, "Changes to Outputs:", or "No
 * changes."; then the saved-plan note unless running in automation.
 */
final class PlanText {
    private PlanText() {}

    static String render(Plan plan, String planPath, boolean automation) {
        StringBuilder out = new StringBuilder();
        List<ResourceChange> changes = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        int importing = 0;
        boolean resourceActions = false;
        for (ResourceChange c : plan.resourceChanges) {
            if (c.noOp() && !c.moved() && c.importingId() == null) {
                continue;
            }
            changes.add(c);
            if (c.importingId() != null) {
                importing++;
            }
            if (!c.noOp()) {
                resourceActions = true;
                counts.merge(String.join(",", c.actions()), 1, Integer::sum);
            }
        }
        List<String> outputs = outputs(plan);
        if (changes.isEmpty() && outputs.isEmpty()) {
            out.append("\nNo changes. Your infrastructure matches the configuration.\n\n");
            out.append(Diagnostics.wordWrap(
                            "OpenTofu has compared your real infrastructure against your configuration and found no"
                                    + " differences, so no changes are needed.",
                            Diagnostics.COLUMNS))
                    .append('\n');
            return out.toString();
        }
        if (resourceActions) {
            out.append(Diagnostics.wordWrap(
                            "\nOpenTofu used the selected providers to generate the following execution plan. Resource"
                                    + " actions are indicated with the following symbols:",
                            Diagnostics.COLUMNS))
                    .append('\n');
            if (counts.containsKey("create")) {
                out.append("  + create\n");
            }
            if (counts.containsKey("update")) {
                out.append("  ~ update in-place\n");
            }
            if (counts.containsKey("delete")) {
                out.append("  - destroy\n");
            }
            if (counts.containsKey("delete,create")) {
                out.append("-/+ destroy and then create replacement\n");
            }
            if (counts.containsKey("create,delete")) {
                out.append("+/- create replacement and then destroy\n");
            }
            if (counts.containsKey("forget")) {
                out.append("  . forget\n");
            }
        }
        if (!changes.isEmpty()) {
            out.append("\nOpenTofu will perform the following actions:\n");
            for (ResourceChange c : changes) {
                out.append('\n').append(change(c)).append('\n');
            }
            int add = counts.getOrDefault("create", 0)
                    + counts.getOrDefault("delete,create", 0)
                    + counts.getOrDefault("create,delete", 0);
            int change = counts.getOrDefault("update", 0);
            int destroy = counts.getOrDefault("delete", 0)
                    + counts.getOrDefault("delete,create", 0)
                    + counts.getOrDefault("create,delete", 0);
            if (importing > 0) {
                out.append("\nPlan: ")
                        .append(importing)
                        .append(" to import, ")
                        .append(add)
                        .append(" to add, ")
                        .append(change)
                        .append(" to change, ")
                        .append(destroy)
                        .append(" to destroy.\n");
            } else {
                out.append("\nPlan: ")
                        .append(add)
                        .append(" to add, ")
                        .append(change)
                        .append(" to change, ")
                        .append(destroy)
                        .append(" to destroy.\n");
            }
        }
        if (!outputs.isEmpty()) {
            out.append("\nChanges to Outputs:\n")
                    .append(String.join("\n", outputs))
                    .append('\n');
            if (counts.isEmpty()) {
                out.append(Diagnostics.wordWrap(
                                "\nYou can apply this plan to save these new output values to the OpenTofu state,"
                                        + " without changing any real infrastructure.",
                                Diagnostics.COLUMNS))
                        .append('\n');
            }
        }
        if (!automation && plan.applyable()) {
            out.append(Diagnostics.horizontalRule()).append('\n');
            if (planPath == null) {
                out.append(Diagnostics.wordWrap(
                                "\nNote: You didn't use the -out option to save this plan, so OpenTofu can't guarantee to"
                                        + " take exactly these actions if you run \"tofu apply\" now.",
                                Diagnostics.COLUMNS))
                        .append('\n');
            } else {
                out.append(Diagnostics.wordWrap(
                                "\nSaved the plan to: " + planPath + "\n\nTo perform exactly these actions, run the"
                                        + " following command to apply:\n    tofu apply " + Json.quote(planPath),
                                Diagnostics.COLUMNS))
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static List<String> outputs(Plan plan) {
        List<String> lines = new ArrayList<>();
        int width = 0;
        for (OutputChange o : plan.outputChanges.values()) {
            if (!o.actions().equals(List.of("no-op"))) {
                width = Math.max(width, o.name().length());
            }
        }
        for (OutputChange o : plan.outputChanges.values()) {
            String a = String.join(",", o.actions());
            if (a.equals("no-op")) {
                continue;
            }
            String name = o.name() + " ".repeat(width - o.name().length());
            String value;
            switch (a) {
                case "create" -> value = o.sensitive() ? "(sensitive value)" : Values.human(o.after(), 4);
                case "delete" ->
                    value = (o.sensitive() ? "(sensitive value)" : Values.human(o.before(), 4)) + " -> null";
                default ->
                    value = o.sensitive()
                            ? "(sensitive value)"
                            : Values.human(o.before(), 4) + " -> " + Values.human(o.after(), 4);
            }
            lines.add("  " + symbol(a) + " " + name + " = " + value);
        }
        return lines;
    }

    private static String symbol(String actions) {
        return switch (actions) {
            case "create" -> "+";
            case "delete" -> "-";
            case "update" -> "~";
            case "delete,create" -> "-/+";
            case "create,delete" -> "+/-";
            case "forget" -> ".";
            default -> " ";
        };
    }

    private static String change(ResourceChange c) {
        StringBuilder b = new StringBuilder();
        String actions = String.join(",", c.actions());
        switch (actions) {
            case "create" -> b.append("  # ").append(c.address()).append(" will be created");
            case "update" -> b.append("  # ").append(c.address()).append(" will be updated in-place");
            case "delete" -> {
                b.append("  # ").append(c.address()).append(" will be destroyed");
                if ("delete_because_no_resource_config".equals(c.actionReason())) {
                    b.append("\n  # (because ").append(c.address()).append(" is not in configuration)");
                }
            }
            case "delete,create", "create,delete" ->
                b.append("  # ").append(c.address()).append(" must be replaced");
            case "forget" ->
                b.append("  # ")
                        .append(c.address())
                        .append(" will be removed from the OpenTofu state but will not be destroyed");
            default -> {
                if (c.moved()) {
                    b.append("  # ")
                            .append(c.previousAddress())
                            .append(" has moved to ")
                            .append(c.address());
                } else {
                    b.append("  # ").append(c.address()).append(" will be imported");
                }
            }
        }
        b.append('\n');
        if (c.moved() && !c.noOp()) {
            b.append("  # (moved from ").append(c.previousAddress()).append(")\n");
        }
        if (c.importingId() != null && !(c.noOp() && !c.moved())) {
            b.append("  # (imported from \"").append(c.importingId()).append("\")\n");
        }
        String symbol = symbol(actions);
        b.append(symbol.length() == 1 ? "  " + symbol : symbol)
                .append(" resource ")
                .append(Json.quote(c.type()))
                .append(' ')
                .append(Json.quote(c.name()))
                .append(" {\n");
        Set<String> sensitive = LabProvider.sensitive(c.type());
        String mode = switch (actions) {
            case "create" -> "create";
            case "delete" -> "delete";
            case "forget" -> "forget";
            case "delete,create", "create,delete" -> "update";
            default -> c.noOp() && c.importingId() != null ? "show" : c.noOp() ? "moved" : "update";
        };
        object(b, asMap(c.before()), asMap(c.after()), mode, 6, sensitive);
        b.append("    }");
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static boolean isBlocks(Object v) {
        return v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Map);
    }

    /**
     * The body of a resource or nested block at column {@code indent} (where the action symbol goes): attributes
     * aligned, unchanged ones hidden in an update, nested blocks after them.
     */
    private static void object(
            StringBuilder b,
            Map<String, Object> before,
            Map<String, Object> after,
            String mode,
            int indent,
            Set<String> sensitive) {
        Set<String> keys = new TreeSet<>();
        keys.addAll(before.keySet());
        keys.addAll(after.keySet());
        List<String[]> lines = new ArrayList<>();
        List<String> blocks = new ArrayList<>();
        int unchanged = 0;
        for (String k : keys) {
            Object bv = before.get(k);
            Object av = after.get(k);
            if (isBlocks(bv) || isBlocks(av)) {
                blocks.add(k);
                continue;
            }
            boolean secret = sensitive.contains(k);
            switch (mode) {
                case "create" -> {
                    if (av != null) {
                        lines.add(new String[] {"+", k, show(av, secret, indent + 2)});
                    }
                }
                case "delete" -> {
                    if (bv != null) {
                        lines.add(new String[] {"-", k, show(bv, secret, indent + 2) + " -> null"});
                    }
                }
                case "forget", "show" -> {
                    Object v = mode.equals("forget") ? bv : av;
                    if (v != null) {
                        lines.add(new String[] {" ", k, show(v, secret, indent + 2)});
                    }
                }
                default -> {
                    if (Values.same(bv, av) || (bv == null && av == null)) {
                        if (k.equals("id") && av != null) {
                            lines.add(new String[] {" ", k, show(av, secret, indent + 2)});
                        } else if (av != null) {
                            unchanged++;
                        }
                    } else if (bv == null) {
                        lines.add(new String[] {"+", k, show(av, secret, indent + 2)});
                    } else if (av == null) {
                        lines.add(new String[] {"-", k, show(bv, secret, indent + 2) + " -> null"});
                    } else {
                        lines.add(new String[] {
                            "~", k, show(bv, secret, indent + 2) + " -> " + show(av, secret, indent + 2)
                        });
                    }
                }
            }
        }
        int width = lines.stream().mapToInt(l -> l[1].length()).max().orElse(0);
        String pad = " ".repeat(indent);
        for (String[] l : lines) {
            b.append(pad).append(l[0]).append(' ').append(l[1]).append(" ".repeat(width - l[1].length()));
            b.append(" = ").append(l[2]).append('\n');
        }
        if (unchanged > 0) {
            b.append(pad)
                    .append("  # (")
                    .append(unchanged)
                    .append(" unchanged attribute")
                    .append(unchanged == 1 ? "" : "s")
                    .append(" hidden)\n");
        }
        int unchangedBlocks = 0;
        for (String k : blocks) {
            List<Object> bl = before.get(k) instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
            List<Object> al = after.get(k) instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
            switch (mode) {
                case "create" -> al.forEach(x -> block(b, "+", k, Map.of(), asMap(x), "create", indent));
                case "delete" -> bl.forEach(x -> block(b, "-", k, asMap(x), Map.of(), "delete", indent));
                case "forget" -> bl.forEach(x -> block(b, " ", k, asMap(x), Map.of(), "forget", indent));
                case "show" -> al.forEach(x -> block(b, " ", k, Map.of(), asMap(x), "show", indent));
                default -> {
                    if (bl.size() == al.size()) {
                        for (int i = 0; i < al.size(); i++) {
                            if (Values.same(bl.get(i), al.get(i))) {
                                unchangedBlocks++;
                            } else {
                                block(b, "~", k, asMap(bl.get(i)), asMap(al.get(i)), "update", indent);
                            }
                        }
                    } else {
                        bl.forEach(x -> block(b, "-", k, asMap(x), Map.of(), "delete", indent));
                        al.forEach(x -> block(b, "+", k, Map.of(), asMap(x), "create", indent));
                    }
                }
            }
        }
        if (unchangedBlocks > 0) {
            b.append('\n')
                    .append(pad)
                    .append("  # (")
                    .append(unchangedBlocks)
                    .append(" unchanged block")
                    .append(unchangedBlocks == 1 ? "" : "s")
                    .append(" hidden)\n");
        }
    }

    private static void block(
            StringBuilder b,
            String symbol,
            String type,
            Map<String, Object> before,
            Map<String, Object> after,
            String mode,
            int indent) {
        String pad = " ".repeat(indent);
        b.append('\n').append(pad).append(symbol).append(' ').append(type).append(" {\n");
        object(b, before, after, mode, indent + 4, Set.of());
        b.append(pad).append("  }\n");
    }

    private static String show(Object v, boolean secret, int indent) {
        if (secret || v instanceof Values.Sensitive) {
            return "(sensitive value)";
        }
        return Values.human(v, indent);
    }
}
