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
                    org.eclipse.jgit.lib.Repository.class,
                    com.googlecode.javaewah.EWAHCompressedBitmap.class,
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
                out,
                p -> p,
                true);
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

    /** Runs the stand-in as the {@code colmena} command does; returns the exit code. */
    static int run(String[] args, Path worktree, Map<String, String> env, PrintStream out) {
        return run(args, worktree, env, out, p -> p, false);
    }

    /**
     * Runs the stand-in in {@code cwd}.
     *
     * @param paths maps an absolute path as the tool sees it (the flake's {@code git+file} inputs, the ssh_config's
     *     files) to the real path: itself here, the sandbox file on a simulated build host
     * @param worktreeMode read the working files of {@code cwd} as they are ({@link #apply}, for tests of other
     *     stages that activate a worktree directly); otherwise read what Nix would: committed files only
     */
    static int run(
            String[] args,
            Path cwd,
            Map<String, String> env,
            PrintStream out,
            java.util.function.UnaryOperator<String> paths,
            boolean worktreeMode) {
        Command command;
        try {
            command = Command.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("[ERROR] " + e.getMessage());
            return 2;
        }
        String host = command.host();
        try {
            FlakeSource flake = worktreeMode ? FlakeSource.worktree(cwd) : FlakeSource.committed(cwd, paths, out);
            out.println("[INFO ] Using flake: git+file://" + cwd);
            out.println("[INFO ] Enumerating nodes...");
            if (command.verb().equals("eval")) {
                Map<String, String> drvs = new LinkedHashMap<>();
                // Nix is lazy: only the selected nodes are evaluated (the stand-in treats any name as a node)
                for (String node : command.selection() == null ? flake.nodes() : command.selection()) {
                    drvs.put(node, flake.evaluate(node).drvPath());
                }
                out.println(drvs.entrySet().stream()
                        .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                        .collect(java.util.stream.Collectors.joining(",", "{", "}")));
                return 0;
            }
            out.println("[INFO ] Selected 1 node.");
            Evaluated system = flake.evaluate(host);
            out.println("      " + host + " ✅ 0s Evaluated " + host);
            out.println("      " + host + " ✅ 1s Built \"" + system.systemPath() + "\""
                    + (command.onTarget() ? " on target node" : ""));
            if (command.verb().equals("build")) {
                out.println("      All done!");
                return 0;
            }
            String configFile = env.get("SSH_CONFIG_FILE");
            if (configFile == null) {
                out.println("[ERROR] SSH_CONFIG_FILE is not set");
                return 1;
            }
            Map<String, String> ssh = hostBlock(Path.of(paths.apply(configFile)), host);
            ssh.put("identityfile", paths.apply(ssh.get("identityfile")));
            ssh.put("userknownhostsfile", paths.apply(ssh.get("userknownhostsfile")));
            out.println("      " + host + " ✅ 1s Pushed system closure");
            int code = activate(
                    ssh,
                    host,
                    "handoff-lab-activate --system " + system.systemPath() + " --revision " + flake.revision()
                            + " --kernel " + system.kernel(),
                    system.manifests(),
                    system.services(),
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
        } catch (EvaluationError e) {
            out.println("error: " + e.getMessage());
            out.println("[ERROR] Failed to complete requested operation - evaluation of "
                    + (host == null ? "the hive" : host) + " failed");
            return 1;
        } catch (IOException | RuntimeException e) {
            out.println("      " + host + " ❌ Failed: " + e.getMessage());
            out.println("[ERROR] Failed to complete requested operation - " + e.getMessage());
            return 1;
        }
    }

    /**
     * The command line: {@code eval -E <expr>}, {@code build --on <host> [--build-on-target]} or {@code apply --on
     * <host> [--build-on-target] switch}.
     *
     * @param host the selected host; for {@code eval}, the one host its expression names or null for every node
     */
    record Command(String verb, String host, boolean onTarget, List<String> selection) {
        private static final Pattern ONE_NODE = Pattern.compile("nodes\\.\"([a-z0-9-]+)\"");
        private static final Pattern SELECTION =
                Pattern.compile("intersectAttrs \\{((?: \"[a-z0-9-]+\" = null;)*) \\}");
        private static final Pattern SELECTED = Pattern.compile("\"([a-z0-9-]+)\"");

        Command(String verb, String host, boolean onTarget) {
            this(verb, host, onTarget, host == null ? null : List.of(host));
        }

        static Command parse(String[] args) {
            List<String> a = List.of(args);
            if (a.size() == 3 && a.get(0).equals("eval") && a.get(1).equals("-E")) {
                Matcher one = ONE_NODE.matcher(a.get(2));
                if (one.find()) {
                    return new Command("eval", one.group(1), false);
                }
                Matcher selection = SELECTION.matcher(a.get(2));
                if (selection.find()) {
                    List<String> hosts = new ArrayList<>();
                    Matcher selected = SELECTED.matcher(selection.group(1));
                    while (selected.find()) {
                        hosts.add(selected.group(1));
                    }
                    return new Command("eval", null, false, List.copyOf(hosts));
                }
                return new Command("eval", null, false, null);
            }
            boolean onTarget = a.contains("--build-on-target");
            List<String> rest =
                    a.stream().filter(x -> !x.equals("--build-on-target")).toList();
            if (rest.size() == 3 && rest.get(0).equals("build") && rest.get(1).equals("--on")) {
                return new Command("build", rest.get(2), onTarget);
            }
            if (rest.size() == 4
                    && rest.get(0).equals("apply")
                    && rest.get(1).equals("--on")
                    && rest.get(3).equals("switch")) {
                return new Command("apply", rest.get(2), onTarget);
            }
            throw new IllegalArgumentException("stand-in colmena supports only: colmena eval -E <expr>, colmena build"
                    + " --on <host> [--build-on-target], colmena apply --on <host> [--build-on-target] switch; got "
                    + String.join(" ", args));
        }
    }

    /** An evaluation error, as Nix prints it after {@code error: }. */
    static final class EvaluationError extends Exception {
        EvaluationError(String message) {
            super(message);
        }
    }

    /**
     * One host's evaluated system.
     *
     * @param manifests name → content of {@code services.k3s.manifests}
     */
    record Evaluated(
            String systemPath, String drvPath, String kernel, Map<String, byte[]> manifests, List<String> services) {}

    /**
     * What the flake's evaluation sees: the runtime tree, and the trees of its {@code handoff-facts} and
     * {@code secrets} inputs when the flake gives them. Committed files only, as a {@code git+file} flake.
     */
    static final class FlakeSource {
        private static final Pattern INPUT_URL = Pattern.compile(
                "(?m)^\\s*(runtime|handoff-facts)\\.url\\s*=\\s*\"git\\+file://([^\"?]+)\\?rev=([0-9a-f]{40})\"");
        private static final Pattern SECRETS_URL = Pattern.compile(
                "(?m)^\\s*secrets\\s*=\\s*\\{\\s*url\\s*=\\s*\"git\\+file://([^\"?]+)\\?rev=([0-9a-f]{40})\"");
        private static final Pattern REFERENCE = Pattern.compile("\\$\\{(secrets|handoff-facts)\\}/([^\"]+)\"");

        private final Map<String, byte[]> runtime;
        private final Map<String, Map<String, byte[]>> inputs;
        private final String revision;
        private final boolean checkInputs;

        private FlakeSource(
                Map<String, byte[]> runtime,
                Map<String, Map<String, byte[]>> inputs,
                String revision,
                boolean checkInputs) {
            this.runtime = runtime;
            this.inputs = inputs;
            this.revision = revision;
            this.checkInputs = checkInputs;
        }

        /**
         * The working files of {@code worktree} (outside {@code .git}); revision from {@code .git/HEAD}. Its
         * configurations' references to the {@code secrets} and {@code handoff-facts} inputs are not checked: tests of
         * the later stages activate a lab configuration directly, without converge-service's deploy flake.
         */
        static FlakeSource worktree(Path worktree) throws IOException {
            Map<String, byte[]> files = new java.util.TreeMap<>();
            try (Stream<Path> walk = Files.walk(worktree)) {
                for (Path file : walk.filter(Files::isRegularFile)
                        .filter(p -> !worktree.relativize(p).startsWith(".git"))
                        .toList()) {
                    files.put(worktree.relativize(file).toString(), Files.readAllBytes(file));
                }
            }
            String head = Files.readString(worktree.resolve(".git/HEAD"), StandardCharsets.US_ASCII)
                    .trim();
            return new FlakeSource(files, Map.of(), head, false);
        }

        /**
         * The committed flake in {@code cwd}: a Handoff deploy flake's pinned inputs, or the repository itself at its
         * HEAD commit.
         */
        static FlakeSource committed(Path cwd, java.util.function.UnaryOperator<String> paths, PrintStream out)
                throws IOException, EvaluationError {
            Map<String, byte[]> self = tree(cwd, "HEAD");
            byte[] flakeNix = self.get("flake.nix");
            if (flakeNix == null) {
                throw new EvaluationError("path '" + cwd + "/flake.nix' does not exist (not tracked by Git?)");
            }
            String flake = new String(flakeNix, StandardCharsets.UTF_8);
            Map<String, String[]> urls = new LinkedHashMap<>();
            Matcher m = INPUT_URL.matcher(flake);
            while (m.find()) {
                urls.put(m.group(1), new String[] {m.group(2), m.group(3)});
            }
            Matcher secrets = SECRETS_URL.matcher(flake);
            if (secrets.find()) {
                urls.put("secrets", new String[] {secrets.group(1), secrets.group(2)});
            }
            if (!urls.containsKey("runtime")) {
                return new FlakeSource(self, Map.of(), head(cwd), true);
            }
            String[] runtimeUrl = urls.get("runtime");
            Map<String, byte[]> runtime = tree(Path.of(paths.apply(runtimeUrl[0])), runtimeUrl[1]);
            String runtimeFlake = new String(runtime.getOrDefault("flake.nix", new byte[0]), StandardCharsets.UTF_8);
            Map<String, Map<String, byte[]>> inputs = new LinkedHashMap<>();
            for (String input : List.of("handoff-facts", "secrets")) {
                String[] url = urls.get(input);
                if (url == null) {
                    continue;
                }
                if (!runtimeFlake.matches("(?s).*\\b" + Pattern.quote(input) + "(\\.url)?\\s*=.*")) {
                    out.println("warning: input 'runtime' has an override for a non-existent input '" + input + "'");
                    continue;
                }
                inputs.put(input, tree(Path.of(paths.apply(url[0])), url[1]));
            }
            return new FlakeSource(runtime, inputs, runtimeUrl[1], true);
        }

        /** {@code self.rev}: the runtime commit. */
        String revision() {
            return revision;
        }

        /** The hive's nodes: the hosts with a {@code hosts/<host>/configuration.nix}. */
        List<String> nodes() {
            return runtime.keySet().stream()
                    .filter(p -> p.matches("hosts/[a-z0-9-]+/configuration\\.nix"))
                    .map(p -> p.split("/")[1])
                    .sorted()
                    .toList();
        }

        /**
         * Evaluates {@code host}: its configuration's references to the inputs must resolve (Nix: undefined variable,
         * or a path that does not exist), and the system's store path derives from everything it reads. A host without
         * a configuration evaluates to an empty system (the stand-in is lenient there; Colmena would name no node).
         */
        Evaluated evaluate(String host) throws EvaluationError {
            String path = "hosts/" + host + "/configuration.nix";
            byte[] configuration = runtime.get(path);
            String text = configuration == null ? "" : new String(configuration, StandardCharsets.UTF_8);
            java.io.ByteArrayOutputStream digest = new java.io.ByteArrayOutputStream();
            runtime.forEach((name, content) -> {
                digest.writeBytes(name.getBytes(StandardCharsets.UTF_8));
                digest.write(0);
                digest.writeBytes(content);
                digest.write(0);
            });
            Matcher reference = REFERENCE.matcher(text);
            while (reference.find()) {
                Map<String, byte[]> input = inputs.get(reference.group(1));
                if (!checkInputs) {
                    continue;
                }
                if (input == null) {
                    throw new EvaluationError("undefined variable '" + reference.group(1) + "'\n       at /nix/store/"
                            + StoreHash.of(revision) + "-source/" + path);
                }
                byte[] content = input.get(reference.group(2));
                if (content == null) {
                    throw new EvaluationError("path '/nix/store/" + StoreHash.of(reference.group(1) + revision)
                            + "-source/" + reference.group(2) + "' does not exist");
                }
                digest.writeBytes(reference.group(0).getBytes(StandardCharsets.UTF_8));
                digest.writeBytes(content);
            }
            Map<String, byte[]> manifests = new LinkedHashMap<>();
            Matcher manifest = MANIFEST.matcher(text);
            while (manifest.find()) {
                String source = Path.of(path)
                        .getParent()
                        .resolve(manifest.group(2))
                        .normalize()
                        .toString();
                byte[] content = runtime.get(source);
                if (source.startsWith("..") || content == null) {
                    throw new EvaluationError(path + ": services.k3s.manifests." + manifest.group(1) + ".source = "
                            + manifest.group(2) + " is not a file of the repository");
                }
                manifests.put(manifest.group(1), content);
            }
            Matcher kernel = KERNEL.matcher(text);
            String hash = StoreHash.of(digest.toByteArray());
            return new Evaluated(
                    "/nix/store/" + hash + "-nixos-system-" + host + "-" + NixosNode.NIXOS_VERSION,
                    "/nix/store/" + StoreHash.of("drv:" + hash) + "-nixos-system-" + host + "-"
                            + NixosNode.NIXOS_VERSION + ".drv",
                    kernel.find() ? kernel.group(1).replaceAll("[^A-Za-z0-9_.]", "") : "default",
                    manifests,
                    services(text));
        }

        private static String head(Path repo) throws IOException {
            try (org.eclipse.jgit.lib.Repository r = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                    .setGitDir(repo.resolve(".git").toFile())
                    .setMustExist(true)
                    .build()) {
                org.eclipse.jgit.lib.ObjectId id = r.resolve("HEAD^{commit}");
                if (id == null) {
                    throw new IOException(repo + " has no commit");
                }
                return id.name();
            }
        }

        /** The committed files of the repository at {@code repo} (its {@code .git}, or a bare one) at {@code rev}. */
        private static Map<String, byte[]> tree(Path repo, String rev) throws IOException {
            java.io.File gitDir = Files.isDirectory(repo.resolve(".git"))
                    ? repo.resolve(".git").toFile()
                    : repo.toFile();
            try (org.eclipse.jgit.lib.Repository r = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                            .setGitDir(gitDir)
                            .setMustExist(true)
                            .build();
                    org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r);
                    org.eclipse.jgit.treewalk.TreeWalk files = new org.eclipse.jgit.treewalk.TreeWalk(r)) {
                org.eclipse.jgit.lib.ObjectId id = r.resolve(rev + "^{commit}");
                if (id == null) {
                    throw new IOException("error: Cannot find Git revision '" + rev + "' in " + repo);
                }
                files.addTree(walk.parseCommit(id).getTree());
                files.setRecursive(true);
                Map<String, byte[]> out = new java.util.TreeMap<>();
                while (files.next()) {
                    if (files.getFileMode(0).getObjectType() == org.eclipse.jgit.lib.Constants.OBJ_BLOB) {
                        out.put(
                                files.getPathString(),
                                r.open(files.getObjectId(0)).getBytes());
                    }
                }
                return out;
            } catch (IllegalArgumentException e) {
                throw new IOException(repo + " is not a Git repository: " + e.getMessage(), e);
            }
        }
    }

    private static int activate(
            Map<String, String> ssh,
            String host,
            String command,
            Map<String, byte[]> manifests,
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
    private static String copyManifests(ClientSession session, Map<String, byte[]> manifests) throws IOException {
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
            for (Map.Entry<String, byte[]> manifest : manifests.entrySet()) {
                byte[] content = manifest.getValue();
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

    /**
     * The NixOS services the host's configuration enables, in order of appearance: {@code services.<name>.enable =
     * true;}, or {@code enable = true;} directly inside a {@code services.<name> = { … };} block.
     */
    static List<String> services(String text) {
        List<String> services = new ArrayList<>();
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
}
