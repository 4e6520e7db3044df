package dev.handoff.sops;

import dev.handoff.sops.SopsNode.Branch;
import dev.handoff.sops.SopsNode.Entry;
import dev.handoff.sops.SopsNode.Kind;
import dev.handoff.sops.SopsNode.Leaf;
import dev.handoff.sops.SopsNode.Sequence;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * A SOPS file as read and checked without any key: its structure, recipients, key paths and fingerprint, and every
 * structural problem. Decrypting and verifying the MAC is {@link SopsDecryption}'s job.
 */
public final class SopsFile {
    /** The default size limit of a SOPS file: far above any real one, far below what could hurt the service. */
    public static final long DEFAULT_MAX_BYTES = 1024 * 1024;

    /**
     * The most findings one check of one file reports (inspecting, and again verifying); the rest are counted in one
     * {@code more-findings} summary. A megabyte of one-character values would otherwise be half a million findings.
     */
    public static final int MAX_FINDINGS_PER_FILE = 100;

    /** Key paths longer than this are shortened in findings: a key can be almost as long as the file. */
    private static final int MAX_SHOWN_KEY_PATH = 200;

    private final String path;
    private final String sha256;
    private final Optional<SopsMetadata> metadata;
    private final List<LeafAt> leaves;
    private final Branch data;
    private final List<SopsFinding> findings;

    /**
     * A leaf of the data (outside {@code sops}) with the mapping keys leading to it.
     *
     * @param path the mapping keys from the root (list indices are not part of it)
     * @param leaf the leaf
     * @param encrypts whether the file's rules say it must be encrypted
     * @param value the parsed encrypted value, when the leaf is one and well formed
     */
    public record LeafAt(List<String> path, Leaf leaf, boolean encrypts, Optional<EncryptedValue> value) {
        /** The key path with {@code /} separators, e.g. {@code tailscale/auth_key}. */
        public String keyPath() {
            return String.join("/", path);
        }

        /** {@link #keyPath}, shortened for a finding when it is very long. */
        public String shownKeyPath() {
            String keyPath = keyPath();
            return keyPath.length() <= MAX_SHOWN_KEY_PATH
                    ? keyPath
                    : keyPath.substring(0, MAX_SHOWN_KEY_PATH) + "…(" + keyPath.length() + " characters)";
        }

        /** The additional data sops binds the value to: keys joined by {@code :} plus a trailing {@code :}. */
        public String aad() {
            return String.join(":", path) + ":";
        }
    }

    private SopsFile(
            String path,
            String sha256,
            Optional<SopsMetadata> metadata,
            Branch data,
            List<LeafAt> leaves,
            List<SopsFinding> findings) {
        this.path = path;
        this.sha256 = sha256;
        this.metadata = metadata;
        this.data = data;
        this.leaves = List.copyOf(leaves);
        this.findings = List.copyOf(findings);
    }

    /**
     * A file that was not read because it is larger than {@code maxBytes}.
     *
     * @param size its size in bytes
     */
    public static SopsFile tooLarge(String path, long size, long maxBytes) {
        return failed(
                path,
                "",
                new SopsFinding(
                        "file-too-large",
                        path,
                        path + ": " + size + " bytes, more than the limit of " + maxBytes
                                + " bytes for a SOPS file; it was not read. Split the file, or raise"
                                + " handoff.secrets.max-file-bytes if it is really meant to be this large"));
    }

    /** Reads and checks {@code content} as the SOPS file {@code path}, refusing more than {@code maxBytes}. */
    public static SopsFile inspect(String path, byte[] content, long maxBytes) {
        if (content.length > maxBytes) {
            return tooLarge(path, content.length, maxBytes);
        }
        String sha256 = sha256(content);
        Optional<SopsFormat> format = SopsFormat.forPath(path);
        if (format.isEmpty()) {
            return failed(
                    path,
                    sha256,
                    new SopsFinding(
                            "unsupported-format",
                            path,
                            path + ": not a .yaml, .yml or .json file; Handoff verifies SOPS files in YAML or JSON"));
        }
        Branch root;
        try {
            root = SopsParser.parse(content, format.get(), maxBytes);
        } catch (SopsFormatException e) {
            return failed(path, sha256, new SopsFinding(e.code(), path, path + ": " + e.getMessage()));
        }
        CappedFindings findings = new CappedFindings(path, MAX_FINDINGS_PER_FILE);
        Optional<SopsNode> sops = root.get("sops");
        Optional<SopsMetadata> metadata = Optional.empty();
        if (sops.isEmpty() || !(sops.get() instanceof Branch sopsBranch)) {
            findings.add(new SopsFinding(
                    "not-sops",
                    path,
                    path + ": no sops metadata section: this is not a SOPS-encrypted file. Encrypt it with"
                            + " sops --encrypt --in-place " + path));
        } else {
            metadata = Optional.of(SopsMetadata.read(path, sopsBranch, findings));
        }
        EncryptionRules rules = metadata.map(SopsMetadata::rules).orElse(EncryptionRules.defaults());
        Branch data = new Branch(
                root.entries().stream().filter(e -> !e.key().equals("sops")).toList(), root.line());
        List<LeafAt> leaves = new ArrayList<>();
        walk(data, new ArrayList<>(), rules, leaves);
        for (LeafAt leaf : leaves) {
            check(path, leaf, findings);
        }
        return new SopsFile(path, sha256, metadata, data, leaves, findings.toList());
    }

    private static SopsFile failed(String path, String sha256, SopsFinding finding) {
        return new SopsFile(path, sha256, Optional.empty(), new Branch(List.of(), 0), List.of(), List.of(finding));
    }

    private static void walk(SopsNode node, List<String> path, EncryptionRules rules, List<LeafAt> out) {
        if (node instanceof Branch b) {
            for (Entry e : b.entries()) {
                path.add(e.key());
                walk(e.value(), path, rules, out);
                path.remove(path.size() - 1);
            }
        } else if (node instanceof Sequence s) {
            for (SopsNode item : s.items()) {
                walk(item, path, rules, out);
            }
        } else {
            Leaf l = (Leaf) node;
            if (l.kind() == Kind.NULL) {
                return; // sops skips null leaves
            }
            List<String> p = List.copyOf(path);
            boolean encrypts = rules.encrypts(p);
            Optional<EncryptedValue> value = Optional.empty();
            if (encrypts && l.kind() == Kind.STRING && EncryptedValue.looksEncrypted(l.text())) {
                value = EncryptedValue.parse(l.text()).value();
            }
            out.add(new LeafAt(p, l, encrypts, value));
        }
    }

    private static void check(String file, LeafAt at, CappedFindings findings) {
        if (!at.encrypts()) {
            return;
        }
        Leaf leaf = at.leaf();
        if (leaf.kind() == Kind.STRING && leaf.text().isEmpty()) {
            return; // sops leaves empty strings as they are
        }
        if (leaf.kind() == Kind.STRING && EncryptedValue.looksEncrypted(leaf.text())) {
            if (at.value().isEmpty()) {
                findings.add(() -> new SopsFinding(
                        "malformed-value",
                        subject(file, at),
                        where(file, at) + ": "
                                + EncryptedValue.parse(leaf.text()).problem() + "; re-encrypt the value with sops"));
            }
            return;
        }
        findings.add(() -> new SopsFinding(
                "unencrypted-value",
                subject(file, at),
                where(file, at) + " holds a plaintext value although the file's rules say it must be encrypted;"
                        + " encrypt it with sops (or rename the key with the unencrypted suffix if it is not secret)"));
    }

    /** {@code <file>#<key/path>}, the subject of a finding about one value. */
    static String subject(String file, LeafAt at) {
        return file + "#" + at.shownKeyPath();
    }

    /** {@code <file>: <key/path> (line n)}, how a finding about one value starts. */
    static String where(String file, LeafAt at) {
        return file + ": " + at.shownKeyPath() + " (line " + at.leaf().line() + ")";
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The file's path in its repository. */
    public String path() {
        return path;
    }

    /** Lower-case hex SHA-256 of the file's bytes (empty when the file was not read). */
    public String sha256() {
        return sha256;
    }

    /** The {@code sops} section, if the file has a readable one. */
    public Optional<SopsMetadata> metadata() {
        return metadata;
    }

    /** The data leaves, in document order. */
    public List<LeafAt> leaves() {
        return leaves;
    }

    /** The distinct key paths of the data leaves, in document order ({@code tailscale/auth_key}). */
    public List<String> keyPaths() {
        return List.copyOf(
                new LinkedHashSet<>(leaves.stream().map(LeafAt::keyPath).toList()));
    }

    /** The file's age recipients, in order. */
    public List<String> recipients() {
        return metadata.map(SopsMetadata::recipients).orElse(List.of());
    }

    /** Whether {@code keyPath} ({@code a/b} = {@code a: {b: …}}) names a non-null value of the data. */
    public boolean has(String keyPath) {
        SopsNode node = data;
        for (String key : keyPath.split("/", -1)) {
            if (!(node instanceof Branch b)) {
                return false;
            }
            Optional<SopsNode> next = b.get(key);
            if (next.isEmpty()) {
                return false;
            }
            node = next.get();
        }
        return !(node instanceof Leaf l && l.kind() == Kind.NULL);
    }

    /** Every structural problem, in the order found; empty for a well-formed file. */
    public List<SopsFinding> findings() {
        return findings;
    }

    @Override
    public String toString() {
        return "SopsFile[" + path + ", " + leaves.size() + " values, " + findings.size() + " findings]";
    }
}
