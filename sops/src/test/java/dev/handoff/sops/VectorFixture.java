package dev.handoff.sops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * SOPS files made with the data key and {@code sops} section of the real sops-nix vector: values are encrypted and
 * the MAC is computed over plaintext forms the test spells out (what Go's sops hashes), never by the codec's own
 * hashing, so a test can hold the codec to sops's behaviour.
 */
final class VectorFixture {
    private static final String VECTOR = Vectors.text("secrets.yaml");
    private static final SecureRandom RANDOM = new SecureRandom();

    private VectorFixture() {}

    /** The vector's data key, opened with its age identity. */
    static byte[] dataKey() {
        SopsFile file = SopsFile.inspect("v.yaml", Vectors.bytes("secrets.yaml"), SopsFile.DEFAULT_MAX_BYTES);
        return Vectors.identity()
                .open(file.metadata().orElseThrow().ageStanzas().get(0).armoredDataKey())
                .orElseThrow();
    }

    /** {@code plaintext} encrypted as sops would under {@code aad} (key path joined by {@code :}, then {@code :}). */
    static String enc(String plaintext, String aad, String type) {
        return ValueCipher.encrypt(dataKey(), plaintext.getBytes(StandardCharsets.UTF_8), aad, type, RANDOM)
                .format();
    }

    /**
     * A file of the YAML {@code data}, the vector's recipients, {@code lastmodified} written as {@code lastModified}
     * and a MAC over {@code hashed} (in order) encrypted under {@code macAad}.
     *
     * @param hexCase applied to the MAC's hex digits (sops writes upper case)
     */
    static String file(
            String data,
            String lastModified,
            String macAad,
            List<String> hashed,
            java.util.function.UnaryOperator<String> hexCase)
            throws Exception {
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        for (String h : hashed) {
            sha512.update(h.getBytes(StandardCharsets.UTF_8));
        }
        String mac = hexCase.apply(HexFormat.of().withUpperCase().formatHex(sha512.digest()));
        String sops = VECTOR.substring(VECTOR.indexOf("sops:\n"))
                .replace("lastmodified: \"2021-09-30T19:49:41Z\"", "lastmodified: \"" + lastModified + "\"")
                .replaceAll(
                        "(?m)^    mac: .*$",
                        "    mac: " + enc(mac, macAad, "str").replace("$", "\\$"));
        return data + sops;
    }

    /** {@link #file} with the MAC in sops's upper-case hex. */
    static String file(String data, String lastModified, String macAad, List<String> hashed) throws Exception {
        return file(data, lastModified, macAad, hashed, s -> s);
    }
}
