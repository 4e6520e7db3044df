package dev.handoff.sops;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A file's rules for which values are encrypted, as sops applies them to the path of mapping keys leading to a value
 * (at most one of the four is set; with none set, sops uses {@code unencrypted_suffix: _unencrypted}).
 *
 * @param unencryptedSuffix keys ending in it, and everything below them, stay plaintext
 * @param encryptedSuffix only keys ending in it, and everything below them, are encrypted
 * @param unencryptedRegex keys matching it, and everything below them, stay plaintext
 * @param encryptedRegex only keys matching it, and everything below them, are encrypted
 * @param macOnlyEncrypted whether the MAC covers only encrypted values
 */
public record EncryptionRules(
        Optional<String> unencryptedSuffix,
        Optional<String> encryptedSuffix,
        Optional<Pattern> unencryptedRegex,
        Optional<Pattern> encryptedRegex,
        boolean macOnlyEncrypted) {

    /** The suffix sops uses when a file sets no rule. */
    public static final String DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";

    /** The rules sops applies by default. */
    public static EncryptionRules defaults() {
        return new EncryptionRules(
                Optional.of(DEFAULT_UNENCRYPTED_SUFFIX), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    /** Whether the value at {@code path} (mapping keys from the root) must be encrypted. */
    public boolean encrypts(List<String> path) {
        boolean encrypted = true;
        if (unencryptedSuffix.isPresent()) {
            for (String key : path) {
                if (key.endsWith(unencryptedSuffix.get())) {
                    encrypted = false;
                    break;
                }
            }
        }
        if (encryptedSuffix.isPresent()) {
            encrypted = path.stream().anyMatch(k -> k.endsWith(encryptedSuffix.get()));
        }
        if (unencryptedRegex.isPresent()) {
            for (String key : path) {
                if (unencryptedRegex.get().matcher(key).find()) {
                    encrypted = false;
                    break;
                }
            }
        }
        if (encryptedRegex.isPresent()) {
            encrypted =
                    path.stream().anyMatch(k -> encryptedRegex.get().matcher(k).find());
        }
        return encrypted;
    }
}
