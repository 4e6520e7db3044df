package dev.handoff.converge.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.serde.Json;
import dev.handoff.converge.stage.HealthChecks;
import dev.handoff.converge.stage.HostObservation;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a NixOS host runs over an open SSH session: current system, configuration revision, generation, system
 * state and failed units, the units its role requires, {@code /run/secrets}, kernels and boot id. Used by a run (before
 * the switch, to confirm it, after a reboot) and by the watch between runs.
 */
public final class HostObserver {
    private static final ObjectMapper JSON = Json.mapper();

    private final Inventory inventory;

    public HostObserver(Inventory inventory) {
        this.inventory = inventory;
    }

    /** What {@code host} shows now. */
    public HostObservation observe(String host, HostSession session) throws SshException {
        String current = session.run("readlink -f /run/current-system").stdout().trim();
        String version = session.run("nixos-version --json").stdout().trim();
        String revision;
        try {
            var node = JSON.readTree(version).path("configurationRevision");
            revision = node.isMissingNode() || node.isNull() ? null : node.asText();
        } catch (IOException e) {
            revision = null;
        }
        long generation = 0;
        for (String line : session.run("nix-env -p /nix/var/nix/profiles/system --list-generations")
                .stdout()
                .split("\n")) {
            if (line.contains("(current)")) {
                generation = Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        String state = session.run("systemctl is-system-running").stdout().trim();
        List<String> failed = session.run("systemctl --failed --no-legend --plain")
                .stdout()
                .lines()
                .filter(l -> !l.isBlank())
                .map(l -> l.trim().split("\\s+")[0])
                .toList();
        List<String> required =
                HealthChecks.requiredUnits(inventory.hosts().get(host).role());
        List<String> states = session.run("systemctl is-active " + String.join(" ", required))
                .stdout()
                .lines()
                .toList();
        Map<String, String> units = new LinkedHashMap<>();
        for (int i = 0; i < required.size(); i++) {
            units.put(required.get(i), i < states.size() ? states.get(i).trim() : "unknown");
        }
        boolean secrets = session.run("test -d /run/secrets").ok();
        String currentKernel =
                session.run("readlink -f /run/current-system/kernel").stdout().trim();
        String bootedKernel =
                session.run("readlink -f /run/booted-system/kernel").stdout().trim();
        String bootId =
                session.run("cat /proc/sys/kernel/random/boot_id").stdout().trim();
        return new HostObservation(
                current, revision, generation, state, failed, units, secrets, currentKernel, bootedKernel, bootId);
    }
}
