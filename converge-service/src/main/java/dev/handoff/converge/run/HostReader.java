package dev.handoff.converge.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.serde.Json;
import dev.handoff.converge.driver.FactsStore;
import dev.handoff.converge.driver.HostObserver;
import dev.handoff.converge.driver.HostSession;
import dev.handoff.converge.driver.SshException;
import dev.handoff.converge.driver.SshjHosts;
import dev.handoff.converge.stage.AccessPlan;
import dev.handoff.converge.stage.HostObservation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Observes a host between runs the way a run reaches it: the access path its phase chooses (steady once it answered
 * there, else bootstrap), the other one if that does not answer, with the key pinned for it — a watch never pins a key.
 */
final class HostReader {
    private static final ObjectMapper JSON = Json.mapper();

    private final FactsStore facts;
    private final SshjHosts ssh;
    private final HostObserver observer;

    HostReader(FactsStore facts, SshjHosts ssh, HostObserver observer) {
        this.facts = facts;
        this.ssh = ssh;
        this.observer = observer;
    }

    /** What {@code host} shows now; throws naming every path tried when none answers. */
    HostObservation read(Inventory.Host host) throws Exception {
        Optional<CloudFacts> cloud =
                facts.newest(host.name(), FactsStore.Kind.CLOUD).map(json -> read(json, CloudFacts.class));
        AccessPlan plan = AccessPlan.choose(host, cloud, facts.steadyReached(host.name()));
        List<AccessPlan.Target> targets = new ArrayList<>();
        targets.add(plan.primary());
        plan.fallback().ifPresent(targets::add);
        List<String> tried = new ArrayList<>();
        for (AccessPlan.Target target : targets) {
            try (HostSession session = ssh.open(host.name(), target.user(), target.address(), false)) {
                return observer.observe(host.name(), session);
            } catch (SshException e) {
                tried.add(target.phase() + " " + target.address() + ": " + e.getMessage());
            }
        }
        throw new SshException(host.name() + " answers on no access path (" + String.join("; ", tried) + ")");
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "stored facts unreadable as " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
