package dev.handoff.sops;

import dev.handoff.sops.SopsNode.Branch;
import dev.handoff.sops.SopsNode.Entry;
import dev.handoff.sops.SopsNode.Kind;
import dev.handoff.sops.SopsNode.Leaf;
import dev.handoff.sops.SopsNode.Sequence;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Encrypts a plaintext YAML document into a SOPS file for age recipients, as {@code sops --encrypt} does with its
 * default rules ({@code unencrypted_suffix: _unencrypted}): a fresh data key, every value AES-256-GCM encrypted under
 * its key path, the MAC over every plaintext in order, the data key sealed to each recipient. The output is YAML in
 * sops's layout (four-space indent, the {@code sops} section last).
 */
public final class SopsEncryptor {
    /** The sops version whose file format this writer produces. */
    public static final String FORMAT_VERSION = "3.9.0";

    private static final Pattern PLAIN_SAFE = Pattern.compile("^[A-Za-z_/][A-Za-z0-9_./@+-]*$");
    private static final Pattern YAML11_WORDS =
            Pattern.compile("^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$");
    private static final DateTimeFormatter RFC3339 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final SecureRandom random;

    public SopsEncryptor(SecureRandom random) {
        this.random = random;
    }

    /**
     * Encrypts the plaintext YAML {@code plaintext} for {@code recipients}.
     *
     * @param source names the plaintext in errors
     * @param lastModified the file's {@code lastmodified} (whole seconds, UTC)
     * @throws SopsFormatException when the plaintext is not a YAML mapping
     */
    public String encryptYaml(String source, byte[] plaintext, List<String> recipients, Instant lastModified)
            throws SopsFormatException {
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException(source + ": no age recipient to encrypt for");
        }
        Branch root = SopsParser.parse(plaintext, SopsFormat.YAML, SopsFile.DEFAULT_MAX_BYTES);
        if (root.get("sops").isPresent()) {
            throw new SopsFormatException("already-encrypted", source + " already has a sops section");
        }
        byte[] dataKey = new byte[32];
        random.nextBytes(dataKey);
        try {
            MessageDigest hash = MessageDigest.getInstance("SHA-512");
            EncryptionRules rules = EncryptionRules.defaults();
            StringBuilder out = new StringBuilder();
            branch(root, 0, new ArrayList<>(), rules, dataKey, hash, out);
            String modified = RFC3339.format(lastModified.truncatedTo(ChronoUnit.SECONDS));
            String mac = HexFormat.of().withUpperCase().formatHex(hash.digest());
            EncryptedValue macValue =
                    ValueCipher.encrypt(dataKey, mac.getBytes(StandardCharsets.US_ASCII), modified, "str", random);
            out.append("sops:\n    age:\n");
            for (String recipient : recipients) {
                out.append("        - recipient: ").append(recipient).append('\n');
                out.append("          enc: |\n");
                for (String line : AgeIdentity.seal(dataKey, recipient).split("\n")) {
                    out.append("            ").append(line).append('\n');
                }
            }
            out.append("    lastmodified: \"").append(modified).append("\"\n");
            out.append("    mac: ").append(macValue.format()).append('\n');
            out.append("    unencrypted_suffix: ")
                    .append(EncryptionRules.DEFAULT_UNENCRYPTED_SUFFIX)
                    .append('\n');
            out.append("    version: ").append(FORMAT_VERSION).append('\n');
            return out.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 missing from the JDK", e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private void branch(
            Branch branch,
            int indent,
            List<String> path,
            EncryptionRules rules,
            byte[] key,
            MessageDigest hash,
            StringBuilder out) {
        for (Entry e : branch.entries()) {
            out.append(" ".repeat(indent)).append(scalarText(e.key())).append(':');
            path.add(e.key());
            value(e.value(), indent, path, rules, key, hash, out);
            path.remove(path.size() - 1);
        }
    }

    private void value(
            SopsNode node,
            int indent,
            List<String> path,
            EncryptionRules rules,
            byte[] key,
            MessageDigest hash,
            StringBuilder out) {
        if (node instanceof Branch b) {
            if (b.entries().isEmpty()) {
                out.append(" {}\n");
            } else {
                out.append('\n');
                branch(b, indent + 4, path, rules, key, hash, out);
            }
        } else if (node instanceof Sequence s) {
            if (s.items().isEmpty()) {
                out.append(" []\n");
                return;
            }
            out.append('\n');
            for (SopsNode item : s.items()) {
                out.append(" ".repeat(indent + 4)).append('-');
                if (item instanceof Branch b && !b.entries().isEmpty()) {
                    StringBuilder nested = new StringBuilder();
                    branch(b, indent + 6, path, rules, key, hash, nested);
                    out.append(' ').append(nested.substring(indent + 6));
                } else if (item instanceof Leaf l) {
                    out.append(' ').append(leaf(l, path, rules, key, hash)).append('\n');
                } else {
                    throw new IllegalArgumentException("lists of lists and empty mappings in lists are not supported");
                }
            }
        } else {
            out.append(' ').append(leaf((Leaf) node, path, rules, key, hash)).append('\n');
        }
    }

    private String leaf(Leaf leaf, List<String> path, EncryptionRules rules, byte[] key, MessageDigest hash) {
        if (leaf.kind() == Kind.NULL) {
            return "null";
        }
        byte[] plain = TypedPlaintext.macBytes(leaf);
        hash.update(plain);
        if (!rules.encrypts(path)) {
            return leaf.kind() == Kind.STRING ? scalarText(leaf.text()) : leaf.text();
        }
        if (plain.length == 0) {
            return "\"\"";
        }
        String type = switch (leaf.kind()) {
            case INT -> "int";
            case FLOAT -> "float";
            case BOOL -> "bool";
            default -> "str";
        };
        String aad = String.join(":", path) + ":";
        String encrypted = ValueCipher.encrypt(key, plain, aad, type, random).format();
        Arrays.fill(plain, (byte) 0);
        return encrypted;
    }

    /** A string as a YAML scalar: plain when that reads back as the same string, else double-quoted. */
    static String scalarText(String text) {
        if (PLAIN_SAFE.matcher(text).matches()
                && SopsParser.resolve(text) == Kind.STRING
                && !YAML11_WORDS.matcher(text).matches()) {
            return text;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                case '\r' -> quoted.append("\\r");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
