package dev.handoff.common.inventory;

import dev.handoff.common.event.Stage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code handoff.yaml} inventory: the repositories Handoff reacts to and the hosts they converge. Load it with
 * {@link InventoryLoader}, which validates every field.
 *
 * @param repositories by full name ({@code ops/edge-cluster-infra}), in file order
 * @param hosts by host name, in file order
 */
public record Inventory(Map<String, Repository> repositories, Map<String, Host> hosts) {

    /** A role of a host. */
    public enum Role {
        /** A runtime host: NixOS + K3s + workloads. */
        EDGE,
        /** The Forgejo control host. */
        CONTROL
    }

    /**
     * A Git repository on the forge.
     *
     * @param name full name, {@code owner/name}
     * @param url clone URL
     * @param branch the branch whose pushes deploy
     * @param starts the stage that owns the repository
     * @param stacks the stack directories listed for it (relative to the repository root, in the listed order), used
     *     by the infra stage when the repository has no Terramate configuration; empty = not listed
     */
    public record Repository(String name, String url, String branch, Stage starts, List<String> stacks) {
        public Repository {
            stacks = stacks == null ? List.of() : List.copyOf(stacks);
        }

        /** A repository without listed stacks. */
        public Repository(String name, String url, String branch, Stage starts) {
            this(name, url, branch, starts, List.of());
        }
    }

    /**
     * A host converged by Handoff.
     *
     * @param name the host name; Kafka key and CloudEvents subject
     * @param role edge or control
     * @param repositories the repositories whose pushes deploy this host
     * @param cloud where it runs in the cloud, if it is a cloud host
     * @param access how Handoff reaches it over SSH, if set
     * @param secrets the secrets it needs, if any
     * @param workloads the applications it runs
     * @param backups the recovery contracts that cover it
     */
    public record Host(
            String name,
            Role role,
            List<String> repositories,
            Optional<Cloud> cloud,
            Optional<Access> access,
            Optional<HostSecrets> secrets,
            List<String> workloads,
            List<String> backups) {}

    /**
     * A cloud instance.
     *
     * @param provider e.g. {@code oci}
     * @param region e.g. {@code eu-frankfurt-1}
     * @param instance the instance id
     * @param compartment the compartment id
     */
    public record Cloud(String provider, String region, String instance, String compartment) {}

    /**
     * SSH access in both phases.
     *
     * @param bootstrap temporary access until the host has converged once
     * @param steady the steady-state access
     */
    public record Access(Endpoint bootstrap, Endpoint steady) {}

    /**
     * An SSH endpoint.
     *
     * @param user the SSH user
     * @param address a host name or IP, or {@code cloud:publicIp} / {@code cloud:privateIp} for the address in the
     *     host's cloud facts
     */
    public record Endpoint(String user, String address) {}

    /**
     * The secrets a host needs.
     *
     * @param files SOPS files in the secrets repository
     * @param recipient the host's age recipient
     * @param required key paths that must exist, e.g. {@code tailscale/auth_key}
     */
    public record HostSecrets(List<String> files, String recipient, List<String> required) {}

    /** The repository with this full name, if configured. */
    public Optional<Repository> repository(String fullName) {
        return Optional.ofNullable(repositories.get(fullName));
    }

    /** The hosts that use a repository, in file order. */
    public List<Host> hostsUsing(String repositoryName) {
        return hosts.values().stream()
                .filter(h -> h.repositories().contains(repositoryName))
                .toList();
    }
}
