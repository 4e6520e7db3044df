package dev.handoff.lab.world.nixos;

import dev.handoff.lab.world.nixos.NixosNode.Answer;
import dev.handoff.lab.world.nixos.NixosNode.Generation;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command surface of the simulated NixOS host: the exact command lines converge-service and the stand-in
 * activator run, answered from the {@link NixosNode} model in the formats of the real tools. Anything else answers
 * {@code command not found} (exit 127), so a new command in the service fails loudly until the node learns it.
 */
final class NodeCommands {
    /** Lab-only activation command the stand-in activator runs (stands for {@code <toplevel>/bin/switch-to-configuration switch}). */
    static final String ACTIVATE = "handoff-lab-activate";

    private static final Pattern ACTIVATE_LINE = Pattern.compile(
            "^" + ACTIVATE + " --system (\\S+) --revision (\\S+) --kernel (\\S+)((?: --manifest [^\\s=]+=\\S+)*)"
                    + "((?: --service [A-Za-z0-9_-]+)*)$");
    private static final Pattern SWITCH_GENERATION =
            Pattern.compile("^nix-env -p /nix/var/nix/profiles/system --switch-generation (\\d+) && "
                    + "/nix/var/nix/profiles/system/bin/switch-to-configuration switch$");
    /** converge-service's rollback guard: stop earlier guards, then arm a transient timer that rolls back. */
    private static final Pattern ARM_GUARD =
            Pattern.compile("^(?:sudo -n )?systemctl stop 'handoff-rollback-\\*\\.timer'; "
                    + "(?:sudo -n )?systemd-run --unit=(handoff-rollback-[0-9]+-[a-z0-9]+) --description='[^']*'"
                    + " --on-active=([0-9]+)s --timer-property=AccuracySec=1s /bin/sh -c '"
                    + "/run/current-system/sw/bin/nix-env -p /nix/var/nix/profiles/system --switch-generation ([0-9]+)"
                    + " && /nix/var/nix/profiles/system/bin/switch-to-configuration switch'$");

    private static final Pattern DISARM_GUARD =
            Pattern.compile("^(?:sudo -n )?systemctl stop (handoff-rollback-[0-9]+-[a-z0-9]+)\\.timer$");
    /** A build host's commands from converge-service: clear a run folder, make a folder, run the activator there. */
    private static final Pattern CLEAR = Pattern.compile("^rm -rf -- '([^']+)' && mkdir -p --((?: '[^']+')+)$");

    private static final Pattern IN_DIR = Pattern.compile("^cd '([^']+)' &&((?: [A-Z_]+='[^']*')*)((?: '[^']*')+)$");
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");
    private static final Pattern ASSIGNMENT = Pattern.compile(" ([A-Z_]+)='([^']*)'");

    private static final DateTimeFormatter GENERATION_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final NixosNode node;

    NodeCommands(NixosNode node) {
        this.node = node;
    }

    /** Whether {@code command} reboots the node (the server drops every connection after answering). */
    static boolean reboots(String command) {
        return command.equals("systemctl reboot") || command.equals("reboot");
    }

    /**
     * The activator on a build host: {@code colmena} runs as the lab's stand-in, in-process, its paths inside this
     * node's sandbox (the host's {@code /}).
     */
    private Answer buildHost(String dir, String assignments, String words) {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher a = ASSIGNMENT.matcher(assignments);
        while (a.find()) {
            env.put(a.group(1), a.group(2));
        }
        List<String> argv = new java.util.ArrayList<>();
        Matcher w = QUOTED.matcher(words);
        while (w.find()) {
            argv.add(w.group(1));
        }
        if (!argv.get(0).equals("colmena")) {
            return new Answer(127, "", "bash: line 1: " + argv.get(0) + ": command not found\n");
        }
        java.nio.file.Path cwd = node.file(dir);
        if (!java.nio.file.Files.isDirectory(cwd)) {
            return new Answer(1, "", "bash: line 1: cd: " + dir + ": No such file or directory\n");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = StandInColmena.run(
                argv.subList(1, argv.size()).toArray(String[]::new),
                cwd,
                env,
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                p -> node.file(p).toString(),
                false);
        return new Answer(code, out.toString(java.nio.charset.StandardCharsets.UTF_8), "");
    }

    private void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p :
                    walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    Answer run(String command) throws InterruptedException, java.io.IOException {
        node.switchByHandIfAsked();
        String line = command.trim();
        switch (line) {
            case "true":
                return Answer.ok("");
            case "readlink -f /run/current-system":
                return Answer.ok(node.current().systemPath() + "\n");
            case "readlink -f /run/booted-system":
                return Answer.ok(node.booted().systemPath() + "\n");
            case "readlink -f /run/current-system/kernel":
                return Answer.ok(node.current().kernel() + "/bzImage\n");
            case "readlink -f /run/booted-system/kernel":
                return Answer.ok(node.booted().kernel() + "/bzImage\n");
            case "nixos-version --json":
                return Answer.ok(nixosVersion(node.current()));
            case "nix-env -p /nix/var/nix/profiles/system --list-generations":
                return Answer.ok(generations());
            case "cat /proc/sys/kernel/random/boot_id":
                return Answer.ok(node.bootId() + "\n");
            case "systemctl is-system-running":
                return node.failedUnits().isEmpty() ? Answer.ok("running\n") : new Answer(1, "degraded\n", "");
            case "systemctl --failed --no-legend --plain":
                return Answer.ok(node.failedUnits().stream()
                        .map(u -> u + " loaded failed failed " + u + "\n")
                        .reduce("", String::concat));

            case "test -d /run/secrets":
                return node.secretsPresent() ? Answer.ok("") : new Answer(1, "", "");
            case "systemctl reboot":
            case "reboot":
                return Answer.ok("");
            default:
                break;
        }
        if (line.startsWith("systemctl is-active ")) {
            return isActive(List.of(
                    line.substring("systemctl is-active ".length()).trim().split("\\s+")));
        }
        if (line.startsWith("test -f ")) {
            return Files.isRegularFile(node.file(line.substring("test -f ".length())))
                    ? Answer.ok("")
                    : new Answer(1, "", "");
        }
        if (line.startsWith("sha256sum ")) {
            return sha256sum(line.substring("sha256sum ".length()).trim().split("\\s+"));
        }
        Matcher activate = ACTIVATE_LINE.matcher(line);
        if (activate.matches()) {
            Map<String, String> manifests = new LinkedHashMap<>();
            for (String option : activate.group(4).trim().split("\\s*--manifest\\s+")) {
                if (!option.isBlank()) {
                    String[] kv = option.trim().split("=", 2);
                    manifests.put(kv[0], kv[1]);
                }
            }
            Set<String> services = new LinkedHashSet<>();
            for (String service : activate.group(5).trim().split("\\s*--service\\s+")) {
                if (!service.isBlank()) {
                    services.add(service.trim());
                }
            }
            return node.activate(
                    activate.group(1), activate.group(2), NixosNode.kernelPath(activate.group(3)), manifests, services);
        }
        Matcher arm = ARM_GUARD.matcher(line);
        if (arm.matches()) {
            // systemd-run logs the transient units it made on stderr (run.c: "Running timer as unit: %s",
            // "Will run service as unit: %s"); a glob that matches no loaded unit stops nothing and exits 0
            node.armGuard(
                    arm.group(1),
                    Integer.parseInt(arm.group(3)),
                    java.time.Duration.ofSeconds(Long.parseLong(arm.group(2))));
            return new Answer(
                    0,
                    "",
                    "Running timer as unit: " + arm.group(1) + ".timer\nWill run service as unit: " + arm.group(1)
                            + ".service\n");
        }
        Matcher disarm = DISARM_GUARD.matcher(line);
        if (disarm.matches()) {
            // systemctl stop of a unit that is not loaded exits 5 ("not loaded"), as systemctl(1)'s exit status table
            return node.disarmGuard(disarm.group(1))
                    ? Answer.ok("")
                    : new Answer(
                            5,
                            "",
                            "Failed to stop " + disarm.group(1) + ".timer: Unit " + disarm.group(1)
                                    + ".timer not loaded.\n");
        }
        Matcher clear = CLEAR.matcher(line);
        if (clear.matches()) {
            deleteTree(node.file(clear.group(1)));
            Matcher dir = QUOTED.matcher(clear.group(2));
            while (dir.find()) {
                java.nio.file.Files.createDirectories(node.file(dir.group(1)));
            }
            return Answer.ok("");
        }
        Matcher inDir = IN_DIR.matcher(line);
        if (inDir.matches()) {
            return buildHost(inDir.group(1), inDir.group(2), inDir.group(3));
        }
        Matcher rollback = SWITCH_GENERATION.matcher(line);
        if (rollback.matches()) {
            Answer answer = node.switchGeneration(Integer.parseInt(rollback.group(1)));
            if (answer.exitCode() == 0) {
                node.notifyActivated();
            }
            return answer;
        }
        String name = line.split("\\s+", 2)[0];
        return new Answer(127, "", "bash: line 1: " + name + ": command not found\n");
    }

    /** GNU coreutils' {@code sha256sum FILE...}: {@code <hex>  <path>} lines; exit 1 when any file is unreadable. */
    private Answer sha256sum(String[] paths) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (String path : paths) {
            java.nio.file.Path file = node.file(path);
            if (Files.isDirectory(file)) {
                err.append("sha256sum: ").append(path).append(": Is a directory\n");
            } else if (!Files.isRegularFile(file)) {
                err.append("sha256sum: ").append(path).append(": No such file or directory\n");
            } else {
                try {
                    byte[] digest =
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
                    out.append(java.util.HexFormat.of().formatHex(digest))
                            .append("  ")
                            .append(path)
                            .append('\n');
                } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
                    err.append("sha256sum: ")
                            .append(path)
                            .append(": ")
                            .append(e.getMessage())
                            .append('\n');
                }
            }
        }
        return new Answer(err.length() == 0 ? 0 : 1, out.toString(), err.toString());
    }

    private Answer isActive(List<String> units) {
        StringBuilder out = new StringBuilder();
        boolean all = true;
        for (String unit : units) {
            String state = node.unitState(unit);
            out.append(state).append('\n');
            all &= state.equals("active");
        }
        return new Answer(all ? 0 : 3, out.toString(), "");
    }

    private String nixosVersion(Generation generation) {
        String revision =
                generation.revision() == null ? "" : ",\"configurationRevision\":\"" + generation.revision() + "\"";
        return "{\"nixosVersion\":\"" + NixosNode.NIXOS_VERSION
                + "\",\"nixpkgsRevision\":\"5e2a59a5b1a82f89f2c7e598302a9cacebb72a67\"" + revision + "}\n";
    }

    private String generations() {
        StringBuilder out = new StringBuilder();
        int current = node.current().number();
        for (Generation g : node.generations()) {
            out.append(String.format(
                    "%5d   %s%s%n",
                    g.number(), GENERATION_TIME.format(g.created()), g.number() == current ? "   (current)" : ""));
        }
        return out.toString();
    }
}
