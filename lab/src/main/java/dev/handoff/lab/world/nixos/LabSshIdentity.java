package dev.handoff.lab.world.nixos;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Iterator;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * An SSH key pair of the lab (the runner's identity, a simulated host's host key): ECDSA P-256 in an OpenSSH private
 * key file ({@code 0600}). Lab-only; a real runner is given its key by the operator.
 *
 * @param privateKeyFile the OpenSSH private key file
 * @param keyPair the key pair
 */
public record LabSshIdentity(Path privateKeyFile, KeyPair keyPair) {

    /** The public half. */
    public PublicKey publicKey() {
        return keyPair.getPublic();
    }

    /** Writes a new key pair to {@code file} (replacing an old one). */
    public static LabSshIdentity create(Path file) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "handoff-lab", null, out);
            }
            return new LabSshIdentity(file, pair);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab SSH key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the key pair in {@code file}, or creates it there if there is none (so it survives lab restarts). */
    public static LabSshIdentity loadOrCreate(Path file) {
        if (!Files.isRegularFile(file)) {
            return create(file);
        }
        Iterator<KeyPair> keys = new FileKeyPairProvider(file).loadKeys(null).iterator();
        if (!keys.hasNext()) {
            return create(file);
        }
        return new LabSshIdentity(file, keys.next());
    }
}
