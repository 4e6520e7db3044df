package dev.handoff.lab.world.openssh;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/** The ed25519 host key of a test sshd: made by {@code ssh-keygen} when its folder has none, kept otherwise. */
final class SshdHostKey {
    /** The private key's file name; the public half is beside it with {@code .pub}. */
    static final String FILE = "ssh_host_ed25519_key";

    private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private SshdHostKey() {}

    /** The public key of {@code hostKeyFile}, made first by {@code sshKeygen} if it or its public half is missing. */
    static PublicKey ensure(Path sshKeygen, Path hostKeyFile, Duration timeout) throws IOException {
        if (!Files.isRegularFile(hostKeyFile) || !Files.isRegularFile(publicHalf(hostKeyFile))) {
            generate(sshKeygen, hostKeyFile, timeout);
        }
        return read(publicHalf(hostKeyFile));
    }

    private static void generate(Path sshKeygen, Path hostKeyFile, Duration timeout) throws IOException {
        Files.deleteIfExists(hostKeyFile);
        Files.deleteIfExists(publicHalf(hostKeyFile));
        Path output = hostKeyFile.resolveSibling("ssh-keygen.log");
        Process keygen = new ProcessBuilder(
                        sshKeygen.toString(),
                        "-q",
                        "-t",
                        "ed25519",
                        "-N",
                        "",
                        "-C",
                        "handoff-openssh-contract",
                        "-f",
                        hostKeyFile.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            if (!keygen.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                keygen.destroyForcibly();
                throw new IllegalStateException(
                        sshKeygen + " did not make " + hostKeyFile + " within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            keygen.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making sshd's host key " + hostKeyFile, e);
        }
        if (keygen.exitValue() != 0) {
            throw new IllegalStateException(sshKeygen + " could not make the host key " + hostKeyFile + " (exit "
                    + keygen.exitValue() + "): " + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private static Path publicHalf(Path privateKeyFile) {
        return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    }

    /** An {@code ssh-ed25519 <base64> comment} line as the JDK's Ed25519 key (X.509 prefix + the 32 raw bytes). */
    private static PublicKey read(Path publicKeyFile) throws IOException {
        String[] fields =
                Files.readString(publicKeyFile, StandardCharsets.UTF_8).trim().split("\\s+");
        if (fields.length < 2 || !fields[0].equals("ssh-ed25519")) {
            throw new IllegalStateException(publicKeyFile + " is not an ssh-ed25519 public key; delete it and the"
                    + " private key beside it so that a new one is made");
        }
        byte[] blob = Base64.getDecoder().decode(fields[1]);
        byte[] raw = Arrays.copyOfRange(blob, blob.length - 32, blob.length);
        byte[] x509 = Arrays.copyOf(ED25519_X509_PREFIX, ED25519_X509_PREFIX.length + raw.length);
        System.arraycopy(raw, 0, x509, ED25519_X509_PREFIX.length, raw.length);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read sshd's host key " + publicKeyFile + ": " + e.getMessage(), e);
        }
    }
}
