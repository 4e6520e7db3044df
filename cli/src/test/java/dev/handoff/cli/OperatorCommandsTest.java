package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -o yaml and wide, approvals, redeploy, completion and version, against a stub of control-service. */
class OperatorCommandsTest {
    private static final String PAGE = "{\"items\":[{\"id\":\"d1\",\"host\":\"cloud-edge-1\",\"repository\":"
            + "\"ops/edge-cluster-infra\",\"commit\":\"6bfea4546eb3d2a1c0f9e8d7c6b5a4938271605f\",\"firstStage\":"
            + "\"infra\",\"status\":\"running\",\"startedAt\":\"2026-01-05T10:00:00Z\",\"stages\":[{\"stage\":"
            + "\"infra\",\"status\":\"completed\"},{\"stage\":\"secrets\",\"status\":\"started\"}]}],\"next\":null}";

    private final ControlStub control = new ControlStub();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        control.close();
    }

    private Ctl.Run ctl(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = control.url();
        all[args.length + 2] = "--token";
        all[args.length + 3] = "t0k";
        return Ctl.run(all);
    }

    @Test
    void yamlOutputIsValidYamlOfTheSameDataAsJson() throws Exception {
        // Given
        control.answer(PAGE);

        // When
        Ctl.Run yaml = ctl("-o", "yaml", "deployments");
        Ctl.Run json = ctl("deployments", "--output", "json");

        // Then
        assertThat(yaml.exit()).isZero();
        assertThat(yaml.out())
                .startsWith("---")
                .contains("host: \"cloud-edge-1\"")
                .doesNotContain("{");
        JsonNode fromYaml = new YAMLMapper().readTree(yaml.out());
        assertThat(fromYaml).isEqualTo(ControlApi.JSON.readTree(json.out()));
        assertThat(fromYaml.path("items")
                        .get(0)
                        .path("stages")
                        .get(1)
                        .path("status")
                        .asText())
                .isEqualTo("started");
    }

    @Test
    void wideAddsTheStagesTheFullCommitAndTheTimes() {
        // Given
        control.answer(PAGE);

        // When
        Ctl.Run table = ctl("deployments");
        Ctl.Run wide = ctl("deployments", "-o", "wide");

        // Then
        assertThat(table.out()).contains("6bfea4546eb3 ").doesNotContain("STAGES");
        assertThat(wide.exit()).isZero();
        assertThat(wide.out())
                .contains("STAGES", "UPDATED", "FINISHED", "REPLAY OF")
                .contains("6bfea4546eb3d2a1c0f9e8d7c6b5a4938271605f", "infra=completed secrets=started");
    }

    @Test
    void approvalsAsksForThePendingOnesAndListsThemWithHowToDecide() {
        // Given
        control.answer("{\"items\":[{\"deploymentId\":\"d7\",\"requestId\":\"r1\",\"host\":\"cloud-edge-1\",\"stage\":"
                + "\"infra\",\"commit\":\"6bfea4546eb3d2a1c0f9\",\"status\":\"waiting-approval\",\"pending\":true,"
                + "\"changes\":2,\"expiresAt\":\"2026-01-05T11:00:00Z\"}]}");

        // When
        Ctl.Run pending = ctl("approvals", "--pending");
        control.answer("{\"items\":[]}");
        Ctl.Run none = ctl("approvals", "--pending");

        // Then
        assertThat(pending.exit()).isZero();
        assertThat(control.seen.get(0).path()).isEqualTo("/api/approvals?pending=true&limit=20");
        assertThat(pending.out())
                .containsPattern("d7\\s+cloud-edge-1\\s+infra\\s+6bfea4546eb3\\s+waiting-approval\\s+2\\s+")
                .contains("pending", "Decide with: handoffctl approve|reject <DEPLOYMENT>");
        assertThat(none.out()).contains("No approval request waits for a decision.");
    }

    @Test
    void redeployPostsTheStageWithAnIdempotencyKeyAndSaysHowToFollowTheNewDeployment() throws Exception {
        // Given
        control.answer(
                202,
                "{\"host\":\"cloud-edge-1\",\"stage\":\"converge\",\"deploymentId\":\"new-1\","
                        + "\"trigger\":{\"eventId\":\"e1\",\"type\":\"handoff.secret-facts.completed\",\"topic\":"
                        + "\"handoff.secret-facts\",\"partition\":1,\"offset\":118,\"deploymentId\":\"old-1\"},"
                        + "\"replay\":{\"id\":\"r1\"}}");

        // When
        Ctl.Run run = ctl("redeploy", "cloud-edge-1", "--stage", "converge");
        Ctl.Run noStage = ctl("redeploy", "cloud-edge-1");

        // Then
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(control.seen.get(0).method()).isEqualTo("POST");
        assertThat(control.seen.get(0).path()).isEqualTo("/api/hosts/cloud-edge-1/redeploy");
        assertThat(control.seen.get(0).idempotencyKey()).isNotBlank();
        assertThat(ControlApi.JSON
                        .readTree(control.seen.get(0).body())
                        .path("stage")
                        .asText())
                .isEqualTo("converge");
        assertThat(run.out())
                .contains("Redeploying cloud-edge-1 from converge: deployment new-1")
                .contains("handoff.secret-facts partition 1 offset 118 (of deployment old-1)")
                .contains("Follow it with: handoffctl wait new-1");
        assertThat(control.seen.get(1).body()).isEqualTo("{}");
        assertThat(control.seen.get(1).idempotencyKey())
                .isNotEqualTo(control.seen.get(0).idempotencyKey());
        assertThat(noStage.exit()).isZero();
    }

    @Test
    void aRefusedRedeploySaysWhyAndWhatToDo() {
        // Given
        control.answer(
                400,
                "{\"reason\":\"no-trigger\",\"error\":\"the ledger holds no trigger of infra for"
                        + " forgejo-pi\",\"fix\":\"redeploy from the stage the host's deployments start at\"}");

        // When
        Ctl.Run run = ctl("redeploy", "forgejo-pi", "--stage", "infra");

        // Then
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("no-trigger", "no trigger of infra for forgejo-pi", "fix: redeploy from");
    }

    @Test
    void theVersionIsTheBuildsVersion() {
        // When
        Ctl.Run version = Ctl.run("--version");

        // Then
        assertThat(version.exit()).isZero();
        assertThat(version.out().strip())
                .isEqualTo("handoffctl " + System.getProperty("handoffctl.expected.version", "(run by Maven)"));
    }

    @Test
    void theBashCompletionScriptCompletesCommandsStagesAndOutputFormatsInBash() throws Exception {
        // Given
        Ctl.Run script = Ctl.run("completion", "bash");
        Path file = dir.resolve("handoffctl.bash");
        Files.writeString(file, script.out(), StandardCharsets.UTF_8);

        // When
        String completed = complete(file, "handoffctl de")
                + "|" + complete(file, "handoffctl wait d1 --for co")
                + "|" + complete(file, "handoffctl -o y")
                + "|" + complete(file, "handoffctl redeploy cloud-edge-1 --st");

        // Then
        assertThat(script.exit()).isZero();
        assertThat(completed).isEqualTo("deployments|converge|yaml|--stage");
        assertThat(Ctl.run("completion", "zsh").out()).contains("bashcompinit", "_complete_handoffctl");
        assertThat(Ctl.run("completion", "fish").exit()).isEqualTo(2);
    }

    /** What bash completes the last word of {@code line} to, with the script loaded. */
    private static String complete(Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        String program = "source '" + script + "'\n"
                + "COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(" + words + ");"
                + " COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "_complete_handoffctl 2>/dev/null\n"
                + "echo \"${COMPREPLY[*]}\"\n";
        Process bash = new ProcessBuilder("bash", "--norc", "-c", program).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(bash.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
