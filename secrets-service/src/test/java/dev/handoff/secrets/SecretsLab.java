package dev.handoff.secrets;

import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.launcher.LabInventory;
import dev.handoff.lab.world.secrets.LabSecrets;
import dev.handoff.sops.SopsEncryptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The lab's secrets world for tests: a forge in a temporary folder holding the lab secrets repository (made by the
 * lab's own SOPS encryption), the lab inventory pointing at it, and the lab validation identity.
 */
public final class SecretsLab {
    public static final String CLOUD_EDGE = "cloud-edge-1";
    public static final String CLOUD_EDGE_FILE = "hosts/cloud-edge-1.yaml";
    public static final String CLOUD_EDGE_RECIPIENT = "age1qzyldt42sjax5h3hkdwd77q6sj6268rm6q2md34mwx40vmasyqqq5mfwx0";
    public static final String OPERATOR_RECIPIENT = "age1hyt3fhxh8fsgqtmlfc2v6dwds80zelmw8f50l2cykdmuxvlmwuxs59eczy";

    private final Path home;
    private final LabForge forge;
    private final LabRepository repository;

    private SecretsLab(Path home) {
        this.home = home;
        this.forge = new LabForge(home.resolve("forge"), home.resolve("work"));
        this.repository = LabRepository.byFullName("ops/infrastructure-secrets").orElseThrow();
        forge.ensure(repository);
        LabInventory.write(inventory(), forge.forgeUrl());
    }

    /** A new lab in a new temporary folder. */
    public static SecretsLab create(String name) {
        try {
            return new SecretsLab(Files.createTempDirectory(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration secrets-service needs for this lab. */
    public Map<String, String> serviceConfig() {
        return Map.of(
                "handoff.inventory", inventory().toString(),
                "handoff.secrets.validation-identity",
                        LabSecrets.writeValidationIdentity(home.resolve("keys")).toString(),
                "handoff.secrets.repository-cache", home.resolve("cache").toString());
    }

    public Path home() {
        return home;
    }

    public Path inventory() {
        return home.resolve("handoff.yaml");
    }

    public LabForge forge() {
        return forge;
    }

    public LabRepository repository() {
        return repository;
    }

    /** The working copy's file {@code path}. */
    public Path file(String path) {
        return forge.workingCopy(repository).resolve(path);
    }

    /** Encrypts the lab plaintext of {@code host} (or {@code plaintext}) for {@code recipients} into {@code path}. */
    public void writeEncrypted(String path, byte[] plaintext, List<String> recipients) {
        try {
            String text = new SopsEncryptor(new SecureRandom()).encryptYaml(path, plaintext, recipients, Instant.now());
            Files.writeString(file(path), text, StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes raw bytes into {@code path} of the working copy. */
    public void write(String path, byte[] content) {
        try {
            Files.write(file(path), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits the working copy and pushes it to the forge. */
    public ForgePush push(String message) {
        return forge.commitAndPush(repository, message);
    }

    /** The lab's plaintext values of {@code host}, as the lab keeps them. */
    public static byte[] plaintext(String host) {
        return LabSecrets.plaintext(host);
    }

    /** A class-path resource of this module's tests. */
    public static byte[] resource(String name) {
        try (InputStream in = SecretsLab.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
