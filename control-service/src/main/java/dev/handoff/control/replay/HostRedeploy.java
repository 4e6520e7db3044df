package dev.handoff.control.replay;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.control.api.ReplayViews.RedeployView;
import dev.handoff.control.api.ReplayViews.ReplayView;
import dev.handoff.control.api.ReplayViews.TriggerView;
import dev.handoff.control.ledger.HostTriggers;
import dev.handoff.control.ledger.HostTriggers.Trigger;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Redeploys a host from a stage: finds the host's last trigger of that stage in the ledger (its topic, partition and
 * offset) and replays exactly that record, for that host only, through {@link ReplayService}.
 */
@ApplicationScoped
public class HostRedeploy {
    private final Inventory inventory;
    private final HostTriggers triggers;
    private final ReplayService replays;

    public HostRedeploy(Inventory inventory, HostTriggers triggers, ReplayService replays) {
        this.inventory = inventory;
        this.triggers = triggers;
        this.replays = replays;
    }

    /**
     * Redeploys.
     *
     * @param stage the stage to run again; null = the stage the host's newest deployment started at
     * @param caller the operator token's name
     * @param idempotencyKey as for a replay: the same key again repeats the same redeploy
     * @throws ReplayRefused {@code unknown-host}, {@code unknown-stage}, {@code no-deployment}, {@code no-trigger}, or
     *     any refusal of the replay itself
     */
    public RedeployView redeploy(String host, String stage, String caller, String idempotencyKey)
            throws ReplayRefused, ReplayService.KafkaUnavailable, SQLException {
        if (host == null || !inventory.hosts().containsKey(host)) {
            throw new ReplayRefused(
                    "unknown-host",
                    "host " + host + " is not in handoff.yaml",
                    "use a host name of handoff.yaml's hosts: "
                            + String.join(", ", inventory.hosts().keySet()));
        }
        Stage chosen = stage == null || stage.isBlank() ? defaultStage(host) : stage(stage);
        Optional<Trigger> last = triggers.last(host, chosen);
        if (last.isEmpty()) {
            throw new ReplayRefused(
                    "no-trigger",
                    "the ledger holds no trigger of " + chosen.id() + " for " + host + " (a commit.pushed of a"
                            + " repository that starts at " + chosen.id() + ", or the facts of the stage before it on "
                            + String.join(", ", StageInputs.of(chosen)) + ")",
                    "redeploy from the stage the host's deployments start at (GET /api/deployments?host=" + host
                            + " shows firstStage), or push a commit");
        }
        Trigger t = last.get();
        ReplayView replay = replays.replay(
                new ReplayRequest(chosen.id(), t.topic(), t.partition(), t.offset(), t.offset(), host),
                caller,
                idempotencyKey);
        // a replay of one trigger that is not refused re-publishes exactly that record: one new deployment
        return new RedeployView(
                host,
                chosen.id(),
                new TriggerView(
                        t.eventId(), t.type(), t.topic(), t.partition(), t.offset(), t.deploymentId(), t.time()),
                replay.records().get(0).deploymentId(),
                replay);
    }

    private Stage defaultStage(String host) throws ReplayRefused, SQLException {
        String first = triggers.lastFirstStage(host)
                .orElseThrow(() -> new ReplayRefused(
                        "no-deployment",
                        "host " + host + " has no deployment yet, so there is no stage to redeploy from",
                        "give the stage (stage: " + stageIds() + "), or push a commit to one of its repositories"));
        return stage(first);
    }

    private static Stage stage(String id) throws ReplayRefused {
        return Stage.byId(id)
                .orElseThrow(() -> new ReplayRefused(
                        "unknown-stage", "stage '" + id + "' is not a stage of the chain", "use one of " + stageIds()));
    }

    private static String stageIds() {
        return Arrays.stream(Stage.values()).map(Stage::id).collect(Collectors.joining(", "));
    }
}
