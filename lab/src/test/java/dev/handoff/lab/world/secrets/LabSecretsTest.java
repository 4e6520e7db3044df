package dev.handoff.lab.world.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.InventoryLoader;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.launcher.LabInventory;
import dev.handoff.sops.AgeIdentity;
import dev.handoff.sops.CreationRules;
import dev.handoff.sops.SopsDecryption;
import dev.handoff.sops.SopsFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's secrets repository is produced by Handoff's SOPS codec, for the lab keys the inventory names. */
class LabSecretsTest {
    @TempDir
    Path home;

    @Test
    void secretsRepositoryHoldsHostFilesEncryptedForTheHostAndTheOperator() throws Exception {
        // Given
        LabForge forge = new LabForge(home.resolve("forge"), home.resolve("work"));
        LabRepository secrets =
                LabRepository.byFullName("ops/infrastructure-secrets").orElseThrow();
        Inventory inventory = InventoryLoader.parse("lab", LabInventory.render(forge.forgeUrl()));
        AgeIdentity operator = key("operator");

        // When
        forge.ensure(secrets);

        // Then
        Path work = forge.workingCopy(secrets);
        CreationRules rules =
                CreationRules.parse(Files.readString(work.resolve(CreationRules.FILE), StandardCharsets.UTF_8));
        for (String host : LabSecrets.HOSTS) {
            Inventory.HostSecrets config = inventory.hosts().get(host).secrets().orElseThrow();
            AgeIdentity hostKey = key(host);
            String path = "hosts/" + host + ".yaml";
            assertThat(config.files()).containsExactly(path);
            assertThat(config.recipient())
                    .as("handoff.yaml recipient of %s is the public key of lab/keys/%s.agekey", host, host)
                    .isEqualTo(hostKey.recipients().get(0));
            byte[] bytes = Files.readAllBytes(work.resolve(path));
            SopsFile file = SopsFile.inspect(path, bytes, SopsFile.DEFAULT_MAX_BYTES);
            assertThat(file.findings()).isEmpty();
            assertThat(file.recipients())
                    .containsExactly(
                            hostKey.recipients().get(0), operator.recipients().get(0))
                    .containsExactlyElementsOf(rules.ruleFor(path).orElseThrow().ageRecipients());
            assertThat(SopsDecryption.verify(file, hostKey).macVerified()).isTrue();
            assertThat(SopsDecryption.verify(file, operator).macVerified()).isTrue();
            for (String required : config.required()) {
                assertThat(file.has(required)).as("%s has %s", path, required).isTrue();
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            for (String plaintext : LabSecrets.plaintextValues()) {
                assertThat(text).doesNotContain(plaintext);
            }
        }
        assertThat(LabSecrets.plaintextValues()).hasSize(6).allMatch(v -> v.length() >= 20);
    }

    @Test
    void validationIdentityIsWrittenReadableByItsOwnerOnly() throws Exception {
        // When
        Path file = LabSecrets.writeValidationIdentity(home.resolve("run/keys"));

        // Then
        assertThat(AgeIdentity.read(file).recipients())
                .isEqualTo(key("operator").recipients());
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Set.of(LabSecrets.VALIDATION_IDENTITY_VARIABLE))
                .containsExactly("HANDOFF_SECRETS_VALIDATION_IDENTITY");
    }

    private static AgeIdentity key(String name) throws IOException {
        try (InputStream in =
                LabSecretsTest.class.getClassLoader().getResourceAsStream("lab/keys/" + name + ".agekey")) {
            return AgeIdentity.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
