package dev.handoff.sops;

import dev.handoff.sops.SopsNode.Leaf;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * What sops makes of a value for its MAC. A decrypted value is read by the type its {@code ENC[…]} names (the type is
 * not authenticated, so a changed type must fail as it fails in sops: {@code Atoi}, {@code ParseFloat},
 * {@code ParseBool}, {@code time.UnmarshalText}) and hashed in Go's canonical form ({@code ToBytes} in sops.go); an
 * unencrypted value is hashed in the form go-yaml or encoding/json gave it.
 */
final class TypedPlaintext {
    private TypedPlaintext() {}

    /**
     * The bytes sops hashes for a decrypted value of {@code type}.
     *
     * @return empty when sops cannot read {@code plaintext} as {@code type} (and so refuses the file), or for
     *     {@code comment}, which sops writes for YAML comments only, never for a value
     */
    static Optional<byte[]> macBytes(String type, byte[] plaintext) {
        if (type.equals("str") || type.equals("bytes")) {
            return Optional.of(plaintext.clone());
        }
        String text = new String(plaintext, StandardCharsets.UTF_8);
        Optional<String> canonical = switch (type) {
            case "int" -> GoFormats.atoi(text).map(String::valueOf);
            case "float" -> GoFormats.parseFloat(text).map(GoFormats::formatFloat);
            case "bool" -> GoFormats.parseBool(text).map(b -> b ? "True" : "False");
            case "time" -> GoFormats.parseRfc3339(text).map(GoFormats.GoTime::formatRfc3339Nano);
            default -> Optional.empty();
        };
        return canonical.map(c -> c.getBytes(StandardCharsets.UTF_8));
    }

    /** What a value of {@code type} must be, for a finding. */
    static String expected(String type) {
        return switch (type) {
            case "int" -> "a 64-bit integer as sops reads it (strconv.Atoi)";
            case "float" -> "a number as sops reads it (strconv.ParseFloat)";
            case "bool" -> "a boolean as sops reads it (strconv.ParseBool)";
            case "time" -> "an RFC 3339 time as sops reads it";
            case "comment" -> "a YAML comment (sops writes type:comment for comments only, never for a value)";
            default -> "a value of type " + type;
        };
    }

    /** The bytes sops hashes for an unencrypted leaf (Go's {@code ToBytes} of what go-yaml or JSON decoded). */
    static byte[] macBytes(Leaf leaf) {
        String text = leaf.text();
        String canonical = switch (leaf.kind()) {
            case STRING, NULL -> text;
            case BOOL -> text.equalsIgnoreCase("true") ? "True" : "False";
            case INT -> unencryptedInt(text);
            case FLOAT -> unencryptedFloat(text);
        };
        return canonical.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * go-yaml reads integers with {@code ParseInt(s, 0, 64)} (so {@code 0755} is octal, as in YAML 1.1), JSON with
     * {@code Int64}; beyond 64 bits both fall back to a float.
     */
    private static String unencryptedInt(String text) {
        try {
            boolean negative = text.startsWith("-");
            String t = text.startsWith("+") || negative ? text.substring(1) : text;
            BigInteger value;
            if (t.startsWith("0x")) {
                value = new BigInteger(t.substring(2), 16);
            } else if (t.startsWith("0o")) {
                value = new BigInteger(t.substring(2), 8);
            } else if (t.length() > 1 && t.startsWith("0") && t.chars().allMatch(c -> c >= '0' && c <= '7')) {
                value = new BigInteger(t.substring(1), 8);
            } else {
                value = new BigInteger(t);
            }
            value = negative ? value.negate() : value;
            return value.bitLength() < 64 ? value.toString() : GoFormats.formatFloat(value.doubleValue());
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private static String unencryptedFloat(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.endsWith(".inf")) {
            return t.startsWith("-") ? "-Inf" : "+Inf";
        }
        if (t.equals(".nan")) {
            return "NaN";
        }
        try {
            return GoFormats.formatFloat(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return text;
        }
    }
}
