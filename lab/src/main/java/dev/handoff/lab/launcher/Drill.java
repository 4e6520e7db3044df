package dev.handoff.lab.launcher;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One fault drill that a second {@code ./handoff} asks the running lab for: {@code kill <service>}, {@code restart
 * <service>}, {@code stop|start kafka|postgres}, {@code partition <host> [--heal]}. Parsing checks the command line
 * only; whether the service or host exists, and whether the thing is already in that state, the running lab decides
 * ({@link DrillRules}).
 *
 * @param action what to do
 * @param target the service, {@code kafka}/{@code postgres}, or the host
 */
record Drill(Action action, String target) {
    /** The first words of the drills' command lines. */
    static final List<String> COMMANDS = List.of("kill", "restart", "stop", "start", "partition");

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");

    /** What a drill does. */
    enum Action {
        KILL,
        RESTART,
        STOP,
        START,
        PARTITION,
        HEAL;

        /** The name in the lab's drill endpoint path. */
        String pathName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Parses {@code ./handoff <command> <args…>}.
     *
     * @throws LabCommands.UsageException naming what is wrong and the right form
     */
    static Drill parse(String command, List<String> args) throws LabCommands.UsageException {
        switch (command) {
            case "kill", "restart" -> {
                String service = single(command, args, "<service>", "converge-service");
                return new Drill(command.equals("kill") ? Action.KILL : Action.RESTART, service);
            }
            case "stop", "start" -> {
                String what = single(command, args, "kafka|postgres", "kafka");
                if (!what.equals("kafka") && !what.equals("postgres")) {
                    throw new LabCommands.UsageException(
                            command + ": the lab can " + command + " kafka or postgres, not '" + what
                                    + "' (for a service: ./handoff kill|restart <service>)");
                }
                return new Drill(command.equals("stop") ? Action.STOP : Action.START, what);
            }
            case "partition" -> {
                boolean heal = args.contains("--heal");
                List<String> rest =
                        args.stream().filter(a -> !a.equals("--heal")).toList();
                String host = single(command, rest, "<host> [--heal]", "cloud-edge-1");
                return new Drill(heal ? Action.HEAL : Action.PARTITION, host);
            }
            default -> throw new LabCommands.UsageException("not a drill: " + command);
        }
    }

    /** The drill as the endpoint's path names it, e.g. {@code /drills/kill/converge-service}. */
    String path() {
        return "/drills/" + action.pathName() + "/" + target;
    }

    /** The drill a path of the endpoint names. */
    static Drill ofPath(String path) {
        String[] parts = path.split("/");
        if (parts.length != 4
                || !parts[1].equals("drills")
                || !NAME.matcher(parts[3]).matches()) {
            throw new IllegalArgumentException("not a drill: " + path);
        }
        return new Drill(Action.valueOf(parts[2].toUpperCase(Locale.ROOT)), parts[3]);
    }

    /** The command line that runs this drill, e.g. {@code ./handoff partition cloud-edge-1 --heal}. */
    String commandLine() {
        return switch (action) {
            case HEAL -> "./handoff partition " + target + " --heal";
            default -> "./handoff " + action.pathName() + " " + target;
        };
    }

    private static String single(String command, List<String> args, String form, String example)
            throws LabCommands.UsageException {
        List<String> options = args.stream().filter(a -> a.startsWith("-")).toList();
        if (!options.isEmpty()) {
            throw new LabCommands.UsageException(
                    command + ": unknown option " + options.get(0) + " (./handoff " + command + " " + form + ")");
        }
        if (args.size() != 1) {
            throw new LabCommands.UsageException(command + ": " + (args.isEmpty() ? "which one?" : "one at a time")
                    + " ./handoff " + command + " " + form + ", e.g. ./handoff " + command + " " + example);
        }
        String name = args.get(0);
        if (!NAME.matcher(name).matches()) {
            throw new LabCommands.UsageException(command + ": '" + name + "' is not a name of the lab (lower-case"
                    + " letters, digits, '-' and '.'), e.g. ./handoff " + command + " " + example);
        }
        return name;
    }
}
