package dev.handoff.common.inventory;

import dev.handoff.common.event.Stage;
import java.time.Duration;
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

    /** What converge-service does with a host that drifted from what it last converged there. */
    public enum OnDrift {
        /** Publish {@code convergence.drifted}, nothing more. */
        REPORT("report"),
        /** Publish {@code convergence.drifted}, then converge the host again at the last verified commits. */
        RECONVERGE("reconverge");

        private final String id;

        OnDrift(String id) {
            this.id = id;
        }

        /** The value in handoff.yaml and in events. */
        public String id() {
            return id;
        }

        /** The value named {@code id} in handoff.yaml, if there is one. */
        public static Optional<OnDrift> of(String id) {
            return java.util.Arrays.stream(values())
                    .filter(v -> v.id.equals(id))
                    .findFirst();
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
     * @param backups the names of the recovery contracts that cover it, in file order
     * @param backupContracts the same contracts with their settings, by name, in file order
     * @param system the host's Nix system ({@code system: aarch64-linux}), if set: a host of another system than the
     *     build host's is built on the host itself
     * @param onDrift what converge-service does when its watch finds the host no longer running what it last converged
     *     there ({@code onDrift:}, default {@link OnDrift#REPORT})
     */
    public record Host(
            String name,
            Role role,
            List<String> repositories,
            Optional<Cloud> cloud,
            Optional<Access> access,
            Optional<HostSecrets> secrets,
            List<String> workloads,
            List<String> backups,
            Map<String, BackupContract> backupContracts,
            Optional<String> system,
            OnDrift onDrift) {

        /** A host that reports drift ({@code onDrift: report}, the default). */
        public Host(
                String name,
                Role role,
                List<String> repositories,
                Optional<Cloud> cloud,
                Optional<Access> access,
                Optional<HostSecrets> secrets,
                List<String> workloads,
                List<String> backups,
                Map<String, BackupContract> backupContracts,
                Optional<String> system) {
            this(
                    name,
                    role,
                    repositories,
                    cloud,
                    access,
                    secrets,
                    workloads,
                    backups,
                    backupContracts,
                    system,
                    OnDrift.REPORT);
        }

        /** A host without {@code system}. */
        public Host(
                String name,
                Role role,
                List<String> repositories,
                Optional<Cloud> cloud,
                Optional<Access> access,
                Optional<HostSecrets> secrets,
                List<String> workloads,
                List<String> backups,
                Map<String, BackupContract> backupContracts) {
            this(
                    name,
                    role,
                    repositories,
                    cloud,
                    access,
                    secrets,
                    workloads,
                    backups,
                    backupContracts,
                    Optional.empty());
        }

        /** A host whose contracts are named only (the list form of {@code backups}): every contract has defaults. */
        public Host(
                String name,
                Role role,
                List<String> repositories,
                Optional<Cloud> cloud,
                Optional<Access> access,
                Optional<HostSecrets> secrets,
                List<String> workloads,
                List<String> backups) {
            this(
                    name,
                    role,
                    repositories,
                    cloud,
                    access,
                    secrets,
                    workloads,
                    backups,
                    backups.stream()
                            .collect(java.util.stream.Collectors.toMap(
                                    b -> b, BackupContract::named, (a, b) -> a, java.util.LinkedHashMap::new)));
        }

        /** The settings of the contract {@code name}, if the host has it. */
        public Optional<BackupContract> backup(String name) {
            return Optional.ofNullable(backupContracts.get(name));
        }
    }

    /**
     * One recovery contract of a host ({@code hosts.<h>.backups.<name>}). The restic contracts
     * ({@code control-plane}, {@code runtime}) need a repository and a password file; {@code infra-state} needs the
     * folders of infra-service's state archives and live states. Relative paths are read against the folder of
     * {@code handoff.yaml}. Credentials are never in the inventory, only the paths of runner-local files that hold
     * them.
     *
     * @param name {@code control-plane}, {@code runtime} or {@code infra-state}
     * @param configured false when the contract is only named (list form); a stage cannot check it then
     * @param repository the restic repository (a path, or a URL without credentials)
     * @param repositoryFile a file holding the repository URL, for a URL with credentials (REST {@code user:pass@})
     * @param passwordFile the file holding the repository password
     * @param paths the paths every snapshot must contain
     * @param verify the files whose restored content must equal the live host's (by sha256)
     * @param maxAge how old the newest snapshot or archive may be
     * @param checkEvery how often {@code restic check} runs
     * @param checkSubset the share of data packs {@code restic check --read-data-subset} reads ({@code 1/10},
     *     {@code 25%})
     * @param archives infra-state: the folder of the state archives ({@code <name>.tfstate.gz} + {@code .sha256})
     * @param states infra-state: the folder of the live states ({@code <state-dir>/states})
     */
    public record BackupContract(
            String name,
            boolean configured,
            Optional<String> repository,
            Optional<String> repositoryFile,
            Optional<String> passwordFile,
            List<String> paths,
            List<String> verify,
            Duration maxAge,
            Duration checkEvery,
            String checkSubset,
            Optional<String> archives,
            Optional<String> states) {
        /** The Forgejo host: repositories, the database dump, custom files, LFS objects. */
        public static final String CONTROL_PLANE = "control-plane";
        /** An edge host's state that no redeploy recreates: RustDesk's keys, the K3s server token. */
        public static final String RUNTIME = "runtime";
        /** The OpenTofu state archives infra-service writes before each apply. */
        public static final String INFRA_STATE = "infra-state";

        public BackupContract {
            paths = List.copyOf(paths);
            verify = List.copyOf(verify);
        }

        /** Whether restic holds this contract's backups (not infra-state). */
        public boolean restic() {
            return !name.equals(INFRA_STATE);
        }

        /** A contract named only: its default paths and ages, no repository. */
        public static BackupContract named(String name) {
            return new BackupContract(
                    name,
                    false,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    defaultPaths(name),
                    defaultVerify(name),
                    defaultMaxAge(name),
                    Duration.ofDays(7),
                    "1/10",
                    Optional.empty(),
                    Optional.empty());
        }

        /** The paths a contract covers when the inventory lists none. */
        public static List<String> defaultPaths(String name) {
            return switch (name) {
                case CONTROL_PLANE ->
                    List.of(
                            "/var/lib/forgejo/repositories",
                            "/var/lib/forgejo/dump",
                            "/var/lib/forgejo/custom",
                            "/var/lib/forgejo/data/lfs");
                case RUNTIME -> List.of("/var/lib/rustdesk", "/var/lib/rancher/k3s/server/token");
                default -> List.of();
            };
        }

        /** The files compared with the live host when the inventory lists none. */
        public static List<String> defaultVerify(String name) {
            return name.equals(RUNTIME)
                    ? List.of(
                            "/var/lib/rancher/k3s/server/token",
                            "/var/lib/rustdesk/id_ed25519",
                            "/var/lib/rustdesk/id_ed25519.pub")
                    : List.of();
        }

        /** A daily backup with two hours of slack; infra-state archives are taken per apply, so a week and a day. */
        public static Duration defaultMaxAge(String name) {
            return name.equals(INFRA_STATE) ? Duration.ofDays(8) : Duration.ofHours(26);
        }
    }

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
     * @param hostKey the SHA256 fingerprint of the host's SSH host key ({@code SHA256:…} as {@code ssh-keygen -l}
     *     prints it), or null: when given, every service requires it, whatever is pinned
     */
    public record Access(Endpoint bootstrap, Endpoint steady, String hostKey) {
        /** Access without a fingerprint in handoff.yaml. */
        public Access(Endpoint bootstrap, Endpoint steady) {
            this(bootstrap, steady, null);
        }

        /** The host key fingerprint handoff.yaml requires, if any. */
        public java.util.Optional<String> requiredHostKey() {
            return java.util.Optional.ofNullable(hostKey);
        }
    }

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
