package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dependency lock file {@code .terraform.lock.hcl} ({@code internal/depsfile}) and the lab's provider registry:
 * the releases the stand-in "installs", their signing keys and their package hashes (one {@code h1:} for linux_amd64
 * and {@code zh:} zip hashes, deterministic per provider and version).
 */
final class ProviderLocks {
    static final String FILE = ".terraform.lock.hcl";
    static final String PLATFORM = "linux_amd64";

    /** One provider's lock: version, constraints (may be null), hashes (sorted). */
    record Lock(String address, String version, String constraints, List<String> hashes) {}

    /** By full provider address, sorted as {@code addrs.Provider.LessThan} sorts them. */
    final Map<String, Lock> locks = new TreeMap<>();

    /** Releases of the lab registry, oldest first, and the key ID that signs them. */
    private record Releases(List<String> versions, String keyId) {}

    private static final Map<String, Releases> REGISTRY = Map.of(
            "registry.opentofu.org/oracle/oci",
                    new Releases(List.of("6.18.0", "6.19.0", "6.20.0", "6.21.0"), "1533A49284137CEB"),
            "registry.opentofu.org/hashicorp/random",
                    new Releases(List.of("3.5.1", "3.6.0", "3.6.1", "3.6.2", "3.6.3"), "0C0AF313E5FD9F80"),
            "registry.opentofu.org/hashicorp/null", new Releases(List.of("3.2.2", "3.2.3"), "0C0AF313E5FD9F80"),
            "registry.opentofu.org/hashicorp/tls", new Releases(List.of("4.0.5", "4.0.6"), "0C0AF313E5FD9F80"),
            "registry.opentofu.org/hashicorp/local", new Releases(List.of("2.5.1", "2.5.2"), "0C0AF313E5FD9F80"),
            "registry.opentofu.org/hashicorp/time", new Releases(List.of("0.12.0", "0.12.1"), "0C0AF313E5FD9F80"),
            "registry.opentofu.org/hashicorp/cloudinit", new Releases(List.of("2.3.4", "2.3.5"), "0C0AF313E5FD9F80"));

    boolean empty() {
        return locks.isEmpty();
    }

    /** Parses a lock file. */
    static ProviderLocks parse(String name, String text) {
        ProviderLocks out = new ProviderLocks();
        Hcl.File file;
        try {
            file = Hcl.parse(name, text);
        } catch (Hcl.SyntaxError e) {
            throw new Failure(Diag.error(e.summary, e.getMessage(), e.range));
        }
        for (Hcl.Block b : file.body().blocks("provider")) {
            String version = b.body()
                    .attribute("version")
                    .map(a -> String.valueOf(TofuConfig.literal(a.expr())))
                    .orElse(null);
            if (version == null) {
                throw new Failure(Diag.error(
                        "Missing required argument",
                        "The argument \"version\" is required, but no definition was found.",
                        b.defRange()));
            }
            String constraints = b.body()
                    .attribute("constraints")
                    .map(a -> String.valueOf(TofuConfig.literal(a.expr())))
                    .orElse(null);
            List<String> hashes = new ArrayList<>();
            b.body().attribute("hashes").ifPresent(a -> {
                Object v = TofuConfig.literal(a.expr());
                if (v instanceof List<?> l) {
                    l.forEach(h -> hashes.add(String.valueOf(h)));
                }
            });
            out.locks.put(b.label(0), new Lock(b.label(0), version, constraints, List.copyOf(new TreeSet<>(hashes))));
        }
        return out;
    }

    /** The file as {@code depsfile.SaveLocksToBytes} writes it (hclwrite's alignment included). */
    String write() {
        StringBuilder b = new StringBuilder("# This file is maintained automatically by \"tofu init\".\n"
                + "# Manual edits may be lost in future updates.\n");
        for (Lock l : locks.values()) {
            b.append("\nprovider ").append(Json.quote(l.address())).append(" {\n");
            if (l.constraints() != null && !l.constraints().isEmpty()) {
                b.append("  version     = ").append(Json.quote(l.version())).append('\n');
                b.append("  constraints = ").append(Json.quote(l.constraints())).append('\n');
            } else {
                b.append("  version = ").append(Json.quote(l.version())).append('\n');
            }
            if (!l.hashes().isEmpty()) {
                b.append("  hashes = [\n");
                for (String h : l.hashes()) {
                    b.append("    ").append(Json.quote(h)).append(",\n");
                }
                b.append("  ]\n");
            }
            b.append("}\n");
        }
        return b.toString();
    }

    /** {@code Locks.Equal}. */
    boolean sameAs(ProviderLocks other) {
        return locks.equals(other.locks);
    }

    /** {@code Locks.EqualProviderAddress}. */
    boolean sameProviders(ProviderLocks other) {
        return locks.keySet().equals(other.locks.keySet());
    }

    // ---------------------------------------------------------------- registry

    /** Whether the provider can be locked (not built in). */
    static boolean lockable(String address) {
        return !address.startsWith("terraform.io/builtin/");
    }

    static boolean known(String address) {
        return REGISTRY.containsKey(address);
    }

    static String keyId(String address) {
        return REGISTRY.containsKey(address) ? REGISTRY.get(address).keyId() : "";
    }

    /** The newest release meeting the constraints, or null. */
    static String newest(String address, String constraints) {
        List<String> versions = REGISTRY.get(address).versions();
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (allows(constraints, versions.get(i))) {
                return versions.get(i);
            }
        }
        return null;
    }

    /** The lab's package hashes of a release: its linux_amd64 {@code h1:} and the registry's {@code zh:} hashes. */
    static List<String> hashes(String address, String version) {
        TreeSet<String> out = new TreeSet<>();
        out.add("h1:" + Base64.getEncoder().encodeToString(sha256(address + "@" + version + "/" + PLATFORM)));
        String[] platforms = {
            "darwin_amd64",
            "darwin_arm64",
            "freebsd_386",
            "freebsd_amd64",
            "freebsd_arm",
            "linux_386",
            "linux_amd64",
            "linux_arm",
            "linux_arm64",
            "openbsd_amd64",
            "windows_386",
            "windows_amd64"
        };
        for (String p : platforms) {
            out.add("zh:" + HexFormat.of().formatHex(sha256(address + "_" + version + "_" + p + ".zip")));
        }
        return List.copyOf(out);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- version constraints

    /** {@code getproviders.VersionConstraintsString}: the constraints normalized ({@code ~> 6.0, >= 1.2}). */
    static String normalize(String constraints) {
        if (constraints == null || constraints.isBlank()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String c : constraints.split(",")) {
            String[] opVersion = split(c.strip());
            out.add(
                    opVersion[0].isEmpty() || opVersion[0].equals("=")
                            ? opVersion[1]
                            : opVersion[0] + " " + opVersion[1]);
        }
        return String.join(", ", out);
    }

    private static String[] split(String c) {
        int i = 0;
        while (i < c.length() && "~><=!".indexOf(c.charAt(i)) >= 0) {
            i++;
        }
        return new String[] {c.substring(0, i), c.substring(i).strip()};
    }

    /** Whether a version meets every constraint (apparentlymart/go-versions semantics for the common operators). */
    static boolean allows(String constraints, String version) {
        if (constraints == null || constraints.isBlank()) {
            return true;
        }
        int[] v = parse(version);
        for (String c : constraints.split(",")) {
            String[] opVersion = split(c.strip());
            String op = opVersion[0];
            String given = opVersion[1];
            int[] w = parse(given);
            int cmp = compare(v, w);
            boolean ok = switch (op) {
                case "", "=" -> cmp == 0;
                case "!=" -> cmp != 0;
                case ">" -> cmp > 0;
                case ">=" -> cmp >= 0;
                case "<" -> cmp < 0;
                case "<=" -> cmp <= 0;
                case "~>" -> {
                    int parts = given.split("\\.").length;
                    int[] upper = w.clone();
                    if (parts <= 1) {
                        upper = new int[] {w[0] + 1, 0, 0};
                    } else if (parts == 2) {
                        upper = new int[] {w[0] + 1, 0, 0};
                    } else {
                        upper = new int[] {w[0], w[1] + 1, 0};
                    }
                    yield cmp >= 0 && compare(v, upper) < 0;
                }
                default ->
                    throw new Failure(Diag.error(
                            "Invalid version constraint",
                            "The version constraint " + Json.quote(c.strip()) + " is not valid."));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int[] parse(String version) {
        String[] p = version.strip().replaceFirst("^v", "").split("[.-]");
        int[] out = new int[3];
        for (int i = 0; i < 3 && i < p.length; i++) {
            try {
                out[i] = Integer.parseInt(p[i]);
            } catch (NumberFormatException e) {
                out[i] = 0;
            }
        }
        return out;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProviderLocks p && p.locks.equals(locks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(locks);
    }
}
