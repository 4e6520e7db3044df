package dev.handoff.sops;

import dev.handoff.sops.SopsFile.LeafAt;
import dev.handoff.sops.SopsMetadata.AgeStanza;
import dev.handoff.sops.SopsNode.Leaf;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Opens a SOPS file with an age identity: decrypts the data key, checks that every encrypted value authenticates
 * under its key path, and recomputes the MAC (SHA-512 over every value's plaintext in document order) against the
 * stored one. Plaintexts live only inside a verification and are wiped after hashing.
 */
public final class SopsDecryption {
    /** SHA-256("sops"): what sops hashes first when {@code mac_only_encrypted} is set. */
    private static final byte[] MAC_ONLY_ENCRYPTED_INIT =
            HexFormat.of().parseHex("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69");

    private SopsDecryption() {}

    /**
     * What a verification found.
     *
     * @param macVerified whether the data key opened, every value authenticated and the MAC matched
     * @param findings every problem: values that do not authenticate (each named by key path), a wrong MAC, an
     *     identity that cannot open the file
     */
    public record Result(boolean macVerified, List<SopsFinding> findings) {}

    /** Verifies every value and the MAC of {@code file} with {@code identity}. */
    public static Result verify(SopsFile file, AgeIdentity identity) {
        return run(file, identity, (leaf, plain) -> {});
    }

    /**
     * The decrypted values by key path, in document order. For tests and operator tools only: services publish
     * {@link #verify} results, never this.
     *
     * @throws IllegalStateException when the file does not verify
     */
    public static Map<String, List<String>> values(SopsFile file, AgeIdentity identity) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Result result = run(
                file,
                identity,
                (leaf, plain) -> values.computeIfAbsent(leaf.keyPath(), k -> new ArrayList<>())
                        .add(new String(plain, StandardCharsets.UTF_8)));
        if (!result.macVerified()) {
            throw new IllegalStateException(file.path() + " does not verify: " + result.findings());
        }
        return values;
    }

    private static Result run(SopsFile file, AgeIdentity identity, BiConsumer<LeafAt, byte[]> onPlaintext) {
        String path = file.path();
        List<SopsFinding> findings = new ArrayList<>();
        Optional<SopsMetadata> metadata = file.metadata();
        if (metadata.isEmpty()) {
            findings.add(new SopsFinding(
                    "not-verifiable", path, path + ": no readable sops section, so nothing can be decrypted"));
            return new Result(false, findings);
        }
        Optional<byte[]> dataKey = dataKey(metadata.get(), identity);
        if (dataKey.isEmpty()) {
            findings.add(new SopsFinding(
                    "identity-cannot-decrypt",
                    path,
                    path + ": the validation identity " + identity.recipients()
                            + " cannot open the file's data key (its recipients are "
                            + metadata.get().recipients()
                            + "); add the identity's recipient to the creation rule in .sops.yaml and run"
                            + " sops updatekeys " + path));
            return new Result(false, findings);
        }
        byte[] key = dataKey.get();
        try {
            MessageDigest hash = sha512();
            boolean macOnlyEncrypted = metadata.get().rules().macOnlyEncrypted();
            if (macOnlyEncrypted) {
                hash.update(MAC_ONLY_ENCRYPTED_INIT);
            }
            for (LeafAt leaf : file.leaves()) {
                if (leaf.value().isPresent()) {
                    Optional<byte[]> plain =
                            ValueCipher.decrypt(key, leaf.value().get(), leaf.aad());
                    if (plain.isEmpty()) {
                        findings.add(new SopsFinding(
                                "value-tampered",
                                path + "#" + leaf.keyPath(),
                                path + ": " + leaf.keyPath() + " (line "
                                        + leaf.leaf().line()
                                        + ") does not decrypt with the file's data key: the value, its key path, iv"
                                        + " or tag was changed after encryption. Restore the file from history or"
                                        + " set the value again with sops"));
                        continue;
                    }
                    byte[] bytes = plain.get();
                    if (!"comment".equals(leaf.value().get().type())) {
                        hash.update(bytes);
                    }
                    onPlaintext.accept(leaf, bytes);
                    Arrays.fill(bytes, (byte) 0);
                } else if (!macOnlyEncrypted || leaf.encrypts()) {
                    hash.update(macBytes(leaf.leaf()));
                }
            }
            mac(file, metadata.get(), key, hash.digest(), findings);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        return new Result(findings.isEmpty(), List.copyOf(findings));
    }

    private static void mac(
            SopsFile file, SopsMetadata metadata, byte[] key, byte[] computed, List<SopsFinding> findings) {
        String path = file.path();
        if (metadata.mac().isEmpty() || metadata.lastModified().isEmpty()) {
            findings.add(new SopsFinding(
                    "mac-not-verifiable",
                    path,
                    path + ": sops.mac or sops.lastmodified is missing; re-encrypt with sops"));
            return;
        }
        Optional<EncryptedValue> stored =
                EncryptedValue.parse(metadata.mac().get()).value();
        Optional<byte[]> storedMac = stored.flatMap(
                v -> ValueCipher.decrypt(key, v, metadata.lastModified().get()));
        if (storedMac.isEmpty()) {
            findings.add(
                    new SopsFinding(
                            "mac-tampered",
                            path,
                            path
                                    + ": sops.mac does not decrypt with the data key under sops.lastmodified: the MAC or the"
                                    + " lastmodified time was changed. Restore the file from history or re-encrypt it with sops"));
            return;
        }
        String expected = new String(storedMac.get(), StandardCharsets.US_ASCII);
        String actual = HexFormat.of().withUpperCase().formatHex(computed);
        if (!MessageDigest.isEqual(
                expected.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                actual.getBytes(StandardCharsets.US_ASCII))) {
            String firstBad = findings.stream()
                    .filter(f -> f.code().equals("value-tampered"))
                    .map(f -> f.subject().substring(path.length() + 1))
                    .findFirst()
                    .map(p -> " (first bad value: " + p + ")")
                    .orElse(" (values, their order or an unencrypted value changed)");
            findings.add(new SopsFinding(
                    "mac-mismatch",
                    path,
                    path + ": the MAC does not match the file's values: it was changed outside sops" + firstBad
                            + ". Restore it from history or edit it with sops"));
        }
    }

    private static Optional<byte[]> dataKey(SopsMetadata metadata, AgeIdentity identity) {
        List<AgeStanza> ordered = new ArrayList<>();
        metadata.ageStanzas().stream()
                .filter(s -> identity.recipients().contains(s.recipient()))
                .forEach(ordered::add);
        metadata.ageStanzas().stream()
                .filter(s -> !identity.recipients().contains(s.recipient()))
                .forEach(ordered::add);
        for (AgeStanza stanza : ordered) {
            Optional<byte[]> key = identity.open(stanza.armoredDataKey());
            if (key.isPresent() && key.get().length == 32) {
                return key;
            }
        }
        return Optional.empty();
    }

    /** The bytes sops hashes for an unencrypted leaf (Go's {@code ToBytes}). */
    static byte[] macBytes(Leaf leaf) {
        String text = leaf.text();
        String canonical = switch (leaf.kind()) {
            case STRING, NULL -> text;
            case BOOL -> text.equalsIgnoreCase("true") ? "True" : "False";
            case INT -> goInt(text);
            case FLOAT -> goFloat(text);
        };
        return canonical.getBytes(StandardCharsets.UTF_8);
    }

    private static String goInt(String text) {
        try {
            String t = text.startsWith("+") ? text.substring(1) : text;
            if (t.startsWith("0x")) {
                return new BigInteger(t.substring(2), 16).toString();
            }
            if (t.startsWith("0o")) {
                return new BigInteger(t.substring(2), 8).toString();
            }
            return new BigInteger(t).toString();
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private static String goFloat(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.endsWith(".inf")) {
            return t.startsWith("-") ? "-Inf" : "+Inf";
        }
        if (t.equals(".nan")) {
            return "NaN";
        }
        try {
            double d = Double.parseDouble(text);
            return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 missing from the JDK", e);
        }
    }
}
