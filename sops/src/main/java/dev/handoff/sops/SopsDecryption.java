package dev.handoff.sops;

import dev.handoff.sops.SopsFile.LeafAt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
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
        CappedFindings findings = new CappedFindings(path, SopsFile.MAX_FINDINGS_PER_FILE);
        Optional<SopsMetadata> metadata = file.metadata();
        if (metadata.isEmpty()) {
            findings.add(new SopsFinding(
                    "not-verifiable", path, path + ": no readable sops section, so nothing can be decrypted"));
            return new Result(false, findings.toList());
        }
        DataKeyUnwrap unwrap = DataKeyUnwrap.open(path, metadata.get(), identity);
        unwrap.findings().forEach(findings::add);
        if (unwrap.dataKey().isEmpty()) {
            findings.add(new SopsFinding(
                    "identity-cannot-decrypt",
                    path,
                    path + ": the validation identity " + identity.recipients()
                            + " cannot open the file's data key (its recipients are "
                            + metadata.get().recipients()
                            + "); add the identity's recipient to the creation rule in .sops.yaml and run"
                            + " sops updatekeys " + path));
            return new Result(false, findings.toList());
        }
        byte[] key = unwrap.dataKey().get();
        try {
            MessageDigest hash = sha512();
            boolean macOnlyEncrypted = metadata.get().rules().macOnlyEncrypted();
            if (macOnlyEncrypted) {
                hash.update(MAC_ONLY_ENCRYPTED_INIT);
            }
            for (LeafAt leaf : file.leaves()) {
                if (leaf.value().isPresent()) {
                    value(path, key, leaf, hash, findings, onPlaintext);
                } else if (!macOnlyEncrypted || leaf.encrypts()) {
                    hash.update(TypedPlaintext.macBytes(leaf.leaf()));
                }
            }
            mac(file, metadata.get(), key, hash.digest(), findings);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        return new Result(findings.isEmpty(), findings.toList());
    }

    /** Decrypts one value, reads it by its type as sops does and hashes what sops hashes. */
    private static void value(
            String path,
            byte[] key,
            LeafAt leaf,
            MessageDigest hash,
            CappedFindings findings,
            BiConsumer<LeafAt, byte[]> onPlaintext) {
        EncryptedValue value = leaf.value().get();
        Optional<byte[]> plain = ValueCipher.decrypt(key, value, leaf.aad());
        if (plain.isEmpty()) {
            findings.add(() -> new SopsFinding(
                    "value-tampered",
                    SopsFile.subject(path, leaf),
                    SopsFile.where(path, leaf)
                            + " does not decrypt with the file's data key: the value, its key path, iv or tag was"
                            + " changed after encryption. Restore the file from history or set the value again with"
                            + " sops"));
            return;
        }
        byte[] bytes = plain.get();
        try {
            Optional<byte[]> hashed = TypedPlaintext.macBytes(value.type(), bytes);
            if (hashed.isEmpty()) {
                findings.add(() -> new SopsFinding(
                        "value-type-invalid",
                        SopsFile.subject(path, leaf),
                        SopsFile.where(path, leaf) + " is marked type:" + value.type()
                                + " but its decrypted value is not " + TypedPlaintext.expected(value.type())
                                + ", so sops refuses the file: the type was changed after encryption (it is not"
                                + " authenticated). Restore the file from history or set the value again with sops"));
                return;
            }
            hash.update(hashed.get());
            Arrays.fill(hashed.get(), (byte) 0);
            onPlaintext.accept(leaf, bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static void mac(
            SopsFile file, SopsMetadata metadata, byte[] key, byte[] computed, CappedFindings findings) {
        String path = file.path();
        if (metadata.mac().isEmpty() || metadata.lastModified().isEmpty()) {
            findings.add(new SopsFinding(
                    "mac-not-verifiable",
                    path,
                    path + ": sops.mac or sops.lastmodified is missing; re-encrypt with sops"));
            return;
        }
        Optional<String> additionalData = metadata.macAdditionalData();
        if (additionalData.isEmpty()) {
            findings.add(new SopsFinding(
                    "mac-not-verifiable",
                    path,
                    path + ": sops.lastmodified is not an RFC 3339 time as sops reads it, so sops cannot check the"
                            + " MAC and refuses the file; re-encrypt it with sops"));
            return;
        }
        Optional<EncryptedValue> stored =
                EncryptedValue.parse(metadata.mac().get()).value();
        Optional<byte[]> storedMac = stored.filter(v -> v.type().equals("str"))
                .flatMap(v -> ValueCipher.decrypt(key, v, additionalData.get()));
        if (storedMac.isEmpty()) {
            findings.add(new SopsFinding(
                    "mac-tampered",
                    path,
                    path
                            + ": sops.mac does not decrypt with the data key under sops.lastmodified (or is not"
                            + " of type str): the MAC or the lastmodified time was changed. Restore the file"
                            + " from history or re-encrypt it with sops"));
            return;
        }
        // sops compares the decrypted MAC with its own upper-case hex exactly
        byte[] expected = storedMac.get();
        byte[] actual = HexFormat.of().withUpperCase().formatHex(computed).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, actual)) {
            String firstBad = findings.kept().stream()
                    .filter(f -> f.code().equals("value-tampered") || f.code().equals("value-type-invalid"))
                    .map(f -> f.subject().substring(path.length() + 1))
                    .findFirst()
                    .map(p -> " (first bad value: " + p + ")")
                    .orElse(" (values, their types, their order or an unencrypted value changed)");
            findings.add(new SopsFinding(
                    "mac-mismatch",
                    path,
                    path + ": the MAC does not match the file's values: it was changed outside sops" + firstBad
                            + ". Restore it from history or edit it with sops"));
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
