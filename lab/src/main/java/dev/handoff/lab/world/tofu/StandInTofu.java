package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The lab's stand-in for the {@code tofu} executable (OpenTofu is not installable here). It runs in the stack folder
 * like the real one and answers {@code init}, {@code plan -out=F [-detailed-exitcode]}, {@code show -json F},
 * {@code apply F}, {@code output -json} and {@code version} in OpenTofu 1.8's formats: plan JSON
 * ({@code format_version} 1.2, {@code resource_changes[].change.actions}), output JSON (sensitive values in clear, as
 * the real one prints them), exit code 2 for a plan with changes, and a v4 state file ({@code terraform.tfstate} with
 * {@code serial} and {@code lineage}). Resources and outputs come from the stack's {@code *.tf} files, output values
 * from {@link LabCloud}; {@link TofuFaults} makes it fail on demand. The world folder is {@code HANDOFF_LAB_WORLD}.
 *
 * <p>Uses only the JDK, so the wrapper script starts it with the lab's classes alone.
 */
public final class StandInTofu {
    static final String VERSION = "1.8.5";
    static final String STATE = "terraform.tfstate";
    private static final String DIGEST_RESOURCE = "lab_config_digest";
    private static final Pattern RESOURCE =
            Pattern.compile("(?m)^resource\\s+\"([a-z0-9_]+)\"\\s+\"([a-zA-Z0-9_-]+)\"");
    private static final Pattern OUTPUT = Pattern.compile("(?m)^output\\s+\"([a-zA-Z0-9_-]+)\"\\s*\\{");
    private static final Pattern SENSITIVE = Pattern.compile("sensitive\\s*=\\s*true");
    private static final Pattern STATE_OUTPUT = Pattern.compile(
            "(?m)^\\s*\"([^\"]+)\": \\{\"sensitive\": (true|false), \"type\": \"string\", \"value\": \"((?:[^\"\\\\]|\\\\.)*)\"\\}");
    private static final Pattern SERIAL = Pattern.compile("\"serial\": (\\d+)");
    private static final Pattern LINEAGE = Pattern.compile("\"lineage\": \"([^\"]+)\"");
    private static final Pattern DIGEST = Pattern.compile("\"input\": \"([0-9a-f]{64})\"");

    private final Path dir;
    private final Path world;
    private final PrintStream out;
    private final PrintStream err;

    StandInTofu(Path dir, Path world, PrintStream out, PrintStream err) {
        this.dir = dir;
        this.world = world;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        String worldDir = System.getenv("HANDOFF_LAB_WORLD");
        if (worldDir == null || worldDir.isBlank()) {
            System.err.println("stand-in tofu: HANDOFF_LAB_WORLD is not set; run it through the lab's tofu script");
            System.exit(1);
        }
        int code = new StandInTofu(Path.of("").toAbsolutePath(), Path.of(worldDir), System.out, System.err).run(args);
        System.out.flush();
        System.exit(code);
    }

    /** One planned resource change. */
    record Change(String type, String name, List<String> actions) {
        String address() {
            return type + "." + name;
        }
    }

    int run(String[] args) throws IOException, InterruptedException {
        if (args.length == 0) {
            err.println("Usage: tofu [global options] <subcommand> [args]");
            return 1;
        }
        List<String> rest = List.of(args).subList(1, args.length);
        return switch (args[0]) {
            case "version", "-version", "--version" -> {
                out.println("OpenTofu v" + VERSION + "\non linux_amd64 (Handoff lab stand-in)");
                yield 0;
            }
            case "init" -> init();
            case "plan" -> plan(rest);
            case "show" -> show(rest);
            case "apply" -> apply(rest);
            case "output" -> output(rest);
            default -> {
                err.println("tofu: unknown command \"" + args[0] + "\" (the lab's stand-in knows init, plan, show,"
                        + " apply, output, version)");
                yield 1;
            }
        };
    }

    private String stack() {
        return dir.getFileName().toString();
    }

    private int init() throws IOException {
        Files.createDirectories(dir.resolve(".terraform"));
        out.println("\nInitializing the backend...\n\nSuccessfully configured the backend \"local\"! OpenTofu will"
                + " automatically\nuse this backend unless the backend configuration changes.\n\nInitializing"
                + " provider plugins...\n- Finding oracle/oci versions matching \"~> 6.0\"...\n- Installing"
                + " oracle/oci v6.21.0...\n- Installed oracle/oci v6.21.0 (signed, key ID 1533A49284137CEB)\n\n"
                + "OpenTofu has been successfully initialized!");
        return 0;
    }

    private int plan(List<String> args) throws IOException {
        String planFile = args.stream()
                .filter(a -> a.startsWith("-out="))
                .map(a -> a.substring(5))
                .findFirst()
                .orElse(null);
        boolean detailed = args.contains("-detailed-exitcode");
        TofuFaults faults = new TofuFaults(world);
        if (faults.active(Fault.FAIL_PLAN, stack())) {
            err.println("╷\n│ Error: 401-NotAuthenticated, The required information to complete authentication was"
                    + " not provided or was incorrect.\n│ Suggestion: Please retry or contact support for help with"
                    + " service: Identity\n│ \n│   with provider[\"registry.opentofu.org/oracle/oci\"],\n│   on main.tf"
                    + " line 24, in provider \"oci\":\n│   24: provider \"oci\" {\n│ \n╵");
            return 1;
        }
        List<String[]> resources = resources();
        String state = readState();
        String digest = configDigest();
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String[] r = resources.get(i);
            List<String> actions;
            if (state == null) {
                actions = List.of("create");
            } else if (faults.active(Fault.DESTRUCTIVE_PLAN, stack()) && i < 2) {
                actions = i == 0 ? List.of("delete", "create") : List.of("delete");
            } else if (!digest.equals(stateDigest(state)) && i == 0) {
                actions = List.of("update");
            } else {
                actions = List.of("no-op");
            }
            changes.add(new Change(r[0], r[1], actions));
        }
        int add = 0;
        int change = 0;
        int destroy = 0;
        for (Change c : changes) {
            if (c.actions().contains("create")) {
                add++;
            }
            if (c.actions().contains("update")) {
                change++;
            }
            if (c.actions().contains("delete")) {
                destroy++;
            }
        }
        boolean changed = add + change + destroy > 0;
        if (planFile != null) {
            StringBuilder plan = new StringBuilder("handoff-lab-plan\ndigest=" + digest + "\n");
            for (Change c : changes) {
                plan.append(c.type())
                        .append('|')
                        .append(c.name())
                        .append('|')
                        .append(String.join(",", c.actions()))
                        .append('\n');
            }
            Files.writeString(dir.resolve(planFile), plan, StandardCharsets.UTF_8);
        }
        for (Change c : changes) {
            if (!c.actions().equals(List.of("no-op"))) {
                String verb = c.actions().size() == 2
                        ? "must be replaced"
                        : switch (c.actions().get(0)) {
                            case "create" -> "will be created";
                            case "update" -> "will be updated in-place";
                            default -> "will be destroyed";
                        };
                out.println("  # " + c.address() + " " + verb);
            }
        }
        if (changed) {
            out.println("\nPlan: " + add + " to add, " + change + " to change, " + destroy + " to destroy.");
            if (planFile != null) {
                out.println("\nSaved the plan to: " + planFile + "\n\nTo perform exactly these actions, run the"
                        + " following command to apply:\n    tofu apply \"" + planFile + "\"");
            }
        } else {
            out.println("\nNo changes. Your infrastructure matches the configuration.");
        }
        return changed && detailed ? 2 : 0;
    }

    private int show(List<String> args) throws IOException {
        if (!args.contains("-json") || args.stream().noneMatch(a -> !a.startsWith("-"))) {
            err.println("tofu show: the lab's stand-in only supports 'show -json <planfile>'");
            return 1;
        }
        String planFile =
                args.stream().filter(a -> !a.startsWith("-")).findFirst().orElseThrow();
        List<Change> changes = readPlan(planFile);
        Map<String, String> cloud = LabCloud.open(world).values();
        StringBuilder json = new StringBuilder();
        json.append("{\"format_version\":\"1.2\",\"terraform_version\":\"")
                .append(VERSION)
                .append("\",");
        json.append("\"planned_values\":{\"root_module\":{}},\"resource_changes\":[");
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            if (i > 0) {
                json.append(',');
            }
            boolean creating = c.actions().equals(List.of("create"));
            json.append("{\"address\":\"")
                    .append(c.address())
                    .append("\",\"mode\":\"managed\",\"type\":\"")
                    .append(c.type())
                    .append("\",\"name\":\"")
                    .append(c.name())
                    .append("\",\"provider_name\":\"registry.opentofu.org/oracle/oci\",\"change\":{\"actions\":[")
                    .append(String.join(
                            ",", c.actions().stream().map(a -> "\"" + a + "\"").toList()))
                    .append("],\"before\":")
                    .append(creating ? "null" : "{\"id\":\"" + c.address() + "\"}")
                    .append(",\"after\":")
                    .append(c.actions().equals(List.of("delete")) ? "null" : "{\"display_name\":\"" + c.name() + "\"}")
                    .append(",\"after_unknown\":{},\"before_sensitive\":{},\"after_sensitive\":{}}");
            if (c.actions().size() == 2) {
                json.append(",\"action_reason\":\"replace_because_cannot_update\"");
            }
            json.append('}');
        }
        json.append("],\"output_changes\":{");
        List<String[]> outputs = outputs();
        for (int i = 0; i < outputs.size(); i++) {
            String[] o = outputs.get(i);
            if (i > 0) {
                json.append(',');
            }
            String value = escape(outputValue(o[0], cloud));
            json.append('"')
                    .append(o[0])
                    .append("\":{\"actions\":[\"no-op\"],\"before\":\"")
                    .append(value)
                    .append("\",\"after\":\"")
                    .append(value)
                    .append("\",\"after_unknown\":false,")
                    .append("\"before_sensitive\":")
                    .append(o[1])
                    .append(",\"after_sensitive\":")
                    .append(o[1])
                    .append('}');
        }
        json.append("},\"timestamp\":\"")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("\",\"errored\":false}");
        out.println(json);
        return 0;
    }

    private int apply(List<String> args) throws IOException, InterruptedException {
        String planFile =
                args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        if (planFile == null) {
            err.println("tofu apply: Handoff applies saved plans only; the lab's stand-in needs the plan file");
            return 1;
        }
        List<Change> changes = readPlan(planFile);
        TofuFaults faults = new TofuFaults(world);
        Change first =
                changes.isEmpty() ? new Change("oci_core_instance", "unknown", List.of("update")) : changes.get(0);
        if (faults.active(Fault.HANG_APPLY, stack())) {
            out.println(first.address() + ": Modifying... [id=" + first.address() + "]");
            out.flush();
            Process child = new ProcessBuilder("sleep", "3600").start();
            Files.writeString(world.resolve("tofu-hang.pid"), Long.toString(child.pid()), StandardCharsets.UTF_8);
            while (true) {
                out.println(first.address() + ": Still modifying... [id=" + first.address() + "]");
                out.flush();
                Thread.sleep(1000);
            }
        }
        if (faults.active(Fault.FAIL_APPLY, stack())) {
            out.println(first.address() + ": Modifying... [id=" + first.address() + "]");
            err.println("╷\n│ Error: 500-InternalError, Out of host capacity.\n│ Suggestion: The service for this"
                    + " resource encountered an error. Please contact support for help with service: Core"
                    + " Instance\n│ Documentation: https://registry.terraform.io/providers/oracle/oci/latest/docs/"
                    + "resources/core_instance\n│ OPC request ID: 2f1e0c7a9b8d4e6f/lab\n│ \n│   with "
                    + first.address() + ",\n│   on main.tf line 49, in resource \"" + first.type() + "\" \""
                    + first.name() + "\":\n│   49: resource \"" + first.type() + "\" \"" + first.name()
                    + "\" {\n│ \n╵");
            // providers echo request bodies in errors: this one carries a sensitive value, which Handoff must mask
            err.println("Request body: {\"metadata\":{\"k3s_token\":\""
                    + LabCloud.open(world).values().getOrDefault(LabCloud.K3S_TOKEN, "") + "\"}}");
            return 1;
        }
        int add = 0;
        int change = 0;
        int destroy = 0;
        for (Change c : changes) {
            if (c.actions().contains("delete")) {
                out.println(c.address() + ": Destroying... [id=" + c.address() + "]");
                out.println(c.address() + ": Destruction complete after 2s");
                destroy++;
            }
            if (c.actions().contains("create")) {
                out.println(c.address() + ": Creating...");
                out.println(c.address() + ": Creation complete after 31s [id=" + c.address() + "]");
                add++;
            }
            if (c.actions().contains("update")) {
                out.println(c.address() + ": Modifying... [id=" + c.address() + "]");
                out.println(c.address() + ": Modifications complete after 4s [id=" + c.address() + "]");
                change++;
            }
        }
        Map<String, String> cloud = LabCloud.open(world).values();
        writeState(changes, cloud);
        out.println("\nApply complete! Resources: " + add + " added, " + change + " changed, " + destroy
                + " destroyed.\n\nOutputs:\n");
        for (String[] o : outputs()) {
            out.println(o[0] + " = "
                    + (Boolean.parseBoolean(o[1]) ? "<sensitive>" : "\"" + outputValue(o[0], cloud) + "\""));
        }
        return 0;
    }

    private int output(List<String> args) throws IOException {
        if (!args.contains("-json")) {
            err.println("tofu output: the lab's stand-in only supports 'output -json'");
            return 1;
        }
        String state = readState();
        StringBuilder json = new StringBuilder("{");
        if (state != null) {
            Matcher m = STATE_OUTPUT.matcher(state);
            boolean first = true;
            while (m.find()) {
                json.append(first ? "\n" : ",\n");
                first = false;
                json.append("  \"")
                        .append(m.group(1))
                        .append("\": {\n    \"sensitive\": ")
                        .append(m.group(2))
                        .append(",\n    \"type\": \"string\",\n    \"value\": \"")
                        .append(m.group(3))
                        .append("\"\n  }");
            }
            json.append(first ? "" : "\n");
        }
        json.append('}');
        out.println(json);
        return 0;
    }

    private void writeState(List<Change> changes, Map<String, String> cloud) throws IOException {
        String previous = readState();
        long serial = 0;
        String lineage = UUID.randomUUID().toString();
        if (previous != null) {
            Matcher s = SERIAL.matcher(previous);
            if (s.find()) {
                serial = Long.parseLong(s.group(1));
            }
            Matcher l = LINEAGE.matcher(previous);
            if (l.find()) {
                lineage = l.group(1);
            }
        }
        StringBuilder state = new StringBuilder();
        state.append("{\n  \"version\": 4,\n  \"terraform_version\": \"")
                .append(VERSION)
                .append("\",\n");
        state.append("  \"serial\": ")
                .append(serial + 1)
                .append(",\n  \"lineage\": \"")
                .append(lineage)
                .append("\",\n  \"outputs\": {\n");
        List<String[]> outputs = outputs();
        for (int i = 0; i < outputs.size(); i++) {
            String[] o = outputs.get(i);
            state.append("    \"")
                    .append(o[0])
                    .append("\": {\"sensitive\": ")
                    .append(o[1])
                    .append(", \"type\": \"string\", \"value\": \"")
                    .append(escape(outputValue(o[0], cloud)))
                    .append("\"}")
                    .append(i + 1 < outputs.size() ? ",\n" : "\n");
        }
        state.append("  },\n  \"resources\": [\n");
        for (Change c : changes) {
            if (c.actions().equals(List.of("delete"))) {
                continue;
            }
            state.append("    {\"mode\": \"managed\", \"type\": \"")
                    .append(c.type())
                    .append("\", \"name\": \"")
                    .append(c.name())
                    .append("\", \"provider\": \"provider[\\\"registry.opentofu.org/oracle/oci\\\"]\",")
                    .append(" \"instances\": [{\"schema_version\": 1, \"attributes\": {\"id\": \"")
                    .append(c.address())
                    .append("\"}}]},\n");
        }
        state.append("    {\"mode\": \"managed\", \"type\": \"terraform_data\", \"name\": \"")
                .append(DIGEST_RESOURCE)
                .append("\", \"provider\": \"provider[\\\"terraform.io/builtin/terraform\\\"]\", \"instances\":")
                .append(" [{\"schema_version\": 0, \"attributes\": {\"id\": \"lab\", \"input\": \"")
                .append(configDigest())
                .append("\"}}]}\n  ],\n  \"check_results\": null\n}\n");
        Path tmp = dir.resolve(STATE + ".tmp");
        Files.writeString(tmp, state, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(STATE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private List<Change> readPlan(String planFile) throws IOException {
        Path file = dir.resolve(planFile);
        if (!Files.exists(file)) {
            throw new IOException("Failed to load \"" + planFile + "\" as a plan file: no such file");
        }
        List<Change> changes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] parts = line.split("\\|");
            if (parts.length == 3) {
                changes.add(new Change(parts[0], parts[1], List.of(parts[2].split(","))));
            }
        }
        return changes;
    }

    private String readState() throws IOException {
        Path state = dir.resolve(STATE);
        return Files.exists(state) ? Files.readString(state, StandardCharsets.UTF_8) : null;
    }

    private static String stateDigest(String state) {
        Matcher m = DIGEST.matcher(state);
        return m.find() ? m.group(1) : "";
    }

    /** The resources of the stack's {@code *.tf} files: {@code [type, name]}. */
    private List<String[]> resources() throws IOException {
        List<String[]> out = new ArrayList<>();
        Matcher m = RESOURCE.matcher(configuration());
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    /** The outputs of the stack: {@code [name, sensitive]}. */
    private List<String[]> outputs() throws IOException {
        String config = configuration();
        List<String[]> out = new ArrayList<>();
        Matcher m = OUTPUT.matcher(config);
        while (m.find()) {
            int end = config.indexOf("\n}", m.end());
            String body = config.substring(m.end(), end < 0 ? config.length() : end);
            out.add(new String[] {
                m.group(1), Boolean.toString(SENSITIVE.matcher(body).find())
            });
        }
        return out;
    }

    private static String outputValue(String name, Map<String, String> cloud) {
        return cloud.getOrDefault(name, "lab-" + name);
    }

    private String configuration() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".tf")).sorted().toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
            }
        }
        return all.toString();
    }

    private String configDigest() throws IOException {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(configuration().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
