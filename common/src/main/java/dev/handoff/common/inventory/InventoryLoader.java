package dev.handoff.common.inventory;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.HostKeyTrusted;
import dev.handoff.common.inventory.Inventory.Access;
import dev.handoff.common.inventory.Inventory.BackupContract;
import dev.handoff.common.inventory.Inventory.Cloud;
import dev.handoff.common.inventory.Inventory.Endpoint;
import dev.handoff.common.inventory.Inventory.Host;
import dev.handoff.common.inventory.Inventory.HostSecrets;
import dev.handoff.common.inventory.Inventory.Repository;
import dev.handoff.common.inventory.Inventory.Role;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads and validates {@code handoff.yaml}. Every problem is reported at once, each naming the line, the field and
 * what to do; unknown keys are refused so that a typo never silently disables a setting.
 */
public final class InventoryLoader {
    private static final Pattern HOST_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Pattern REPOSITORY_NAME = Pattern.compile("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$");
    private static final Pattern AGE_RECIPIENT = Pattern.compile("^age1[0-9a-z]{58}$");
    private static final Pattern ADDRESS = Pattern.compile("^(cloud:(publicIp|privateIp)|[A-Za-z0-9.:\\[\\]-]+)$");
    private static final Set<String> BACKUP_CONTRACTS = Set.of("control-plane", "runtime", "infra-state");
    private static final Pattern CREDENTIALS_IN_URL = Pattern.compile("://[^/@]+@");
    private static final Pattern HOST_PATH = Pattern.compile("^/[A-Za-z0-9/._@+-]*$");
    private static final Pattern DURATION = Pattern.compile("^(\\d{1,9})([smhdw])$");

    private final String source;
    private final List<String> problems = new ArrayList<>();

    private InventoryLoader(String source) {
        this.source = source;
    }

    /** Loads the inventory from a file. */
    public static Inventory load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InventoryException(
                    file.toString(),
                    List.of(file + ": cannot read the inventory (" + e.getMessage()
                            + "); set HANDOFF_INVENTORY to the path of handoff.yaml"));
        }
        return parse(file.toString(), text);
    }

    /** Loads the inventory from text; {@code source} names it in errors. */
    public static Inventory parse(String source, String yaml) {
        return new InventoryLoader(source).read(new StringReader(yaml));
    }

    private Inventory read(Reader reader) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new InventoryException(source, List.of(source + ":" + line + ": not valid YAML: " + e.getProblem()));
        } catch (RuntimeException e) {
            throw new InventoryException(source, List.of(source + ": not valid YAML: " + e.getMessage()));
        }
        if (root == null) {
            throw new InventoryException(
                    source, List.of(source + ": the file is empty; it needs 'repositories:' and 'hosts:'"));
        }
        MappingNode top = mapping(root, "(top level)");
        if (top == null) {
            throw new InventoryException(source, problems);
        }
        Map<String, Node> fields = fields(top, "(top level)", Set.of("repositories", "hosts"));
        Map<String, Repository> repositories = new LinkedHashMap<>();
        Map<String, Host> hosts = new LinkedHashMap<>();
        Set<String> declared = new java.util.HashSet<>();
        Node reposNode = require(fields, "repositories", top, "(top level)");
        if (reposNode != null) {
            MappingNode repos = mapping(reposNode, "repositories");
            if (repos != null) {
                for (NodeTuple t : repos.getValue()) {
                    String name = keyOf(t);
                    declared.add(name);
                    Repository r = repository(name, t.getKeyNode(), t.getValueNode());
                    if (r != null) {
                        repositories.put(name, r);
                    }
                }
                if (repos.getValue().isEmpty()) {
                    problem(repos, "repositories", "is empty; list at least one repository");
                }
            }
        }
        Node hostsNode = require(fields, "hosts", top, "(top level)");
        if (hostsNode != null) {
            MappingNode hostMap = mapping(hostsNode, "hosts");
            if (hostMap != null) {
                for (NodeTuple t : hostMap.getValue()) {
                    String name = keyOf(t);
                    Host h = host(name, t.getKeyNode(), t.getValueNode(), declared);
                    if (h != null) {
                        hosts.put(name, h);
                    }
                }
                if (hostMap.getValue().isEmpty()) {
                    problem(hostMap, "hosts", "is empty; list at least one host");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InventoryException(source, problems);
        }
        return new Inventory(
                java.util.Collections.unmodifiableMap(repositories), java.util.Collections.unmodifiableMap(hosts));
    }

    private Repository repository(String name, Node keyNode, Node value) {
        String path = "repositories." + name;
        if (!REPOSITORY_NAME.matcher(name).matches()) {
            problem(keyNode, path, "'" + name + "' is not a repository full name; write it as owner/name");
        }
        MappingNode m = mapping(value, path);
        if (m == null) {
            return null;
        }
        Map<String, Node> f = fields(m, path, Set.of("url", "branch", "starts", "stacks"));
        String url = text(require(f, "url", m, path), path + ".url");
        String branch = Optional.ofNullable(f.get("branch"))
                .map(n -> text(n, path + ".branch"))
                .orElse("main");
        Node startsNode = require(f, "starts", m, path);
        String starts = text(startsNode, path + ".starts");
        Stage stage = null;
        if (starts != null) {
            stage = Stage.byId(starts).orElse(null);
            if (stage == null) {
                problem(
                        startsNode,
                        path + ".starts",
                        "'" + starts + "' is not a stage; use one of "
                                + Arrays.stream(Stage.values()).map(Stage::id).collect(Collectors.joining(", ")));
            }
        }
        Node stacksNode = f.get("stacks");
        List<String> stacks = stacksNode == null ? List.of() : stacks(stacksNode, path + ".stacks");
        if (url == null || stage == null || branch == null || stacks == null) {
            return null;
        }
        return new Repository(name, url, branch, stage, stacks);
    }

    /** Stack directories: relative, inside the repository ({@code ..} refused), each listed once. */
    private List<String> stacks(Node node, String path) {
        if (!(node instanceof SequenceNode sequence)) {
            problem(node, path, "must be a list, e.g. [stacks/network, stacks/compute]");
            return null;
        }
        if (sequence.getValue().isEmpty()) {
            problem(node, path, "is empty; list at least one stack directory or leave 'stacks' out");
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean valid = true;
        for (Node item : sequence.getValue()) {
            String dir = text(item, path + "[]");
            if (dir == null) {
                valid = false;
                continue;
            }
            String normalised = dir.replaceAll("/+$", "");
            if (dir.startsWith("/") || dir.startsWith("~") || dir.matches("^[A-Za-z]:.*") || dir.contains("\\")) {
                problem(
                        item,
                        path,
                        "'" + dir + "' is not a relative path; write the directory relative to the repository root,"
                                + " e.g. stacks/network");
                valid = false;
            } else if (Arrays.asList(normalised.split("/")).contains("..")) {
                problem(item, path, "'" + dir + "' leaves the repository ('..'); list a directory inside it");
                valid = false;
            } else if (out.contains(normalised)) {
                problem(item, path, "'" + dir + "' is listed twice; list each stack once");
                valid = false;
            } else {
                out.add(normalised);
            }
        }
        return valid ? List.copyOf(out) : null;
    }

    private Host host(String name, Node keyNode, Node value, Set<String> declaredRepositories) {
        String path = "hosts." + name;
        if (!HOST_NAME.matcher(name).matches()) {
            problem(
                    keyNode,
                    path,
                    "'" + name + "' is not a valid host name; use lower-case letters, digits and '-' (a DNS label)");
        }
        MappingNode m = mapping(value, path);
        if (m == null) {
            return null;
        }
        Map<String, Node> f = fields(
                m,
                path,
                Set.of(
                        "role",
                        "repositories",
                        "cloud",
                        "access",
                        "secrets",
                        "workloads",
                        "backups",
                        "system",
                        "onDrift"));
        Node roleNode = require(f, "role", m, path);
        String roleText = text(roleNode, path + ".role");
        Role role = null;
        if (roleText != null) {
            try {
                role = Role.valueOf(roleText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problem(roleNode, path + ".role", "'" + roleText + "' is not a role; use edge or control");
            }
        }
        Node reposNode = require(f, "repositories", m, path);
        List<String> repos = strings(reposNode, path + ".repositories");
        if (reposNode != null && repos != null) {
            for (String r : repos) {
                if (!declaredRepositories.contains(r)) {
                    problem(
                            reposNode,
                            path + ".repositories",
                            "'" + r + "' is not listed under 'repositories:'; add it there or fix the name");
                }
            }
        }
        Optional<Cloud> cloud = Optional.ofNullable(f.get("cloud")).map(n -> cloud(n, path + ".cloud"));
        Optional<Access> access = Optional.ofNullable(f.get("access")).map(n -> access(n, path + ".access"));
        Optional<HostSecrets> secrets = Optional.ofNullable(f.get("secrets")).map(n -> secrets(n, path + ".secrets"));
        List<String> workloads = Optional.ofNullable(f.get("workloads"))
                .map(n -> strings(n, path + ".workloads"))
                .orElse(List.of());
        Optional<String> system = Optional.ofNullable(f.get("system")).map(n -> {
            String nixSystem = text(n, path + ".system");
            if (nixSystem != null && !nixSystem.matches("[a-z0-9_]+-[a-z0-9_]+")) {
                problem(
                        n,
                        path + ".system",
                        "'" + nixSystem + "' is not a Nix system; use e.g. x86_64-linux or aarch64-linux");
                return null;
            }
            return nixSystem;
        });
        Inventory.OnDrift onDrift = Optional.ofNullable(f.get("onDrift"))
                .map(n -> {
                    String onDriftText = text(n, path + ".onDrift");
                    Optional<Inventory.OnDrift> known =
                            Optional.ofNullable(onDriftText).flatMap(Inventory.OnDrift::of);
                    if (onDriftText != null && known.isEmpty()) {
                        problem(
                                n,
                                path + ".onDrift",
                                "'" + onDriftText + "' is not what to do when host " + name
                                        + " drifted; use report (the"
                                        + " default: publish convergence.drifted) or reconverge (then converge it"
                                        + " again at the last verified commits)");
                    }
                    return known.orElse(Inventory.OnDrift.REPORT);
                })
                .orElse(Inventory.OnDrift.REPORT);
        Node backupsNode = f.get("backups");
        Map<String, BackupContract> contracts =
                backupsNode == null ? new LinkedHashMap<>() : backups(backupsNode, path + ".backups");
        List<String> backups = List.copyOf(contracts.keySet());
        access.ifPresent(a -> {
            if (a.bootstrap() != null && a.bootstrap().address().startsWith("cloud:") && cloud.isEmpty()) {
                problem(
                        f.get("access"),
                        path + ".access.bootstrap.address",
                        "'" + a.bootstrap().address() + "' needs cloud facts, but the host has no 'cloud:' section");
            }
        });
        if (role == null || repos == null) {
            return null;
        }
        return new Host(
                name,
                role,
                repos,
                cloud,
                access,
                secrets,
                workloads == null ? List.of() : workloads,
                backups,
                java.util.Collections.unmodifiableMap(contracts),
                system,
                onDrift);
    }

    /**
     * {@code backups}: a list of contract names (defaults, not configured: a stage reports them as such) or a mapping
     * of contract name to its settings.
     */
    private Map<String, BackupContract> backups(Node node, String path) {
        Map<String, BackupContract> out = new LinkedHashMap<>();
        if (node instanceof SequenceNode) {
            List<String> names = strings(node, path);
            for (String b : names == null ? List.<String>of() : names) {
                if (!BACKUP_CONTRACTS.contains(b)) {
                    problem(
                            node,
                            path,
                            "'" + b + "' is not a recovery contract; use control-plane, runtime or infra-state");
                } else {
                    out.put(b, BackupContract.named(b));
                }
            }
            return out;
        }
        if (!(node instanceof MappingNode m)) {
            problem(
                    node,
                    path,
                    "must be a list of contract names or a mapping of contract to settings, e.g."
                            + " { runtime: { repository: ..., passwordFile: ... } }");
            return out;
        }
        for (NodeTuple t : m.getValue()) {
            String name = keyOf(t);
            if (!BACKUP_CONTRACTS.contains(name)) {
                problem(
                        t.getKeyNode(),
                        path + "." + name,
                        "'" + name + "' is not a recovery contract; use control-plane, runtime or infra-state");
                continue;
            }
            BackupContract c = contract(name, t.getValueNode(), path + "." + name);
            if (c != null) {
                out.put(name, c);
            }
        }
        return out;
    }

    private BackupContract contract(String name, Node node, String path) {
        MappingNode m = mapping(node, path);
        if (m == null) {
            return null;
        }
        BackupContract defaults = BackupContract.named(name);
        if (name.equals(BackupContract.INFRA_STATE)) {
            Map<String, Node> f = fields(m, path, Set.of("archives", "states", "maxAge"));
            String archives = text(require(f, "archives", m, path), path + ".archives");
            String states = text(require(f, "states", m, path), path + ".states");
            Duration maxAge = duration(f.get("maxAge"), path + ".maxAge", defaults.maxAge());
            return new BackupContract(
                    name,
                    true,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    List.of(),
                    List.of(),
                    maxAge,
                    defaults.checkEvery(),
                    defaults.checkSubset(),
                    Optional.ofNullable(archives),
                    Optional.ofNullable(states));
        }
        Map<String, Node> f = fields(
                m,
                path,
                Set.of(
                        "repository",
                        "repositoryFile",
                        "passwordFile",
                        "paths",
                        "verify",
                        "maxAge",
                        "checkEvery",
                        "checkSubset"));
        String repository = Optional.ofNullable(f.get("repository"))
                .map(n -> text(n, path + ".repository"))
                .orElse(null);
        String repositoryFile = Optional.ofNullable(f.get("repositoryFile"))
                .map(n -> text(n, path + ".repositoryFile"))
                .orElse(null);
        if (f.get("repository") == null && f.get("repositoryFile") == null) {
            problem(
                    m,
                    path + ".repository",
                    "is missing; name the restic repository (repository: /srv/restic/" + name
                            + ", or repositoryFile: a file holding a URL with credentials)");
        } else if (f.get("repository") != null && f.get("repositoryFile") != null) {
            problem(f.get("repositoryFile"), path + ".repositoryFile", "give either repository or repositoryFile");
        }
        if (repository != null && CREDENTIALS_IN_URL.matcher(repository).find()) {
            problem(
                    f.get("repository"),
                    path + ".repository",
                    "holds credentials (user:password@); put the URL in a file readable by the runner only and"
                            + " name that file in repositoryFile");
            repository = null;
        }
        String passwordFile = text(require(f, "passwordFile", m, path), path + ".passwordFile");
        List<String> paths = Optional.ofNullable(f.get("paths"))
                .map(n -> hostPaths(n, path + ".paths"))
                .orElse(defaults.paths());
        List<String> verify = Optional.ofNullable(f.get("verify"))
                .map(n -> hostPaths(n, path + ".verify"))
                .orElse(defaults.verify());
        Duration maxAge = duration(f.get("maxAge"), path + ".maxAge", defaults.maxAge());
        Duration checkEvery = duration(f.get("checkEvery"), path + ".checkEvery", defaults.checkEvery());
        String subset = Optional.ofNullable(f.get("checkSubset"))
                .map(n -> text(n, path + ".checkSubset"))
                .orElse(defaults.checkSubset());
        if (subset != null && !validSubset(subset)) {
            problem(
                    f.get("checkSubset"),
                    path + ".checkSubset",
                    "'" + subset + "' is not a share of the data; write n/t (1/10) or a percentage (25%)");
        }
        if (paths == null || verify == null) {
            return null;
        }
        if (paths.isEmpty()) {
            problem(f.get("paths"), path + ".paths", "is empty; list the paths every snapshot must contain");
        }
        for (String v : verify) {
            if (paths.stream().noneMatch(p -> v.equals(p) || v.startsWith(p + "/"))) {
                problem(
                        f.getOrDefault("verify", m),
                        path + ".verify",
                        "'" + v + "' is not under any of the paths " + paths + "; a rehearsal restores only those");
            }
        }
        return new BackupContract(
                name,
                true,
                Optional.ofNullable(repository),
                Optional.ofNullable(repositoryFile),
                Optional.ofNullable(passwordFile),
                paths,
                verify,
                maxAge,
                checkEvery,
                subset,
                Optional.empty(),
                Optional.empty());
    }

    /** Absolute host paths: restic stores and lists them so; only plain characters (they go into commands). */
    private List<String> hostPaths(Node node, String path) {
        List<String> values = strings(node, path);
        if (values == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean valid = true;
        for (String v : values) {
            String normalised = v.length() > 1 ? v.replaceAll("/+$", "") : v;
            if (!HOST_PATH.matcher(normalised).matches()
                    || Arrays.asList(normalised.split("/")).contains("..")) {
                problem(
                        node,
                        path,
                        "'" + v + "' is not an absolute path of plain characters (letters, digits, / . _ - + @),"
                                + " e.g. /var/lib/rustdesk");
                valid = false;
            } else if (!out.contains(normalised)) {
                out.add(normalised);
            }
        }
        return valid ? List.copyOf(out) : null;
    }

    private Duration duration(Node node, String path, Duration fallback) {
        if (node == null) {
            return fallback;
        }
        String value = text(node, path);
        if (value == null) {
            return fallback;
        }
        try {
            return parseDuration(value);
        } catch (IllegalArgumentException e) {
            problem(node, path, "'" + value + "' is not a duration; write a number and a unit: 90s, 30m, 26h, 7d, 2w");
            return fallback;
        }
    }

    /** {@code 90s}, {@code 30m}, {@code 26h}, {@code 7d}, {@code 2w}; at least one second. */
    public static Duration parseDuration(String value) {
        var m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + value);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("zero duration: " + value);
        }
        return d;
    }

    private static boolean validSubset(String subset) {
        var fraction = Pattern.compile("^(\\d{1,6})/(\\d{1,6})$").matcher(subset);
        if (fraction.matches()) {
            int n = Integer.parseInt(fraction.group(1));
            int t = Integer.parseInt(fraction.group(2));
            return n >= 1 && n <= t;
        }
        var percent = Pattern.compile("^(\\d{1,3}(\\.\\d{1,3})?)%$").matcher(subset);
        if (percent.matches()) {
            double p = Double.parseDouble(percent.group(1));
            return p > 0 && p <= 100;
        }
        return false;
    }

    private Cloud cloud(Node node, String path) {
        MappingNode m = mapping(node, path);
        if (m == null) {
            return null;
        }
        Map<String, Node> f = fields(m, path, Set.of("provider", "region", "instance", "compartment"));
        String provider = text(require(f, "provider", m, path), path + ".provider");
        if (provider != null && !provider.equals("oci")) {
            problem(f.get("provider"), path + ".provider", "'" + provider + "' is not supported; use oci");
        }
        return new Cloud(
                provider,
                text(require(f, "region", m, path), path + ".region"),
                text(require(f, "instance", m, path), path + ".instance"),
                text(require(f, "compartment", m, path), path + ".compartment"));
    }

    private Access access(Node node, String path) {
        MappingNode m = mapping(node, path);
        if (m == null) {
            return null;
        }
        Map<String, Node> f = fields(m, path, Set.of("bootstrap", "steady", "hostKey"));
        Node steady = require(f, "steady", m, path);
        String hostKey = null;
        Node hostKeyNode = f.get("hostKey");
        if (hostKeyNode != null) {
            hostKey = text(hostKeyNode, path + ".hostKey");
            if (hostKey != null && !HostKeyTrusted.FINGERPRINT.matcher(hostKey).matches()) {
                problem(
                        hostKeyNode,
                        path + ".hostKey",
                        "'" + hostKey + "' is not a host key fingerprint: it must be SHA256: followed by 43 base64"
                                + " characters, as `ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub` prints it");
                hostKey = null;
            }
        }
        return new Access(
                Optional.ofNullable(f.get("bootstrap"))
                        .map(n -> endpoint(n, path + ".bootstrap"))
                        .orElse(null),
                steady == null ? null : endpoint(steady, path + ".steady"),
                hostKey);
    }

    private Endpoint endpoint(Node node, String path) {
        MappingNode m = mapping(node, path);
        if (m == null) {
            return null;
        }
        Map<String, Node> f = fields(m, path, Set.of("user", "address"));
        String user = text(require(f, "user", m, path), path + ".user");
        Node addressNode = require(f, "address", m, path);
        String address = text(addressNode, path + ".address");
        if (address != null && !ADDRESS.matcher(address).matches()) {
            problem(
                    addressNode,
                    path + ".address",
                    "'" + address + "' is not a host name, an IP, cloud:publicIp or cloud:privateIp");
        }
        return user == null || address == null ? null : new Endpoint(user, address);
    }

    private HostSecrets secrets(Node node, String path) {
        MappingNode m = mapping(node, path);
        if (m == null) {
            return null;
        }
        Map<String, Node> f = fields(m, path, Set.of("files", "recipient", "required"));
        List<String> files = strings(require(f, "files", m, path), path + ".files");
        Node recipientNode = require(f, "recipient", m, path);
        String recipient = text(recipientNode, path + ".recipient");
        if (recipient != null && !AGE_RECIPIENT.matcher(recipient).matches()) {
            problem(
                    recipientNode,
                    path + ".recipient",
                    "is not an age recipient (age1 followed by 58 characters); take it from `age-keygen -y key.txt`");
        }
        List<String> required = Optional.ofNullable(f.get("required"))
                .map(n -> strings(n, path + ".required"))
                .orElse(List.of());
        return new HostSecrets(files == null ? List.of() : files, recipient, required == null ? List.of() : required);
    }

    private Map<String, Node> fields(MappingNode m, String path, Set<String> allowed) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = keyOf(t);
            if (!allowed.contains(key)) {
                problem(
                        t.getKeyNode(),
                        path.equals("(top level)") ? key : path + "." + key,
                        "unknown field; allowed here: "
                                + allowed.stream().sorted().collect(Collectors.joining(", ")));
            } else {
                out.put(key, t.getValueNode());
            }
        }
        return out;
    }

    private Node require(Map<String, Node> fields, String key, Node parent, String path) {
        Node n = fields.get(key);
        if (n == null) {
            problem(parent, path.equals("(top level)") ? key : path + "." + key, "is missing; it is required");
        }
        return n;
    }

    private MappingNode mapping(Node node, String path) {
        if (node instanceof MappingNode m) {
            return m;
        }
        problem(node, path, "must be a mapping (key: value lines)");
        return null;
    }

    private String text(Node node, String path) {
        if (node == null) {
            return null;
        }
        if (node instanceof ScalarNode s && !s.getValue().isBlank()) {
            return s.getValue().trim();
        }
        problem(node, path, "must be a non-empty text value");
        return null;
    }

    private List<String> strings(Node node, String path) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof SequenceNode s)) {
            problem(node, path, "must be a list, e.g. [a, b]");
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Node item : s.getValue()) {
            String v = text(item, path + "[]");
            if (v != null) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    private String keyOf(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(t.getKeyNode());
    }

    private void problem(Node node, String field, String what) {
        int line = node == null ? 0 : node.getStartMark().getLine() + 1;
        problems.add(source + ":" + line + ": " + field + ": " + what);
    }
}
