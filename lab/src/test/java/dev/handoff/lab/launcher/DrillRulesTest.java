package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.launcher.DrillRules.ServiceCondition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillRulesTest {
    private static final Map<String, ServiceCondition> SERVICES = services(
            "control-service", ServiceCondition.RUNNING,
            "converge-service", ServiceCondition.RUNNING,
            "backup-service", ServiceCondition.RUNNING);
    private static final Map<String, Boolean> HOSTS = hosts(false, false);

    @Test
    void aRunningLabTakesEachDrillOnceAndRefusesItTwice() {
        // Given: nothing drilled yet
        DrillRules.Condition now = new DrillRules.Condition(SERVICES, false, false, HOSTS);

        // Then: each drill that changes something is taken
        for (Drill drill : new Drill[] {
            new Drill(Drill.Action.KILL, "converge-service"),
            new Drill(Drill.Action.RESTART, "converge-service"),
            new Drill(Drill.Action.STOP, "kafka"),
            new Drill(Drill.Action.STOP, "postgres"),
            new Drill(Drill.Action.PARTITION, "cloud-edge-1")
        }) {
            assertThat(DrillRules.refusal(drill, now)).as(drill.commandLine()).isEmpty();
        }

        // And: undoing what is not done is refused, naming the thing and what to run
        assertThat(DrillRules.refusal(new Drill(Drill.Action.START, "kafka"), now))
                .contains("Kafka is already running: nothing to start (./handoff stop kafka stops it).");
        assertThat(DrillRules.refusal(new Drill(Drill.Action.START, "postgres"), now))
                .contains("PostgreSQL is already running: nothing to start (./handoff stop postgres stops it).");
        assertThat(DrillRules.refusal(new Drill(Drill.Action.HEAL, "cloud-edge-1"), now))
                .contains("cloud-edge-1 is not partitioned: nothing to heal (./handoff partition cloud-edge-1 cuts it"
                        + " off).");
    }

    @Test
    void aThingAlreadyInThatStateIsRefusedWithTheWayBack() {
        // Given: everything drilled
        DrillRules.Condition now = new DrillRules.Condition(
                services("converge-service", ServiceCondition.KILLED, "backup-service", ServiceCondition.EXITED),
                true,
                true,
                hosts(true, false));

        // Then
        assertThat(DrillRules.refusal(new Drill(Drill.Action.KILL, "converge-service"), now))
                .contains("converge-service is already killed (./handoff kill); start it again with ./handoff restart"
                        + " converge-service.");
        assertThat(DrillRules.refusal(new Drill(Drill.Action.KILL, "backup-service"), now))
                .hasValueSatisfying(r -> assertThat(r)
                        .startsWith("backup-service is not running: it exited by itself")
                        .endsWith("start it again with ./handoff restart backup-service."));
        assertThat(DrillRules.refusal(new Drill(Drill.Action.STOP, "kafka"), now))
                .contains("Kafka is already stopped (./handoff stop kafka); start it again with ./handoff start"
                        + " kafka.");
        assertThat(DrillRules.refusal(new Drill(Drill.Action.PARTITION, "cloud-edge-1"), now))
                .contains("cloud-edge-1 is already partitioned; heal it with ./handoff partition cloud-edge-1"
                        + " --heal.");
        assertThat(DrillRules.refusal(new Drill(Drill.Action.RESTART, "converge-service"), now))
                .isEmpty();
        assertThat(now.drilled())
                .containsExactly(
                        Map.entry("converge-service", "killed"),
                        Map.entry("kafka", "stopped"),
                        Map.entry("postgres", "stopped"),
                        Map.entry("cloud-edge-1", "partitioned"));
    }

    @Test
    void anUnknownServiceOrHostIsRefusedListingTheValidOnes() {
        DrillRules.Condition now = new DrillRules.Condition(SERVICES, false, false, HOSTS);

        assertThat(DrillRules.refusal(new Drill(Drill.Action.KILL, "converge"), now))
                .contains("The lab runs no service named converge; its services are control-service,"
                        + " converge-service, backup-service: ./handoff kill <service>.");
        assertThat(DrillRules.refusal(new Drill(Drill.Action.RESTART, "workload-service"), now))
                .hasValueSatisfying(r -> assertThat(r).contains("no service named workload-service"));
        assertThat(DrillRules.refusal(new Drill(Drill.Action.PARTITION, "fleet-0001"), now))
                .contains("The lab has no simulated host named fleet-0001 to partition; its hosts are cloud-edge-1,"
                        + " forgejo-pi: ./handoff partition <host> [--heal].");
    }

    private static Map<String, ServiceCondition> services(Object... pairs) {
        Map<String, ServiceCondition> services = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            services.put((String) pairs[i], (ServiceCondition) pairs[i + 1]);
        }
        return services;
    }

    private static Map<String, Boolean> hosts(boolean edgeCut, boolean forgejoCut) {
        Map<String, Boolean> hosts = new LinkedHashMap<>();
        hosts.put("cloud-edge-1", edgeCut);
        hosts.put("forgejo-pi", forgejoCut);
        return hosts;
    }
}
