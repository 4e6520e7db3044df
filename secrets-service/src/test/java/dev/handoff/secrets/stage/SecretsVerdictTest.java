package dev.handoff.secrets.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.SecretFacts.MacStatus;
import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.secrets.stage.RepositorySnapshot.FileCheck;
import dev.handoff.sops.AgeIdentity;
import dev.handoff.sops.CreationRules;
import dev.handoff.sops.SopsDecryption;
import dev.handoff.sops.SopsEncryptor;
import dev.handoff.sops.SopsFile;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stage's decision, without Quarkus, Kafka or Git: files in, facts or every failure out. */
class SecretsVerdictTest {
    // Test-only identities (the lab's cloud-edge-1 and operator keys, which protect nothing).
    private static final AgeIdentity HOST =
            AgeIdentity.parse("AGE-SECRET-KEY-1YQ0NCY80J3LKZSU46ZCXXDTCVL5Z23K0UVDRY757DM2Y4YRCWLZSCA7E9M");
    private static final AgeIdentity OPERATOR =
            AgeIdentity.parse("AGE-SECRET-KEY-1GZEVQQYFRKXGY8E4C4778STG6ANLZSCDDF2QSS22AVZ4JC7HCRMS8YG54F");
    private static final String HOST_R = HOST.recipients().get(0);
    private static final String OP_R = OPERATOR.recipients().get(0);
    private static final String FILE = "hosts/edge.yaml";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final Inventory.Host EDGE = host(List.of("tailscale/auth_key", "restic/password"));

    private static Inventory.Host host(List<String> required) {
        return new Inventory.Host(
                "edge",
                Inventory.Role.EDGE,
                List.of("ops/secrets"),
                Optional.empty(),
                Optional.empty(),
                Optional.of(new Inventory.HostSecrets(List.of(FILE), HOST_R, required)),
                List.of(),
                List.of());
    }

    private static SopsFile encrypted(String plain, List<String> recipients) throws Exception {
        String text = new SopsEncryptor(new SecureRandom())
                .encryptYaml(
                        FILE,
                        plain.getBytes(StandardCharsets.UTF_8),
                        recipients,
                        Instant.parse("2026-01-01T00:00:00Z"));
        return SopsFile.inspect(FILE, text.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES);
    }

    private static CreationRules rules(String... recipients) throws Exception {
        return CreationRules.parse("creation_rules:\n  - path_regex: ^hosts/edge\\.yaml$\n    age: "
                + String.join(",", recipients) + "\n");
    }

    private static RepositorySnapshot snapshot(SopsFile file, CreationRules rules, boolean verify) {
        return new RepositorySnapshot(
                "ops/secrets",
                COMMIT,
                Optional.of(rules),
                Optional.empty(),
                List.of(new FileCheck(
                        FILE,
                        Optional.of(file),
                        verify ? Optional.of(SopsDecryption.verify(file, OPERATOR)) : Optional.empty())));
    }

    private static final String GOOD = "tailscale:\n    auth_key: a\nrestic:\n    password: b\n";

    @Test
    void wellFormedFileForTheHostGivesFactsWithVerifiedMac() throws Exception {
        // When
        Verdict verdict = SecretsVerdict.decide(
                EDGE, snapshot(encrypted(GOOD, List.of(HOST_R, OP_R)), rules(HOST_R, OP_R), true));

        // Then
        assertThat(verdict).isInstanceOf(Verdict.Completed.class);
        var facts = ((Verdict.Completed) verdict).facts();
        assertThat(facts.commit()).isEqualTo(COMMIT);
        assertThat(facts.files().get(0).mac()).isEqualTo(MacStatus.VERIFIED);
        assertThat(facts.files().get(0).keyPaths()).containsExactly("tailscale/auth_key", "restic/password");
        assertThat(facts.files().get(0).lastModified()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void withoutValidationIdentityTheMacIsNotChecked() throws Exception {
        // When
        Verdict verdict = SecretsVerdict.decide(
                EDGE, snapshot(encrypted(GOOD, List.of(HOST_R, OP_R)), rules(HOST_R, OP_R), false));

        // Then
        assertThat(((Verdict.Completed) verdict).facts().files().get(0).mac()).isEqualTo(MacStatus.NOT_CHECKED);
    }

    @Test
    void creationRuleWithoutTheHostRecipientFailsEvenIfTheFileHasIt() throws Exception {
        // When
        Verdict verdict =
                SecretsVerdict.decide(EDGE, snapshot(encrypted(GOOD, List.of(HOST_R, OP_R)), rules(OP_R), true));

        // Then
        Verdict.Failed failed = (Verdict.Failed) verdict;
        assertThat(failed.reason()).isEqualTo("creation-rule-missing-recipient");
        assertThat(failed.details().get(0).message())
                .contains(FILE)
                .contains(HOST_R)
                .contains("creation_rules[0]");
    }

    @Test
    void everyFindingIsCollected() throws Exception {
        // Given: not for the host, rule without the host, a required key missing
        SopsFile file = encrypted("tailscale:\n    auth_key: a\n", List.of(OP_R));

        // When
        Verdict.Failed failed = (Verdict.Failed) SecretsVerdict.decide(EDGE, snapshot(file, rules(OP_R), true));

        // Then
        assertThat(failed.details())
                .extracting(Detail::code)
                .containsExactly("missing-recipient", "creation-rule-missing-recipient", "missing-required-key");
        assertThat(failed.message()).contains("edge").contains("3 checks").contains("ops/secrets@0123456789ab");
        assertThat(failed.retryable()).isFalse();
    }

    @Test
    void missingFileMissingSopsConfigAndHostWithoutSecretsAreNamed() throws Exception {
        // Given
        RepositorySnapshot noFile = new RepositorySnapshot(
                "ops/secrets",
                COMMIT,
                Optional.empty(),
                Optional.of(".sops.yaml is missing"),
                List.of(new FileCheck(FILE, Optional.empty(), Optional.empty())));
        Inventory.Host bare = new Inventory.Host(
                "pi",
                Inventory.Role.CONTROL,
                List.of("ops/secrets"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                List.of());

        // When
        Verdict.Failed missing = (Verdict.Failed) SecretsVerdict.decide(EDGE, noFile);
        Verdict.Failed unconfigured = (Verdict.Failed) SecretsVerdict.decide(bare, noFile);

        // Then
        assertThat(missing.details())
                .extracting(Detail::code, Detail::subject)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("missing-file", FILE),
                        org.assertj.core.groups.Tuple.tuple("missing-required-key", "tailscale/auth_key"),
                        org.assertj.core.groups.Tuple.tuple("missing-required-key", "restic/password"));
        assertThat(unconfigured.reason()).isEqualTo("no-secrets-configured");
        assertThat(unconfigured.message()).contains("hosts.pi.secrets");
    }

    @Test
    void manyFilesOfPlaintextValuesGiveACappedVerdict() {
        // Given: four files of 150 plaintext values each (600 findings before any cap)
        List<String> files = List.of("hosts/a.yaml", "hosts/b.yaml", "hosts/c.yaml", "hosts/d.yaml");
        Inventory.Host host = new Inventory.Host(
                "edge",
                Inventory.Role.EDGE,
                List.of("ops/secrets"),
                Optional.empty(),
                Optional.empty(),
                Optional.of(new Inventory.HostSecrets(files, HOST_R, List.of())),
                List.of(),
                List.of());
        String plain = "values: [" + "1,".repeat(149) + "1]\n";
        List<FileCheck> checks = files.stream()
                .map(f -> new FileCheck(
                        f,
                        Optional.of(SopsFile.inspect(
                                f, plain.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES)),
                        Optional.<SopsDecryption.Result>empty()))
                .toList();
        RepositorySnapshot snapshot =
                new RepositorySnapshot("ops/secrets", COMMIT, Optional.empty(), Optional.of("missing"), checks);

        // When
        Verdict verdict = SecretsVerdict.decide(host, snapshot);

        // Then
        Verdict.Failed failed = (Verdict.Failed) verdict;
        assertThat(failed.details()).hasSize(SecretsVerdict.MAX_DETAILS + 1);
        Detail last = failed.details().get(failed.details().size() - 1);
        assertThat(last.code()).isEqualTo("more-findings");
        assertThat(last.message()).contains("edge").contains("more findings").contains("first 200");
        assertThat(failed.details().stream().mapToInt(d -> d.message().length()).sum())
                .isLessThan(100_000);
    }
}
