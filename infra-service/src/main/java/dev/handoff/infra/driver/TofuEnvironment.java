package dev.handoff.infra.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment tofu runs with. {@code tofu init/plan} execute code from the pushed repository (providers, the
 * {@code external} data source), so tofu gets only what it needs — never the service's Kafka, database or API
 * credentials: {@code PATH}, {@code HOME}, locale, time zone, CA certificate and proxy settings, every {@code TF_*}
 * setting (provider mirror, plugin cache, {@code TF_VAR_*}) and {@code OCI_*} provider setting of the service's
 * environment, the names an operator lists in {@code handoff.infra.tofu.inherit-env}, and the values of the file
 * {@code handoff.infra.tofu.env-file} (e.g. {@code PG_CONN_STR} of a {@code pg} backend).
 *
 * <p>It also knows which of those values are secrets (a name that says so, a password inside a connection string),
 * so that no tofu output carrying one leaves the process unmasked.
 */
public final class TofuEnvironment {
    /** Single names passed through from the service's environment. */
    static final Set<String> BASE = Set.of(
            "PATH",
            "HOME",
            "USER",
            "LANG",
            "LC_ALL",
            "TZ",
            "TMPDIR",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "NO_PROXY",
            "https_proxy",
            "http_proxy",
            "no_proxy");

    /** Prefixes passed through: tofu's own settings and the OCI provider's. */
    static final List<String> PREFIXES = List.of("TF_", "OCI_");

    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(PASS|SECRET|TOKEN|KEY|CREDENTIAL|CONN_STR|PRIVATE|AUTH).*");
    private static final Pattern URL_PASSWORD = Pattern.compile("://[^:/@\\s]+:([^@\\s]+)@");
    private static final Pattern KV_PASSWORD = Pattern.compile("(?i)\\bpassword\\s*=\\s*'?([^'\\s]+)'?");

    private final Map<String, String> variables;
    private final Set<String> secrets;

    private TofuEnvironment(Map<String, String> variables, Set<String> secrets) {
        this.variables = Map.copyOf(variables);
        this.secrets = Set.copyOf(secrets);
    }

    /**
     * The environment for tofu.
     *
     * @param service this service's own environment ({@code System.getenv()})
     * @param inherit further names to pass through from it ({@code handoff.infra.tofu.inherit-env})
     * @param set values to set ({@code handoff.infra.tofu.env-file}); they win over inherited ones
     */
    public static TofuEnvironment of(Map<String, String> service, Collection<String> inherit, Map<String, String> set) {
        Map<String, String> env = new TreeMap<>();
        service.forEach((name, value) -> {
            if (BASE.contains(name)
                    || inherit.contains(name)
                    || PREFIXES.stream().anyMatch(name::startsWith)) {
                env.put(name, value);
            }
        });
        env.putAll(set);
        Set<String> secrets = new LinkedHashSet<>();
        env.forEach((name, value) -> {
            if (SECRET_NAME.matcher(name).matches()) {
                secrets.add(value);
            }
            secrets.addAll(passwordsIn(value));
        });
        return new TofuEnvironment(env, secrets);
    }

    /**
     * Reads an environment file: {@code NAME=value} per line, blank lines and lines starting with {@code #} skipped,
     * the value taken as it is (no quotes removed, no expansion).
     *
     * @throws IllegalArgumentException naming the file and line when a line is not {@code NAME=value} or the file
     *     cannot be read
     */
    public static Map<String, String> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read handoff.infra.tofu.env-file " + file + ": " + e.getMessage()
                            + "; make it readable by the service or unset the key",
                    e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String name = eq < 0 ? "" : line.substring(0, eq).strip();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not NAME=value (the value is not"
                        + " shown); fix handoff.infra.tofu.env-file");
            }
            env.put(name, line.substring(eq + 1));
        }
        return env;
    }

    /** The passwords written inside a connection string ({@code scheme://user:password@…}, {@code password=…}). */
    static Set<String> passwordsIn(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value == null) {
            return out;
        }
        Matcher url = URL_PASSWORD.matcher(value);
        while (url.find()) {
            out.add(url.group(1));
        }
        Matcher kv = KV_PASSWORD.matcher(value);
        while (kv.find()) {
            out.add(kv.group(1));
        }
        return out;
    }

    /** The base environment with {@code extra} (e.g. {@code TF_VAR_*} of earlier stacks' outputs) on top. */
    public Map<String, String> with(Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>(variables);
        env.putAll(extra);
        return env;
    }

    /** The base environment. */
    public Map<String, String> variables() {
        return variables;
    }

    /** The secret values among it, for the redactor. */
    public Set<String> secrets() {
        return secrets;
    }
}
