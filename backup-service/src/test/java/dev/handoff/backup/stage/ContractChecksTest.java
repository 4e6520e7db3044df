package dev.handoff.backup.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContractChecksTest {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);

    @Test
    void aSnapshotOlderThanTheMaximumAgeIsStale() {
        assertThat(ContractChecks.freshness(
                        "h", "runtime", "0123456789", NOW.minus(Duration.ofHours(27)), NOW, Duration.ofHours(26)))
                .hasValueSatisfying(f -> {
                    assertThat(f.code()).isEqualTo("stale");
                    assertThat(f.message()).contains("1d 3h old").contains("maximum age 1d 2h");
                });
        assertThat(ContractChecks.freshness(
                        "h", "runtime", "0123456789", NOW.minus(Duration.ofHours(25)), NOW, Duration.ofHours(26)))
                .isEmpty();
        assertThat(ContractChecks.age(NOW.plusSeconds(30), NOW))
                .as("clock skew")
                .isZero();
    }

    @Test
    void everyRequiredPathTheSnapshotLacksIsAFinding() {
        List<Finding> findings = ContractChecks.coverage(
                "h", "runtime", "0123456789", List.of("/var/lib/rustdesk", "/var/lib/x"), List.of("/var/lib/x"));
        assertThat(findings)
                .extracting(Finding::code, Finding::subject)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("missing-path", "/var/lib/rustdesk"));
    }

    @Test
    void theCheckIsDueWhenItNeverPassedOrItsLastPassIsOlderThanTheInterval() {
        assertThat(ContractChecks.checkDue(Optional.empty(), NOW, Duration.ofDays(7)))
                .isTrue();
        assertThat(ContractChecks.checkDue(Optional.of(NOW.minus(Duration.ofDays(8))), NOW, Duration.ofDays(7)))
                .isTrue();
        assertThat(ContractChecks.checkDue(Optional.of(NOW.minus(Duration.ofDays(1))), NOW, Duration.ofDays(7)))
                .isFalse();
    }

    @Test
    void theRehearsalComparesDigestsAndNamesEveryDifferenceWithoutContents() {
        List<Finding> findings = ContractChecks.compare(
                "h",
                "runtime",
                "0123456789",
                List.of("/t", "/k", "/lost", "/same"),
                Map.of("/t", A, "/k", A, "/same", B),
                Map.of("/t", B, "/lost", A, "/same", B));
        assertThat(findings).extracting(Finding::subject).containsExactly("/t", "/k", "/lost");
        assertThat(findings).allSatisfy(f -> assertThat(f.code()).isEqualTo("rehearsal-mismatch"));
        assertThat(findings.get(0).message()).contains("changed after snapshot 01234567");
        assertThat(findings.get(2).message()).contains("a recovery would lose it");
        assertThat(findings).allSatisfy(f -> assertThat(f.message()).doesNotContain(A, B));
    }

    @Test
    void aFileOnNeitherSideIsNotComparedRatherThanEqualOrDifferent() {
        // When: the verified files are in neither the restore nor on the host
        List<Finding> findings = ContractChecks.compare(
                "h", "runtime", "0123456789", List.of("/gone", "/also-gone"), Map.of(), Map.of());

        // Then
        assertThat(findings)
                .extracting(Finding::code, Finding::subject)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("rehearsal-not-compared", "/gone"),
                        org.assertj.core.groups.Tuple.tuple("rehearsal-not-compared", "/also-gone"));
        assertThat(findings.get(0).message()).contains("not-compared").contains("hosts.h.backups.runtime.verify");
        assertThat(findings).noneMatch(Finding::retryable);
    }

    @Test
    void aRehearsalWithNoFileToCompareIsNotCompared() {
        List<String> paths = List.of("/var/lib/rustdesk", "/var/lib/x");

        // verify lists nothing (control-plane's default)
        assertThat(notCompared(paths, List.of(), paths, 4, ContractChecks.LiveHost.ASKABLE))
                .hasValueSatisfying(f -> {
                    assertThat(f.code()).isEqualTo("rehearsal-not-compared");
                    assertThat(f.subject()).isEqualTo("verify");
                    assertThat(f.message())
                            .contains("not-compared")
                            .contains("hosts.h.backups.runtime.verify lists no file");
                });
        // its files are all under paths the snapshot lacks
        List<String> verify = List.of("/var/lib/rustdesk/id_ed25519");
        assertThat(notCompared(paths, verify, List.of("/var/lib/x"), 4, ContractChecks.LiveHost.ASKABLE))
                .hasValueSatisfying(f -> {
                    assertThat(f.subject()).isEqualTo("verify");
                    assertThat(f.message()).contains("missing-path");
                });
    }

    @Test
    void aRestoreOfZeroFilesIsNotAComparison() {
        List<String> paths = List.of("/var/lib/rustdesk");
        List<String> verify = List.of("/var/lib/rustdesk/id_ed25519");

        assertThat(notCompared(paths, verify, paths, 0, ContractChecks.LiveHost.ASKABLE))
                .hasValueSatisfying(f -> {
                    assertThat(f.code()).isEqualTo("rehearsal-not-compared");
                    assertThat(f.subject()).isEqualTo("snapshot 01234567");
                    assertThat(f.message()).contains("restored no file").contains("restic ls 01234567");
                });
    }

    @Test
    void aLiveHostThatCannotBeAskedLeavesTheRehearsalNotCompared() {
        List<String> paths = List.of("/var/lib/rustdesk");
        List<String> verify = List.of("/var/lib/rustdesk/id_ed25519");

        assertThat(notCompared(paths, verify, paths, 2, ContractChecks.LiveHost.NO_ACCESS))
                .hasValueSatisfying(f -> {
                    assertThat(f.code()).isEqualTo("rehearsal-not-compared");
                    assertThat(f.subject()).isEqualTo("access");
                    assertThat(f.message()).contains("hosts.h.access.steady");
                });
        assertThat(notCompared(paths, verify, paths, 2, ContractChecks.LiveHost.NO_SSH_IDENTITY))
                .hasValueSatisfying(f -> {
                    assertThat(f.subject()).isEqualTo("handoff.backup.ssh-identity");
                    assertThat(f.message()).contains("HANDOFF_BACKUP_SSH_IDENTITY");
                });
        assertThat(notCompared(paths, verify, paths, 2, ContractChecks.LiveHost.ASKABLE))
                .as("restored files and a host to ask: the comparison runs")
                .isEmpty();
    }

    private static Optional<Finding> notCompared(
            List<String> paths, List<String> verify, List<String> covered, int files, ContractChecks.LiveHost live) {
        return ContractChecks.notCompared(
                "h", "runtime", "0123456789", paths, verify, ContractChecks.comparable(verify, covered), files, live);
    }

    @Test
    void resticErrorsMapToReasons() {
        assertThat(ResticErrors.classify("Fatal: wrong password or no key found")
                        .code())
                .isEqualTo("wrong-credentials");
        assertThat(ResticErrors.classify("Pack ID does not match\nFatal: repository contains errors")
                        .code())
                .isEqualTo("repository-damaged");
        assertThat(ResticErrors.classify("ignoring error for /x: ciphertext verification failed")
                        .code())
                .isEqualTo("repository-damaged");
        assertThat(ResticErrors.classify("Fatal: unable to open config file: stat /r/config: no such file")
                        .retryable())
                .isTrue();
        assertThat(ResticErrors.classify("Fatal: unable to create lock in backend: repository is already locked")
                        .code())
                .isEqualTo("repository-locked");
    }

    @Test
    void theRedactorRemovesSecretsAndUrlCredentials() {
        Redactor r = new Redactor().learn("hunter2-password\n");
        assertThat(r.redact("rest:https://u:p@host/x/ said hunter2-password"))
                .isEqualTo("rest:https://***@host/x/ said (redacted)");
        assertThat(Redactor.withoutCredentials("rest:https://user:pass@backup.example/runtime/\n"))
                .isEqualTo("rest:https://backup.example/runtime/");
    }
}
