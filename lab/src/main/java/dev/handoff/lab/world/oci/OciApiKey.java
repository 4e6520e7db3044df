package dev.handoff.lab.world.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The lab's OCI API signing key: an RSA key pair generated once per lab folder, its PEM file, its fingerprint and
 * the OCI config file ({@code ~/.oci/config} format) that points the oci-java-sdk at it. A LAB-ONLY key: it
 * authenticates to nothing but the simulated OCI API.
 *
 * @param keyFile the private key (PEM, PKCS#8, mode 0600)
 * @param configFile the OCI config file, profile {@code DEFAULT}
 * @param publicKey the public key the simulated API verifies signatures with
 * @param fingerprint the key's fingerprint, {@code aa:bb:…} (MD5 of the DER public key, as OCI computes it)
 * @param tenancy the lab tenancy's OCID
 * @param user the lab user's OCID
 */
public record OciApiKey(
        Path keyFile, Path configFile, PublicKey publicKey, String fingerprint, String tenancy, String user) {
    public static final String TENANCY = "ocid1.tenancy.oc1..labtenancy";
    public static final String USER = "ocid1.user.oc1..laboperator";

    /** The key in {@code dir} ({@code oci_api_key.pem}, {@code config}); generated when absent. */
    public static OciApiKey open(Path dir, String region) {
        Path keyFile = dir.resolve("oci_api_key.pem");
        Path configFile = dir.resolve("config");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(keyFile)) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                String pem = "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(pair.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n";
                Files.writeString(keyFile, pem, StandardCharsets.US_ASCII);
                restrict(keyFile);
            }
            PublicKey publicKey = publicKeyOf(keyFile);
            String fingerprint = fingerprint(publicKey);
            String config = "# LAB-ONLY OCI config: signs requests to the lab's simulated OCI API\n"
                    + "[DEFAULT]\n"
                    + "user=" + USER + "\n"
                    + "fingerprint=" + fingerprint + "\n"
                    + "tenancy=" + TENANCY + "\n"
                    + "region=" + region + "\n"
                    + "key_file=" + keyFile.toAbsolutePath() + "\n";
            Files.writeString(configFile, config, StandardCharsets.UTF_8);
            restrict(configFile);
            return new OciApiKey(keyFile, configFile, publicKey, fingerprint, TENANCY, USER);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the lab's OCI API key in " + dir, e);
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("this JVM cannot make RSA keys: " + e.getMessage(), e);
        }
    }

    /** The {@code keyId} a correctly signed request carries: {@code <tenancy>/<user>/<fingerprint>}. */
    public String keyId() {
        return tenancy + "/" + user + "/" + fingerprint;
    }

    private static PublicKey publicKeyOf(Path keyFile)
            throws IOException, NoSuchAlgorithmException, InvalidKeySpecException {
        String pem = Files.readString(keyFile, StandardCharsets.US_ASCII)
                .replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey)
                rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        return rsa.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
    }

    private static String fingerprint(PublicKey key) throws NoSuchAlgorithmException {
        byte[] md5 = MessageDigest.getInstance("MD5").digest(key.getEncoded());
        return HexFormat.ofDelimiter(":").formatHex(md5);
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file stays with the default permissions
        }
    }
}
