package dev.handoff.lab.launcher;

import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresOutage;
import dev.handoff.lab.world.HostNetwork;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The running lab's side of the fault drills: kills a service's JVM with SIGKILL (and leaves it dead), starts it
 * again, stops and starts the broker and PostgreSQL, partitions and heals a simulated host. One drill at a time; each
 * answers with what it did, or why it did nothing ({@link DrillRules}).
 */
final class LabDrills {
    private static final Logger LOG = Logger.getLogger(LabDrills.class);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /** What the launcher lends the drills: the parts that run now, and how to record a change. */
    interface RunningLab {
        /** The service processes, in start order. */
        List<ServiceProcess> services();

        /** {@code fresh} replaces {@code old}: watch it and record it. */
        void restarted(ServiceProcess old, ServiceProcess fresh);

        LabKafka kafka();

        /** {@code fresh} is the broker from now on. */
        void kafkaStarted(LabKafka fresh);

        PostgresOutage postgres();

        /** The network to the simulated hosts; empty when the lab runs none. */
        Optional<HostNetwork> network();

        /** The drills' state changed: record it ({@code lab.state}). */
        void drillsChanged();
    }

    /**
     * A drill's answer.
     *
     * @param done whether the drill was carried out (otherwise it was refused or failed)
     * @param text what was done, or why not
     */
    record Answer(boolean done, String text) {}

    private final RunningLab lab;
    private final java.io.PrintStream out;
    // read by the launcher's threads (status, exit watchers) while a drill runs
    private final Set<String> killed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean postgresOut;

    LabDrills(RunningLab lab, java.io.PrintStream out) {
        this.lab = lab;
        this.out = out;
    }

    /** Whether {@code service} was killed by a drill and not started again. */
    boolean killed(String service) {
        return killed.contains(service);
    }

    /** What the drills changed and is not undone. */
    Map<String, String> drilled() {
        return condition().drilled();
    }

    synchronized Answer run(Drill drill) throws InterruptedException {
        Optional<String> refused = DrillRules.refusal(drill, condition());
        if (refused.isPresent()) {
            return new Answer(false, refused.get());
        }
        Answer answer;
        try {
            answer = switch (drill.action()) {
                case KILL -> kill(service(drill.target()));
                case RESTART -> restart(service(drill.target()));
                case STOP -> drill.target().equals("kafka") ? stopKafka() : stopPostgres();
                case START -> drill.target().equals("kafka") ? startKafka() : startPostgres();
                case PARTITION -> partition(drill.target());
                case HEAL -> heal(drill.target());
            };
        } catch (RuntimeException e) {
            LOG.errorf(e, "drill %s failed", drill.commandLine());
            answer = new Answer(false, drill.commandLine() + " failed: " + e.getMessage());
        }
        lab.drillsChanged();
        out.println("Drill:      " + drill.commandLine() + ": " + answer.text());
        return answer;
    }

    private Answer kill(ServiceProcess service) throws InterruptedException {
        // marked first, so that the launcher's exit watcher reports a drill, not a crash
        killed.add(service.name());
        // Process.destroyForcibly is SIGKILL on Linux and macOS: the JVM gets no chance to shut down
        service.process().destroyForcibly();
        if (!service.process().waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            return new Answer(
                    false,
                    "Sent SIGKILL to " + service.name() + " (pid " + service.pid() + "), but it"
                            + " had not ended after " + KILL_WAIT.toSeconds() + " s.");
        }
        return new Answer(
                true,
                "Killed " + service.name() + " with SIGKILL (pid " + service.pid() + "). The lab keeps"
                        + " running without it and does not restart it; ./handoff status shows it as killed. Start it again"
                        + " with ./handoff restart " + service.name() + ".");
    }

    private Answer restart(ServiceProcess service) throws InterruptedException {
        String before;
        if (killed.contains(service.name())) {
            before = "it was killed by ./handoff kill";
        } else if (service.isAlive()) {
            service.stop(UpCommand.STOP_GRACE);
            before = "stopped pid " + service.pid() + " with SIGTERM first";
        } else {
            before = "it had exited with code " + service.process().exitValue();
        }
        long began = System.nanoTime();
        ServiceProcess fresh = service.startAgain();
        killed.remove(service.name());
        lab.restarted(service, fresh);
        try {
            fresh.awaitReady(UpCommand.READY_TIMEOUT);
        } catch (ServiceFailedException e) {
            return new Answer(
                    false,
                    "Restarted " + service.name() + " (pid " + fresh.pid() + "; " + before + "), but"
                            + " it did not become ready: " + e.getMessage());
        }
        return new Answer(
                true,
                String.format(
                        "Restarted %s (pid %d; %s): ready on http://localhost:%d after %.1f s.",
                        service.name(), fresh.pid(), before, fresh.port(), (System.nanoTime() - began) / 1e9));
    }

    private Answer stopKafka() {
        LabKafka kafka = lab.kafka();
        kafka.close();
        return new Answer(
                true,
                "Stopped the Kafka broker on " + kafka.bootstrapServers() + " (it runs in the lab's"
                        + " process; its storage stays). The services' clients retry until ./handoff start kafka.");
    }

    private Answer startKafka() {
        long began = System.nanoTime();
        LabKafka fresh = lab.kafka().startAgain();
        lab.kafkaStarted(fresh);
        return new Answer(
                true,
                String.format(
                        "Started the Kafka broker again on %s with the same storage (%.1f s): topics, records and"
                                + " consumer offsets are as they were; the services reconnect on their own.",
                        fresh.bootstrapServers(), (System.nanoTime() - began) / 1e9));
    }

    private Answer stopPostgres() {
        String done = lab.postgres().begin();
        postgresOut = true;
        return new Answer(true, done + " Undo it with ./handoff start postgres.");
    }

    private Answer startPostgres() {
        String done = lab.postgres().end();
        postgresOut = false;
        return new Answer(true, done);
    }

    private Answer partition(String host) {
        HostNetwork network = lab.network().orElseThrow();
        network.partition(host);
        return new Answer(
                true,
                "Partitioned " + host + " (" + network.describe(host) + "): its SSH and K3s API get no byte through"
                        + " any more. Open connections stall; new ones connect and get no answer (no SSH banner, no"
                        + " TLS handshake) until the client gives up. Heal it with ./handoff partition " + host
                        + " --heal.");
    }

    private Answer heal(String host) {
        HostNetwork network = lab.network().orElseThrow();
        network.heal(host);
        return new Answer(
                true,
                "Healed " + host + " (" + network.describe(host) + "): its SSH and K3s API answer again;"
                        + " connections that stalled go on if their clients still wait.");
    }

    private ServiceProcess service(String name) {
        return lab.services().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    private DrillRules.Condition condition() {
        Map<String, DrillRules.ServiceCondition> services = new LinkedHashMap<>();
        for (ServiceProcess service : lab.services()) {
            services.put(
                    service.name(),
                    service.isAlive()
                            ? DrillRules.ServiceCondition.RUNNING
                            : killed.contains(service.name())
                                    ? DrillRules.ServiceCondition.KILLED
                                    : DrillRules.ServiceCondition.EXITED);
        }
        Map<String, Boolean> hosts = new LinkedHashMap<>();
        lab.network().ifPresent(network -> network.hosts().forEach(h -> hosts.put(h, network.partitioned(h))));
        return new DrillRules.Condition(services, lab.kafka().stopped(), postgresOut, hosts);
    }
}
