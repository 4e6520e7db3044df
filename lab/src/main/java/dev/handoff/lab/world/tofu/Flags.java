package dev.handoff.lab.world.tofu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command-line flags parsed as Go's {@code flag} package parses them for OpenTofu's commands: {@code -name} or
 * {@code --name}, {@code -name=value} or (for non-boolean flags) {@code -name value}; parsing stops at the first
 * argument that is not a flag or after {@code --}; errors read exactly as Go's ("flag provided but not defined: -x").
 */
final class Flags {
    enum Kind {
        BOOL,
        STRING,
        INT,
        DURATION,
        MULTI
    }

    /** A parse error; the message is Go's. */
    static final class FlagError extends Exception {
        FlagError(String message) {
            super(message);
        }
    }

    private final Map<String, Kind> kinds = new LinkedHashMap<>();
    private final Map<String, Object> values = new HashMap<>();
    private final List<String> set = new ArrayList<>();
    /** {@code -var} and {@code -var-file} in command-line order. */
    final List<Variables.Arg> vars = new ArrayList<>();

    List<String> args = List.of();

    Flags define(Kind kind, String... names) {
        for (String n : names) {
            kinds.put(n, kind);
        }
        return this;
    }

    /** The flags of {@code arguments.extendedFlagSet} with state and operation flags (plan, apply). */
    Flags operation() {
        return define(Kind.BOOL, "lock", "refresh", "destroy", "refresh-only")
                .define(Kind.DURATION, "lock-timeout")
                .define(Kind.STRING, "state", "state-out", "backup")
                .define(Kind.INT, "parallelism")
                .define(Kind.MULTI, "target", "replace")
                .vars();
    }

    Flags vars() {
        return define(Kind.MULTI, "var", "var-file");
    }

    Flags parse(List<String> argv) throws FlagError {
        int i = 0;
        while (i < argv.size()) {
            String a = argv.get(i);
            if (a.length() < 2 || a.charAt(0) != '-') {
                break;
            }
            int dashes = a.startsWith("--") ? 2 : 1;
            if (dashes == 2 && a.length() == 2) {
                i++;
                break;
            }
            String name = a.substring(dashes);
            if (name.isEmpty() || name.startsWith("-") || name.startsWith("=")) {
                throw new FlagError("bad flag syntax: " + a);
            }
            i++;
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Kind kind = kinds.get(name);
            if (kind == null) {
                throw new FlagError("flag provided but not defined: -" + name);
            }
            if (kind == Kind.BOOL) {
                if (value == null) {
                    values.put(name, true);
                } else {
                    Boolean b = goBool(value);
                    if (b == null) {
                        throw new FlagError(
                                "invalid boolean value " + Json.quote(value) + " for -" + name + ": parse error");
                    }
                    values.put(name, b);
                }
                set.add(name);
                continue;
            }
            if (value == null) {
                if (i >= argv.size()) {
                    throw new FlagError("flag needs an argument: -" + name);
                }
                value = argv.get(i++);
            }
            switch (kind) {
                case STRING -> values.put(name, value);
                case INT -> {
                    try {
                        values.put(name, Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        throw new FlagError(
                                "invalid value " + Json.quote(value) + " for flag -" + name + ": parse error");
                    }
                }
                case DURATION -> {
                    Duration d = goDuration(value);
                    if (d == null) {
                        throw new FlagError(
                                "invalid value " + Json.quote(value) + " for flag -" + name + ": parse error");
                    }
                    values.put(name, d);
                }
                case MULTI -> {
                    @SuppressWarnings("unchecked")
                    List<String> list = (List<String>) values.computeIfAbsent(name, k -> new ArrayList<String>());
                    list.add(value);
                    if (name.equals("var") || name.equals("var-file")) {
                        vars.add(new Variables.Arg(name.equals("var-file"), value));
                    }
                }
                default -> throw new IllegalStateException();
            }
            set.add(name);
        }
        args = List.copyOf(argv.subList(i, argv.size()));
        return this;
    }

    boolean isSet(String name) {
        return set.contains(name);
    }

    boolean bool(String name, boolean dflt) {
        return values.containsKey(name) ? (Boolean) values.get(name) : dflt;
    }

    String string(String name, String dflt) {
        return values.containsKey(name) ? (String) values.get(name) : dflt;
    }

    Duration duration(String name) {
        return values.containsKey(name) ? (Duration) values.get(name) : Duration.ZERO;
    }

    @SuppressWarnings("unchecked")
    List<String> multi(String name) {
        return values.containsKey(name) ? (List<String>) values.get(name) : List.of();
    }

    /** Go's {@code strconv.ParseBool}. */
    static Boolean goBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> null;
        };
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    /** Go's {@code time.ParseDuration}, or null. */
    static Duration goDuration(String s) {
        String t = s;
        boolean negative = false;
        if (t.startsWith("-") || t.startsWith("+")) {
            negative = t.startsWith("-");
            t = t.substring(1);
        }
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.isEmpty()) {
            return null;
        }
        Matcher m = DURATION_PART.matcher(t);
        int pos = 0;
        double nanos = 0;
        while (pos < t.length()) {
            if (!m.find(pos) || m.start() != pos) {
                return null;
            }
            double n = Double.parseDouble(m.group(1));
            nanos += n
                    * switch (m.group(2)) {
                        case "ns" -> 1L;
                        case "us", "µs", "μs" -> 1_000L;
                        case "ms" -> 1_000_000L;
                        case "s" -> 1_000_000_000L;
                        case "m" -> 60_000_000_000L;
                        default -> 3_600_000_000_000L;
                    };
            pos = m.end();
        }
        Duration d = Duration.ofNanos((long) nanos);
        return negative ? d.negated() : d;
    }
}
