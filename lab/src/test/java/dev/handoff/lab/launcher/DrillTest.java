package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DrillTest {
    @Test
    void eachDrillCommandLineParsesToItsActionAndTarget() throws Exception {
        assertThat(Drill.parse("kill", List.of("converge-service")))
                .isEqualTo(new Drill(Drill.Action.KILL, "converge-service"));
        assertThat(Drill.parse("restart", List.of("converge-service")))
                .isEqualTo(new Drill(Drill.Action.RESTART, "converge-service"));
        assertThat(Drill.parse("stop", List.of("kafka"))).isEqualTo(new Drill(Drill.Action.STOP, "kafka"));
        assertThat(Drill.parse("start", List.of("postgres"))).isEqualTo(new Drill(Drill.Action.START, "postgres"));
        assertThat(Drill.parse("partition", List.of("cloud-edge-1")))
                .isEqualTo(new Drill(Drill.Action.PARTITION, "cloud-edge-1"));
        assertThat(Drill.parse("partition", List.of("--heal", "cloud-edge-1")))
                .isEqualTo(new Drill(Drill.Action.HEAL, "cloud-edge-1"));
    }

    @Test
    void aDrillTravelsToTheLabAsAPathAndBackUnchanged() throws Exception {
        for (Drill drill : List.of(
                new Drill(Drill.Action.KILL, "converge-service"),
                new Drill(Drill.Action.HEAL, "cloud-edge-1"),
                new Drill(Drill.Action.STOP, "postgres"))) {
            assertThat(Drill.ofPath(drill.path())).isEqualTo(drill);
        }
        assertThat(new Drill(Drill.Action.HEAL, "cloud-edge-1").commandLine())
                .isEqualTo("./handoff partition cloud-edge-1 --heal");
        assertThat(new Drill(Drill.Action.KILL, "converge-service").commandLine())
                .isEqualTo("./handoff kill converge-service");
    }

    @Test
    void aMissingOrSecondNameIsAUsageErrorShowingTheForm() {
        assertThatThrownBy(() -> Drill.parse("kill", List.of()))
                .isInstanceOf(LabCommands.UsageException.class)
                .hasMessage("kill: which one? ./handoff kill <service>, e.g. ./handoff kill converge-service");
        assertThatThrownBy(() -> Drill.parse("restart", List.of("a", "b")))
                .hasMessageContaining("restart: one at a time ./handoff restart <service>");
        assertThatThrownBy(() -> Drill.parse("partition", List.of()))
                .hasMessageContaining("./handoff partition <host> [--heal], e.g. ./handoff partition cloud-edge-1");
    }

    @Test
    void stopAndStartTakeKafkaOrPostgresOnly() {
        assertThatThrownBy(() -> Drill.parse("stop", List.of("converge-service")))
                .isInstanceOf(LabCommands.UsageException.class)
                .hasMessage("stop: the lab can stop kafka or postgres, not 'converge-service' (for a service:"
                        + " ./handoff kill|restart <service>)");
    }

    @Test
    void anUnknownOptionOrANameThatIsNoNameIsRefused() {
        assertThatThrownBy(() -> Drill.parse("kill", List.of("--now", "converge-service")))
                .hasMessage("kill: unknown option --now (./handoff kill <service>)");
        assertThatThrownBy(() -> Drill.parse("partition", List.of("../etc")))
                .hasMessageContaining("'../etc' is not a name of the lab");
        assertThatThrownBy(() -> Drill.ofPath("/drills/kill/../x")).isInstanceOf(IllegalArgumentException.class);
    }
}
