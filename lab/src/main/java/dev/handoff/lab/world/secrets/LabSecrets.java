package dev.handoff.lab.world.secrets;

import dev.handoff.sops.CreationRules;
import dev.handoff.sops.SopsEncryptor;
import dev.handoff.sops.SopsFile;
import dev.handoff.sops.SopsFormatException;
import dev.handoff.sops.SopsNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's secrets world: encrypts the lab hosts' plaintext values (class path {@code lab/secrets/<host>.yaml},
 * lab-only) into SOPS files {@code hosts/<host>.yaml} of the secrets repository with Handoff's own SOPS codec, for
 * the recipients of the repository's {@code .sops.yaml}; and hands secrets-service its validation identity.
 */
public final class LabSecrets {
    /** The hosts whose secrets the lab encrypts, each from {@code lab/secrets/<host>.yaml}. */
    public static final List<String> HOSTS = List.of("cloud-edge-1", "forgejo-pi");

    /** The environment variable that gives secrets-service its validation identity file. */
    public static final String VALIDATION_IDENTITY_VARIABLE = "HANDOFF_SECRETS_VALIDATION_IDENTITY";

    /** The lab identity secrets-service verifies MACs with: the operator's (a recipient of every lab file). */
    public static final String VALIDATION_IDENTITY_RESOURCE = "lab/keys/operator.agekey";

    private static final String PLAINTEXT_ROOT = "lab/secrets/";

    private LabSecrets() {}

    /**
     * Writes {@code hosts/<host>.yaml} for every lab host into the working copy {@code work}, encrypted for the
     * recipients of the creation rule {@code .sops.yaml} gives that path.
     *
     * @return the written files, relative to {@code work}
     */
    public static List<String> encryptHostFiles(Path work, Clock clock) {
        try {
            CreationRules rules =
                    CreationRules.parse(Files.readString(work.resolve(CreationRules.FILE), StandardCharsets.UTF_8));
            SopsEncryptor encryptor = new SopsEncryptor(new SecureRandom());
            List<String> written = new ArrayList<>();
            for (String host : HOSTS) {
                String path = "hosts/" + host + ".yaml";
                List<String> recipients = rules.ruleFor(path)
                        .orElseThrow(() -> new IllegalStateException(
                                CreationRules.FILE + " of the lab's secrets repository has no rule for " + path))
                        .ageRecipients();
                String encrypted = encryptor.encryptYaml(
                        PLAINTEXT_ROOT + host + ".yaml", plaintext(host), recipients, clock.instant());
                Path file = work.resolve(path);
                Files.createDirectories(file.getParent());
                Files.writeString(file, encrypted, StandardCharsets.UTF_8);
                written.add(path);
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab's SOPS files in " + work, e);
        } catch (SopsFormatException e) {
            throw new IllegalStateException("the lab's secrets cannot be encrypted: " + e.getMessage(), e);
        }
    }

    /**
     * Every plaintext value of the lab's secrets that the file rules encrypt (not the {@code _unencrypted} ones):
     * what must never appear outside secrets-service.
     */
    public static List<String> plaintextValues() {
        List<String> values = new ArrayList<>();
        for (String host : HOSTS) {
            SopsFile plain = SopsFile.inspect(host + ".yaml", plaintext(host), SopsFile.DEFAULT_MAX_BYTES);
            plain.leaves().stream()
                    .filter(SopsFile.LeafAt::encrypts)
                    .map(SopsFile.LeafAt::leaf)
                    .map(SopsNode.Leaf::text)
                    .forEach(values::add);
        }
        return List.copyOf(values);
    }

    /**
     * Writes the lab's validation identity (a lab-only key) to {@code dir/secrets-validation.agekey}, readable by
     * the owner only, for secrets-service to read.
     *
     * @return the file
     */
    public static Path writeValidationIdentity(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("secrets-validation.agekey");
            Files.write(file, resource(VALIDATION_IDENTITY_RESOURCE));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the lab-only key stays as readable as the folder
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab's validation identity to " + dir, e);
        }
    }

    /** The lab-only plaintext YAML of {@code host}. */
    public static byte[] plaintext(String host) {
        return resource(PLAINTEXT_ROOT + host + ".yaml");
    }

    private static byte[] resource(String name) {
        try (InputStream in = LabSecrets.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
