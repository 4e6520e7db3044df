package dev.handoff.sops;

import dev.handoff.sops.SopsNode.Branch;
import dev.handoff.sops.SopsNode.Entry;
import dev.handoff.sops.SopsNode.Leaf;
import dev.handoff.sops.SopsNode.Sequence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code sops} section of a file: who it is encrypted for, when it was last changed, its encrypted MAC and the
 * rules that say which values are encrypted.
 *
 * @param ageStanzas the age recipients and their armored copies of the data key, in file order ({@code age} and
 *     {@code key_groups[].age})
 * @param otherKeyTypes non-age key types that hold a copy of the data key ({@code pgp}, {@code kms}, …)
 * @param lastModified the {@code lastmodified} string exactly as written (the MAC's AAD is its normal form, see
 *     {@link #macAdditionalData})
 * @param mac the {@code mac} value as written
 * @param version the sops version that wrote the file
 * @param rules which values are encrypted
 */
public record SopsMetadata(
        List<AgeStanza> ageStanzas,
        List<String> otherKeyTypes,
        Optional<String> lastModified,
        Optional<String> mac,
        Optional<String> version,
        EncryptionRules rules) {

    /**
     * One age recipient of a file.
     *
     * @param recipient the recipient ({@code age1…})
     * @param armoredDataKey the data key encrypted to it, as an ASCII-armored age file
     */
    public record AgeStanza(String recipient, String armoredDataKey) {
        @Override
        public String toString() {
            return "AgeStanza[" + recipient + "]";
        }
    }

    /** {@link #lastModified} as an instant, if it parses as RFC 3339 the way sops parses it. */
    public Optional<Instant> lastModifiedInstant() {
        return lastModified.flatMap(GoFormats::parseRfc3339).map(GoFormats.GoTime::instant);
    }

    /**
     * The additional data the MAC is encrypted under: sops parses {@code lastmodified} ({@code time.Parse} with
     * {@code RFC3339}) and writes it again ({@code Format(time.RFC3339)}): fraction of a second dropped, offset kept,
     * {@code Z} for a zero offset. Empty when sops could not parse it.
     */
    public Optional<String> macAdditionalData() {
        return lastModified.flatMap(GoFormats::parseRfc3339).map(GoFormats.GoTime::formatRfc3339);
    }

    /** The distinct age recipients in file order. */
    public List<String> recipients() {
        return ageStanzas.stream().map(AgeStanza::recipient).distinct().toList();
    }

    /** Reads the {@code sops} branch of {@code file}, adding every problem to {@code findings}. */
    static SopsMetadata read(String file, Branch sops, CappedFindings findings) {
        List<AgeStanza> stanzas = new ArrayList<>();
        List<String> others = new ArrayList<>();
        age(file, sops.get("age"), stanzas, findings);
        sops.get("key_groups").ifPresent(groups -> {
            if (groups instanceof Sequence seq) {
                for (SopsNode group : seq.items()) {
                    if (group instanceof Branch g) {
                        age(file, g.get("age"), stanzas, findings);
                        g.entries().stream()
                                .filter(e -> !e.key().equals("age") && nonEmpty(e.value()))
                                .forEach(e -> others.add(e.key()));
                    }
                }
            }
        });
        for (Entry e : sops.entries()) {
            if (List.of("pgp", "kms", "gcp_kms", "azure_kv", "hc_vault").contains(e.key()) && nonEmpty(e.value())) {
                others.add(e.key());
            }
        }
        Optional<String> lastModified = string(sops, "lastmodified");
        Optional<String> mac = string(sops, "mac");
        Optional<String> version = string(sops, "version");
        if (lastModified.isEmpty()) {
            findings.add(new SopsFinding(
                    "missing-lastmodified",
                    file,
                    file + ": sops.lastmodified is missing; the MAC cannot be checked. Re-encrypt the file with sops"));
        } else if (GoFormats.parseRfc3339(lastModified.get()).isEmpty()) {
            findings.add(new SopsFinding(
                    "invalid-lastmodified",
                    file,
                    file + ": sops.lastmodified is not an RFC 3339 time as sops reads it (e.g. 2024-05-01T10:00:00Z);"
                            + " sops refuses the file. Re-encrypt the file with sops"));
        }
        if (mac.isEmpty()) {
            findings.add(new SopsFinding(
                    "missing-mac",
                    file,
                    file + ": sops.mac is missing, so the file's integrity cannot be proven; re-encrypt it with sops"));
        } else {
            EncryptedValue.Parsed parsed = EncryptedValue.parse(mac.get());
            if (parsed.value().isEmpty()) {
                findings.add(new SopsFinding(
                        "malformed-mac",
                        file,
                        file + ": sops.mac: " + parsed.problem() + "; re-encrypt the file with sops"));
            }
        }
        if (version.isEmpty()) {
            findings.add(new SopsFinding(
                    "missing-version", file, file + ": sops.version is missing; re-encrypt the file with sops"));
        }
        if (stanzas.isEmpty() && others.isEmpty()) {
            findings.add(new SopsFinding(
                    "no-recipients",
                    file,
                    file + ": the sops section names no key (no age, pgp or kms entry): nobody can decrypt it"));
        }
        EncryptionRules rules = rules(file, sops, findings);
        return new SopsMetadata(List.copyOf(stanzas), List.copyOf(others), lastModified, mac, version, rules);
    }

    private static void age(String file, Optional<SopsNode> node, List<AgeStanza> out, CappedFindings findings) {
        if (node.isEmpty() || node.get() instanceof Leaf) {
            return;
        }
        if (!(node.get() instanceof Sequence seq)) {
            findings.add(new SopsFinding("malformed-metadata", file, file + ": sops.age is not a list"));
            return;
        }
        for (SopsNode item : seq.items()) {
            if (item instanceof Branch b
                    && string(b, "recipient").isPresent()
                    && string(b, "enc").isPresent()) {
                out.add(new AgeStanza(
                        string(b, "recipient").get().trim(), string(b, "enc").get()));
            } else {
                findings.add(() -> new SopsFinding(
                        "malformed-metadata",
                        file,
                        file + ": an entry of sops.age at line " + item.line() + " lacks recipient or enc"));
            }
        }
    }

    private static EncryptionRules rules(String file, Branch sops, CappedFindings findings) {
        Optional<String> unencryptedSuffix = string(sops, "unencrypted_suffix");
        Optional<String> encryptedSuffix = string(sops, "encrypted_suffix");
        Optional<Pattern> unencryptedRegex = regex(file, sops, "unencrypted_regex", findings);
        Optional<Pattern> encryptedRegex = regex(file, sops, "encrypted_regex", findings);
        int set = (unencryptedSuffix.isPresent() ? 1 : 0)
                + (encryptedSuffix.isPresent() ? 1 : 0)
                + (unencryptedRegex.isPresent() ? 1 : 0)
                + (encryptedRegex.isPresent() ? 1 : 0);
        if (set > 1) {
            findings.add(new SopsFinding(
                    "conflicting-rules",
                    file,
                    file + ": more than one of unencrypted_suffix, encrypted_suffix, unencrypted_regex, encrypted_regex"
                            + " is set; sops allows one"));
        }
        boolean macOnlyEncrypted = sops.get("mac_only_encrypted")
                .filter(n -> n instanceof Leaf l && l.text().equalsIgnoreCase("true"))
                .isPresent();
        if (set == 0) {
            unencryptedSuffix = Optional.of(EncryptionRules.DEFAULT_UNENCRYPTED_SUFFIX);
        }
        return new EncryptionRules(
                unencryptedSuffix, encryptedSuffix, unencryptedRegex, encryptedRegex, macOnlyEncrypted);
    }

    private static Optional<Pattern> regex(String file, Branch sops, String key, CappedFindings findings) {
        Optional<String> text = string(sops, key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pattern.compile(text.get()));
        } catch (PatternSyntaxException e) {
            findings.add(new SopsFinding(
                    "malformed-metadata", file, file + ": sops." + key + " is not a valid regular expression"));
            return Optional.empty();
        }
    }

    private static Optional<String> string(Branch branch, String key) {
        return branch.get(key)
                .filter(n -> n instanceof Leaf l
                        && l.kind() != SopsNode.Kind.NULL
                        && !l.text().isEmpty())
                .map(n -> ((Leaf) n).text());
    }

    private static boolean nonEmpty(SopsNode node) {
        return node instanceof Sequence s ? !s.items().isEmpty() : node instanceof Branch;
    }
}
