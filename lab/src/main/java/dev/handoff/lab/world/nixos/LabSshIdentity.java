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
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * The runner's SSH identity in the lab: a fresh ECDSA key pair written as an OpenSSH private key file ({@code 0600}),
 * whose public half the simulated hosts authorize. Lab-only; a real runner is given its key by the operator.
 *
 * @param privateKeyFile the OpenSSH private key file
 * @param publicKey the public key the simulated hosts accept
 */
public record LabSshIdentity(Path privateKeyFile, PublicKey publicKey) {

    /** Writes a new identity to {@code file} (replacing an old one). */
    public static LabSshIdentity create(Path file) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "handoff-lab-runner", null, out);
            }
            return new LabSshIdentity(file, pair.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab SSH identity " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
