package dev.handoff.lab.world.nixos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * Stand-in for {@code colmena apply --on <host> switch} where Colmena is absent (the lab, tests): run in the runtime
 * repository's worktree with {@code SSH_CONFIG_FILE} pointing at the ssh_config converge-service wrote, it derives a
 * deterministic system path from the repository tree ("evaluate + build"), connects to the host the way the
 * ssh_config says (host key checked against its {@code UserKnownHostsFile}) and activates it with the simulated
 * node's {@code handoff-lab-activate}. It prints Colmena's progress lines and exits 1 on any failure, like Colmena,
 * naming the remote exit code as {@code Child process exited with error code: N}.
 */
public final class StandInColmena {
    private static final Pattern KERNEL = Pattern.compile("boot\\.kernelPackages\\s*=\\s*([^;]+);");
    /**
     * {@code services.k3s.manifests.<name>.source = <relative path>;}, also written as
     * {@code manifests.<name>.source = …;} inside a {@code services.k3s = { … };} block.
     */
    private static final Pattern MANIFEST =
            Pattern.compile("(?m)^[^#\\n]*?\\bmanifests\\.([A-Za-z0-9_-]+)\\.source\\s*=\\s*([^;\\s]+)\\s*;");

    /** {@code services.<name>.enable = true;} on one line. */
    private static final Pattern SERVICE_ENABLE =
            Pattern.compile("(?m)^[^#\\n]*?\\bservices\\.([A-Za-z0-9_-]+)\\.enable\\s*=\\s*true\\s*;");
    /** The opening of a {@code services.<name> = { … };} block (its {@code enable = true;} is looked for inside). */
    private static final Pattern SERVICE_BLOCK =
            Pattern.compile("(?m)^[^#\\n]*?\\bservices\\.([A-Za-z0-9_-]+)\\s*=\\s*\\{");
    /** {@code enable = true;} not preceded by an attribute path ({@code lfs.enable} is another option). */
    private static final Pattern ENABLE = Pattern.compile("(?<![\\w.])enable\\s*=\\s*true\\s*;");

    private StandInColmena() {}

    /**
     * Writes an executable {@code colmena} script into {@code bin} that runs this stand-in with this JVM's Java and
     * the class path it needs; point {@code handoff.converge.activator-executable} at it.
     */
    public static Path writeLauncher(Path bin) {
        try {
            List<String> classpath = new ArrayList<>();
            for (Class<?> type : List.of(
                    StandInColmena.class,
                    SshClient.class,
                    KeyUtils.class,
                    SftpClientFactory.class,
                    org.slf4j.LoggerFactory.class)) {
                String entry = Path.of(type.getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI())
                        .toString();
                if (!classpath.contains(entry)) {
                    classpath.add(entry);
                }
            }
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Files.createDirectories(bin);
            Path script = bin.resolve("colmena");
            Files.writeString(
                    script,
                    "#!/bin/sh\n# Handoff lab: stand-in for colmena (converge-service's activator in the lab)\n"
                            + "exec '" + java
                            + "' -Xshare:auto -XX:TieredStopAtLevel=1 -Dslf4j.internal.verbosity=ERROR -cp '"
                            + String.join(":", classpath) + "' " + StandInColmena.class.getName() + " \"$@\"\n",
                    StandardCharsets.UTF_8);
            script.toFile().setExecutable(true);
            return script;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot write the stand-in colmena into " + bin + ": " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, Path.of("").toAbsolutePath(), System.getenv(), System.out));
    }

    /**
     * Runs the stand-in in this JVM as the {@code colmena} script would ({@code colmena apply --on <host> switch} in
     * {@code worktree} with {@code SSH_CONFIG_FILE=sshConfig}); returns Colmena's exit code. For tests that activate a
     * simulated host the way converge-service does, without starting a process.
     */
    public static int apply(Path worktree, String host, Path sshConfig, PrintStream out) {
        return run(
                new String[] {"apply", "--on", host, "switch"},
                worktree,
                Map.of("SSH_CONFIG_FILE", sshConfig.toString()),
                out);
    }

    /**
     * Activates {@code target} from {@code worktree} through its steady (tailnet) listener, as converge-service would:
     * writes an ssh_config and a known_hosts file with the host's current key into {@code worktree}'s parent folder
     * {@code .handoff-ssh}, then runs {@link #apply}. Returns Colmena's exit code.
     */
    public static int applyTo(SimulatedNixosHost target, Path identity, Path worktree, PrintStream out) {
        String host = target.node().hostName();
        try {
            Path dir = worktree.toAbsolutePath().getParent().resolve(".handoff-ssh-" + host);
            Files.createDirectories(dir);
            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(
                    knownHosts,
                    "[127.0.0.1]:" + target.tailnetPort() + " " + PublicKeyEntry.toString(target.hostKey()) + "\n",
                    StandardCharsets.UTF_8);
            Path config = dir.resolve("ssh_config");
            Files.writeString(
                    config,
                    "Host " + host + "\n  HostName 127.0.0.1\n  Port " + target.tailnetPort() + "\n  User root\n"
                            + "  IdentityFile " + identity + "\n  UserKnownHostsFile " + knownHosts + "\n"
                            + "  StrictHostKeyChecking yes\n",
                    StandardCharsets.UTF_8);
            return apply(worktree, host, config, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the ssh_config for " + host, e);
        }
    }

    /** Runs the stand-in; returns the exit code. */
    static int run(String[] args, Path worktree, Map<String, String> env, PrintStream out) {
        if (args.length != 4 || !args[0].equals("apply") || !args[1].equals("--on") || !args[3].equals("switch")) {
            out.println("[ERROR] stand-in colmena supports only: colmena apply --on <host> switch");
            return 2;
        }
        String host = args[2];
        try {
            String configFile = env.get("SSH_CONFIG_FILE");
            if (configFile == null) {
                out.println("[ERROR] SSH_CONFIG_FILE is not set");
                return 1;
            }
            Map<String, String> ssh = hostBlock(Path.of(configFile), host);
            out.println("[INFO ] Using flake: git+file://" + worktree);
            out.println("[INFO ] Enumerating nodes...");
            out.println("[INFO ] Selected 1 node.");
            String revision = Files.readString(worktree.resolve(".git/HEAD"), StandardCharsets.US_ASCII)
                    .trim();
            String system = "/nix/store/" + StoreHash.of(treeDigest(worktree)) + "-nixos-system-" + host + "-"
                    + NixosNode.NIXOS_VERSION;
            Path configuration = worktree.resolve("hosts").resolve(host).resolve("configuration.nix");
            String kernel = kernelChoice(configuration);
            Map<String, Path> manifests = manifests(worktree, configuration);
            List<String> services = services(configuration);
            out.println("      " + host + " ✅ 0s Evaluated " + host);
            out.println("      " + host + " ✅ 1s Built \"" + system + "\"");
            out.println("      " + host + " ✅ 1s Pushed system closure");
            int code = activate(
                    ssh,
                    host,
                    "handoff-lab-activate --system " + system + " --revision " + revision + " --kernel " + kernel,
                    manifests,
                    services,
                    out);
            if (code != 0) {
                out.println("      " + host + " ❌ 2s Failed: Child process exited with error code: " + code);
                out.println("[ERROR] Failed to complete requested operation - Last 1 lines of logs:");
                out.println("[ERROR]   failure) Child process exited with error code: " + code);
                return 1;
            }
            out.println("      " + host + " ✅ 2s Activation successful");
            out.println("      All done!");
            return 0;
        } catch (IOException | RuntimeException e) {
            out.println("      " + host + " ❌ Failed: " + e.getMessage());
            out.println("[ERROR] Failed to complete requested operation - " + e.getMessage());
            return 1;
        }
    }

    private static int activate(
            Map<String, String> ssh,
            String host,
            String command,
            Map<String, Path> manifests,
            List<String> services,
            PrintStream out)
            throws IOException {
        PublicKey pinned = knownHostKey(Path.of(ssh.get("userknownhostsfile")));
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(key, pinned));
            client.setKeyIdentityProvider(new FileKeyPairProvider(Path.of(ssh.get("identityfile"))));
            client.start();
            try (ClientSession session = client.connect(
                            ssh.get("user"), ssh.get("hostname"), Integer.parseInt(ssh.getOrDefault("port", "22")))
                    .verify(Duration.ofSeconds(10))
                    .getSession()) {
                session.auth().verify(Duration.ofSeconds(10));
                command += copyManifests(session, manifests);
                for (String service : services) {
                    command += " --service " + service;
                }
                ByteArrayOutputStream stdout = new ByteArrayOutputStream();
                try (ChannelExec exec = session.createExecChannel(command)) {
                    exec.setOut(stdout);
                    exec.setErr(stdout);
                    exec.open().verify(Duration.ofSeconds(10));
                    exec.waitFor(List.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(5));
                    for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
                        if (!line.isBlank()) {
                            out.println("      " + host + " | " + line);
                        }
                    }
                    Integer status = exec.getExitStatus();
                    return status == null ? 255 : status;
                }
            }
        }
    }

    /**
     * Copies each manifest into {@code /nix/store/<hash>-<name>.yaml} over SFTP (the closure copy) and returns the
     * {@code --manifest <name>=<store path>} options of the activation command.
     */
    private static String copyManifests(ClientSession session, Map<String, Path> manifests) throws IOException {
        if (manifests.isEmpty()) {
            return "";
        }
        StringBuilder options = new StringBuilder();
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            String dir = "";
            for (String part : List.of("nix", "store")) {
                dir += "/" + part;
                try {
                    sftp.stat(dir);
                } catch (IOException absent) {
                    sftp.mkdir(dir);
                }
            }
            for (Map.Entry<String, Path> manifest : manifests.entrySet()) {
                byte[] content = Files.readAllBytes(manifest.getValue());
                String storePath = "/nix/store/" + StoreHash.of(content) + "-" + manifest.getKey() + ".yaml";
                try (OutputStream file = sftp.write(storePath)) {
                    file.write(content);
                }
                options.append(" --manifest ")
                        .append(manifest.getKey())
                        .append('=')
                        .append(storePath);
            }
        }
        return options.toString();
    }

    /** The host's {@code services.k3s.manifests}: name → file in the worktree, in declaration order. */
    static Map<String, Path> manifests(Path worktree, Path configuration) throws IOException {
        Map<String, Path> manifests = new LinkedHashMap<>();
        if (!Files.isRegularFile(configuration)) {
            return manifests;
        }
        Matcher m = MANIFEST.matcher(Files.readString(configuration, StandardCharsets.UTF_8));
        Path root = worktree.toAbsolutePath().normalize();
        while (m.find()) {
            Path source = configuration
                    .getParent()
                    .resolve(m.group(2))
                    .toAbsolutePath()
                    .normalize();
            if (!source.startsWith(root) || !Files.isRegularFile(source)) {
                throw new IOException(configuration + ": services.k3s.manifests." + m.group(1) + ".source = "
                        + m.group(2) + " is not a file of the repository");
            }
            manifests.put(m.group(1), source);
        }
        return manifests;
    }

    /**
     * The NixOS services the host's configuration enables, in order of appearance: {@code services.<name>.enable =
     * true;}, or {@code enable = true;} directly inside a {@code services.<name> = { … };} block.
     */
    static List<String> services(Path configuration) throws IOException {
        List<String> services = new ArrayList<>();
        if (!Files.isRegularFile(configuration)) {
            return services;
        }
        String text = Files.readString(configuration, StandardCharsets.UTF_8);
        Map<Integer, String> found = new java.util.TreeMap<>();
        Matcher enable = SERVICE_ENABLE.matcher(text);
        while (enable.find()) {
            found.put(enable.start(1), enable.group(1));
        }
        Matcher block = SERVICE_BLOCK.matcher(text);
        while (block.find()) {
            if (ENABLE.matcher(topLevel(text, block.end())).find()) {
                found.put(block.start(1), block.group(1));
            }
        }
        for (String service : found.values()) {
            if (!services.contains(service)) {
                services.add(service);
            }
        }
        return services;
    }

    /** The text of the attribute set opened just before {@code from}, without its nested sets. */
    private static String topLevel(String text, int from) {
        StringBuilder top = new StringBuilder();
        int depth = 1;
        for (int i = from; i < text.length() && depth > 0; i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (depth == 1) {
                top.append(c);
            }
        }
        return top.toString();
    }

    private static Map<String, String> hostBlock(Path config, String host) throws IOException {
        Map<String, String> values = new HashMap<>();
        boolean inBlock = false;
        for (String raw : Files.readAllLines(config, StandardCharsets.UTF_8)) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split("\\s+", 2);
            if (kv[0].equalsIgnoreCase("Host")) {
                inBlock = List.of(kv[1].split("\\s+")).contains(host);
            } else if (inBlock && kv.length == 2) {
                values.putIfAbsent(kv[0].toLowerCase(), kv[1]);
            }
        }
        for (String required : List.of("hostname", "user", "identityfile", "userknownhostsfile")) {
            if (!values.containsKey(required)) {
                throw new IOException(config + ": Host " + host + " has no " + required);
            }
        }
        return values;
    }

    private static PublicKey knownHostKey(Path knownHosts) throws IOException {
        for (String line : Files.readAllLines(knownHosts, StandardCharsets.UTF_8)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && !parts[0].startsWith("#")) {
                try {
                    return PublicKeyEntry.parsePublicKeyEntry(parts[1] + " " + parts[2])
                            .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
                } catch (java.security.GeneralSecurityException e) {
                    throw new IOException(knownHosts + ": unreadable host key: " + e.getMessage(), e);
                }
            }
        }
        throw new IOException(knownHosts + " holds no host key");
    }

    private static String kernelChoice(Path configuration) throws IOException {
        if (!Files.isRegularFile(configuration)) {
            return "default";
        }
        Matcher m = KERNEL.matcher(Files.readString(configuration, StandardCharsets.UTF_8));
        return m.find() ? m.group(1).replaceAll("[^A-Za-z0-9_.]", "") : "default";
    }

    /** Path and content of every file outside {@code .git}, in path order: the stand-in's "derivation". */
    static byte[] treeDigest(Path worktree) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(worktree)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !worktree.relativize(p).startsWith(".git"))
                    .sorted()
                    .forEach(files::add);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path file : files) {
            all.writeBytes(worktree.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            all.write(0);
            all.writeBytes(Files.readAllBytes(file));
            all.write(0);
        }
        return all.toByteArray();
    }
}
