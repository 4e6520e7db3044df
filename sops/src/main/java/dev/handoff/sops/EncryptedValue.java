package dev.handoff.sops;

import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]} value: AES-256-GCM ciphertext with a 32-byte IV and a 16-byte
 * tag, and the type of the plaintext.
 *
 * @param data the ciphertext without the tag
 * @param iv the 32-byte nonce
 * @param tag the 16-byte GCM tag
 * @param type the plaintext's type: {@code str}, {@code int}, {@code float}, {@code bool}, {@code bytes},
 *     {@code time} or {@code comment}
 */
public record EncryptedValue(byte[] data, byte[] iv, byte[] tag, String type) {
    /** The types sops writes. */
    public static final Set<String> TYPES = Set.of("str", "int", "float", "bool", "bytes", "time", "comment");

    /**
     * sops's form ({@code aes/cipher.go}): anchored at the start only, so text after the closing bracket is ignored (a
     * quoted value with trailing spaces decrypts), as long as no further {@code ]} is on that line (sops's greedy
     * {@code type:(.+)\]} would take it into the type). A comma inside data, iv or tag, or a line break, fails in
     * sops too (as base64 or as a match); excluding them here keeps the match linear on hostile input.
     */
    private static final Pattern FORM = Pattern.compile(
            "^ENC\\[AES256_GCM,data:([^,\n]+),iv:([^,\n]+),tag:([^,\n]+),type:([^,\\]\n]+)\\][^\\]\n]*(?:\n.*)?$",
            Pattern.DOTALL);

    /** Whether {@code text} is meant as an encrypted value (starts with {@code ENC[}), well formed or not. */
    public static boolean looksEncrypted(String text) {
        return text.startsWith("ENC[");
    }

    /**
     * Parses an encrypted value.
     *
     * @return the value, or the problem (without quoting the text) when it is malformed
     */
    public static Parsed parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Parsed.problem(
                    "malformed ENC value: expected ENC[AES256_GCM,data:<base64>,iv:<base64>,tag:<base64>,type:<type>]"
                            + " (truncated or edited by hand?)");
        }
        Optional<byte[]> data = GoFormats.base64(m.group(1));
        Optional<byte[]> iv = GoFormats.base64(m.group(2));
        Optional<byte[]> tag = GoFormats.base64(m.group(3));
        if (data.isEmpty()) {
            return Parsed.problem("the data of the ENC value is not valid padded base64 (sops refuses it)");
        }
        if (iv.isEmpty()) {
            return Parsed.problem("the iv of the ENC value is not valid padded base64 (sops refuses it)");
        }
        if (iv.get().length != 32) {
            return Parsed.problem("the iv of the ENC value is not 32 bytes of base64");
        }
        if (tag.isEmpty()) {
            return Parsed.problem("the tag of the ENC value is not valid padded base64 (sops refuses it)");
        }
        if (tag.get().length != 16) {
            return Parsed.problem("the tag of the ENC value is not 16 bytes of base64");
        }
        String type = m.group(4);
        if (!TYPES.contains(type)) {
            return Parsed.problem("unknown type " + (type.length() <= 12 ? type : type.substring(0, 12) + "…")
                    + " in the ENC value; sops writes str, int, float, bool, bytes, time or comment");
        }
        return new Parsed(Optional.of(new EncryptedValue(data.get(), iv.get(), tag.get(), type)), null);
    }

    /** Writes the value in sops's form. */
    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return "ENC[AES256_GCM,data:" + b64.encodeToString(data) + ",iv:" + b64.encodeToString(iv) + ",tag:"
                + b64.encodeToString(tag) + ",type:" + type + "]";
    }

    @Override
    public String toString() {
        return "EncryptedValue[type=" + type + ", " + data.length + " bytes]";
    }

    /**
     * The outcome of {@link #parse}.
     *
     * @param value the value when well formed
     * @param problem what is wrong otherwise
     */
    public record Parsed(Optional<EncryptedValue> value, String problem) {
        static Parsed problem(String problem) {
            return new Parsed(Optional.empty(), problem);
        }
    }
}
