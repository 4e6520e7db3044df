package dev.handoff.lab.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses the launcher's command line and runs the command; returns the process exit code. */
public final class LabCommands {
    /** Exit code for a command line the launcher does not understand. */
    public static final int USAGE = 2;

    /** The launcher is normally run by {@code ./handoff}, whose {@code help} is the full usage. */
    static final String USAGE_TEXT = """
            Usage: ./handoff up [--port N] [--kafka-port N] [--fresh] [--build] [--fleet N [--activation D]]
                   ./handoff push <owner/name> [-m message] [--form | --no-webhook]
                   ./handoff status
                   ./handoff down
                   ./handoff redeliver
                   ./handoff kafka-produce --as <service|nobody> --topic <t> [--key k] [--header n=v]… --value-file f
                   ./handoff kill <service> | restart <service>
                   ./handoff stop kafka|postgres | start kafka|postgres
                   ./handoff partition <host> [--heal]
                   ./handoff help
            Run ./handoff help for what each does; docs/lab.md tells the whole story.
            """;

    private LabCommands() {}

    /** Runs {@code args} with {@code env}; the project folder comes from the {@code handoff.project.dir} property. */
    public static int run(String[] args, Map<String, String> env, PrintStream out) throws InterruptedException {
        Path projectDir = Path.of(System.getProperty("handoff.project.dir", "."))
                .toAbsolutePath()
                .normalize();
        List<String> list = List.of(args);
        if (list.isEmpty()) {
            out.print(USAGE_TEXT);
            return USAGE;
        }
        try {
            return switch (list.get(0)) {
                case "help", "--help", "-h" -> {
                    out.print(USAGE_TEXT);
                    yield 0;
                }
                case "up" -> up(list.subList(1, list.size()), projectDir, env, out);
                case "push" -> push(list.subList(1, list.size()), projectDir, env, out);
                case "redeliver" -> {
                    if (list.size() > 1) {
                        throw new UsageException("redeliver takes no arguments");
                    }
                    yield new PushCommand(projectDir, env, out).redeliver();
                }
                case "status" -> {
                    noArguments(list, "status");
                    yield new StatusCommand(LabHome.resolve(env, projectDir), out).run();
                }
                case "down" -> {
                    noArguments(list, "down");
                    yield new DownCommand(LabHome.resolve(env, projectDir), out, DownCommand.WAIT).run();
                }
                case "kill", "restart", "stop", "start", "partition" ->
                    new DrillCommand(LabHome.resolve(env, projectDir), out)
                            .run(Drill.parse(list.get(0), list.subList(1, list.size())));
                case "kafka-produce" ->
                    new KafkaProduceCommand(LabHome.resolve(env, projectDir), out)
                            .run(KafkaProduceCommand.parse(list.subList(1, list.size())));
                default -> usageError("unknown command: " + list.get(0), out);
            };
        } catch (UsageException e) {
            return usageError(e.getMessage(), out);
        } catch (IllegalStateException | IllegalArgumentException e) {
            out.println(e.getMessage());
            return 1;
        }
    }

    private static int up(List<String> args, Path projectDir, Map<String, String> env, PrintStream out)
            throws InterruptedException, UsageException {
        int port = UpCommand.DEFAULT_PORT;
        Optional<Integer> kafkaPort = Optional.empty();
        boolean fresh = false;
        int fleet = 0;
        java.time.Duration activation = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--port" -> port = portValue(args, ++i, "--port");
                case "--kafka-port" -> kafkaPort = Optional.of(portValue(args, ++i, "--kafka-port"));
                case "--fresh" -> fresh = true;
                case "--fleet" -> fleet = fleetValue(args, ++i);
                case "--activation" -> activation = durationValue(args, ++i);
                default -> throw new UsageException("up: unknown option " + args.get(i));
            }
        }
        if (activation != null && fleet == 0) {
            throw new UsageException("up: --activation is the activation time of a fleet's hosts: give --fleet N too");
        }
        UpCommand.Fleet fleetSpec = new UpCommand.Fleet(
                fleet, activation != null ? activation : dev.handoff.lab.world.fleet.FleetWorld.DEFAULT_ACTIVATION);
        return new UpCommand(projectDir, env, out).run(port, kafkaPort, fresh, fleetSpec);
    }

    private static int push(List<String> args, Path projectDir, Map<String, String> env, PrintStream out)
            throws InterruptedException, UsageException {
        String repository = null;
        String message = PushCommand.DEFAULT_MESSAGE;
        boolean form = false;
        boolean webhook = true;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--form")) {
                form = true;
            } else if (arg.equals("--no-webhook")) {
                webhook = false;
            } else if (arg.equals("-m") || arg.equals("--message")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("push: " + arg + " needs a message");
                }
                message = args.get(++i);
            } else if (arg.startsWith("-")) {
                throw new UsageException("push: unknown option " + arg);
            } else if (repository == null) {
                repository = arg;
            } else {
                throw new UsageException("push: one repository at a time (got " + repository + " and " + arg + ")");
            }
        }
        if (repository == null) {
            throw new UsageException("push: which repository? e.g. ./handoff push ops/edge-cluster-infra");
        }
        if (!webhook && form) {
            throw new UsageException(
                    "push: --form says how to deliver the webhook, --no-webhook delivers none; give one");
        }
        return webhook
                ? new PushCommand(projectDir, env, out).run(repository, message, form)
                : new PushCommand(projectDir, env, out).pushOnly(repository, message);
    }

    private static void noArguments(List<String> args, String command) throws UsageException {
        if (args.size() > 1) {
            throw new UsageException(
                    command + " takes no arguments (it acts on the lab in HANDOFF_HOME, default" + " .handoff)");
        }
    }

    private static int fleetValue(List<String> args, int index) throws UsageException {
        try {
            int hosts = Integer.parseInt(index < args.size() ? args.get(index) : "");
            if (hosts < 1 || hosts > 9999) {
                throw new NumberFormatException();
            }
            return hosts;
        } catch (NumberFormatException e) {
            throw new UsageException("up: --fleet needs a number of hosts from 1 to 9999");
        }
    }

    /** {@code 5s}, {@code 500ms}, {@code 0s}, {@code 2m}. */
    static java.time.Duration durationValue(List<String> args, int index) throws UsageException {
        String text = index < args.size() ? args.get(index) : "";
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(text);
        if (!m.matches()) {
            throw new UsageException("up: --activation needs a duration such as 5s, 500ms or 0s, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            default -> java.time.Duration.ofMinutes(n);
        };
    }

    private static int portValue(List<String> args, int index, String option) throws UsageException {
        if (index >= args.size()) {
            throw new UsageException("up: " + option + " needs a port number");
        }
        try {
            int port = Integer.parseInt(args.get(index));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException("up: " + option + " needs a port number from 1 to 65535, not " + args.get(index));
        }
    }

    private static int usageError(String message, PrintStream out) {
        out.println("handoff: " + message);
        out.println();
        out.print(USAGE_TEXT);
        return USAGE;
    }

    /** A command line the launcher does not understand. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
