package dev.handoff.converge.config;

import dev.handoff.converge.driver.Activator;
import dev.handoff.support.ssh.FirstContact;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** converge-service settings under {@code handoff.*}. Keys are never configured here, only paths of key files. */
@ConfigMapping(prefix = "handoff")
public interface ConvergeConfig {

    /** Path of the {@code handoff.yaml} inventory ({@code HANDOFF_INVENTORY}). */
    String inventory();

    /** The converge stage. */
    Converge converge();

    /** Settings of the converge stage. */
    interface Converge {
        /** Kafka consumer group of the triggers ({@code handoff.secret-facts}, {@code handoff.commits}, replay). */
        @WithDefault("handoff-converge")
        String consumerGroup();

        /**
         * How many hosts this replica works on at once ({@code handoff.converge.concurrency}): one host is never worked on twice
         * at once, and of the triggers that wait for one host only the newest of each kind runs (docs/operators.md).
         */
        @WithDefault("16")
        int concurrency();

        /** Kafka consumer group that keeps the newest cloud and secret facts per host in the database. */
        @WithDefault("handoff-converge-facts")
        String factsConsumerGroup();

        /** Folder of the per-run worktrees and ssh_configs. */
        @WithDefault("${java.io.tmpdir}/handoff-converge-service")
        String workdir();

        /** The runner's SSH private key file (OpenSSH format) ({@code HANDOFF_CONVERGE_SSH_IDENTITY}). */
        String sshIdentity();

        /**
         * Folder of the hosts' age key files, {@code <host>.agekey} ({@code HANDOFF_CONVERGE_AGE_KEY_DIR}); the key is
         * staged for sops-nix. Without it no key is staged.
         */
        Optional<String> ageKeyDir();

        /** Where sops-nix reads the key on the host ({@code sops.age.keyFile}). */
        @WithDefault("/var/lib/sops-nix/key.txt")
        String keyPath();

        /**
         * A host without a trusted key at its first bootstrap (before it has converged once), and the build host met
         * for the first time: {@code PIN} the key it presents, or {@code REFUSE}. Outside a first bootstrap an unknown
         * key is always refused (an operator trusts it with {@code handoffctl hosts trust}).
         */
        @WithDefault("PIN")
        FirstContact firstContact();

        /** The activator: {@code COLMENA} or {@code NIXOS_REBUILD}. */
        @WithDefault("COLMENA")
        Activator.Kind activator();

        /** The activator's executable (the lab points it at its stand-in). */
        @WithDefault("colmena")
        String activatorExecutable();

        /** The {@code nix} program that evaluates the hosts when the activator is {@code NIXOS_REBUILD}. */
        @WithDefault("nix")
        String nixExecutable();

        /**
         * The build host, {@code user@address}: a machine with Nix and the activator (by default in compose and the
         * chart the control host) on which converge-service runs the activator over SSH. Unset: the activator runs on
         * this machine, which then needs Nix and the activator.
         */
        Optional<String> buildHost();

        /** The build host's folder for the runs (one sub-folder per host, replaced at each run). */
        @WithDefault("/var/lib/handoff-build")
        String buildHostDir();

        /**
         * The private key file, on the build host, with which the activator there reaches the hosts (the hosts
         * authorize its public key). Handoff's own key never leaves this machine.
         */
        @WithDefault("/root/.ssh/id_ed25519")
        String buildHostIdentity();

        /**
         * Address map {@code address=host:port,…} as seen from the build host, for the ssh_config the activator uses
         * there; unset: the hosts' addresses as handoff.yaml gives them.
         */
        Optional<String> buildHostAddresses();

        /** The build host's Nix system; a host whose handoff.yaml {@code system} differs is built on the host. */
        @WithDefault("x86_64-linux")
        String buildHostSystem();

        /**
         * How long after the switch starts the host rolls itself back unless converge-service confirms the new
         * generation (a transient systemd timer armed before the switch); {@code 0s} arms no guard.
         */
        @WithDefault("10m")
        Duration rollbackGuard();

        /**
         * Address map {@code address=host:port,…} for addresses that are reached elsewhere (the lab's simulated host;
         * a bastion port forward).
         */
        Optional<String> addresses();

        /** How long a new SSH connection may take to succeed after activation before the host is rolled back. */
        @WithDefault("30s")
        Duration confirmTimeout();

        /** How long each step of the activator (evaluate, build, switch) may run. */
        @WithDefault("15m")
        Duration activationTimeout();

        /** How long a reboot may take until the host answers with a new boot id. */
        @WithDefault("5m")
        Duration rebootTimeout();

        /** Connect and command timeout of one SSH connection. */
        @WithDefault("15s")
        Duration sshTimeout();

        /** How long to wait for Kafka to acknowledge the stage's events. */
        @WithDefault("30s")
        Duration publishTimeout();

        /**
         * How long a trigger for a host whose cloud facts are still being produced (its infra deployment is running)
         * waits for them, visible as {@code waiting} in the ledger, before it fails with {@code no-cloud-facts}.
         */
        @WithDefault("30m")
        Duration cloudFactsWait();

        /** The watch: each converged host observed between runs (docs/converge-service.md, "The watch"). */
        Watch watch();
    }

    /** The watch's schedule; {@code ConvergeWatch} reads both through its {@code @Scheduled}. */
    interface Watch {
        /**
         * How often every host Handoff converged is observed ({@code HANDOFF_CONVERGE_WATCH_INTERVAL}): a duration
         * such as {@code 15m} or {@code 30s}, or {@code off}.
         */
        @WithDefault("15m")
        String interval();

        /** How long after start the first round runs ({@code HANDOFF_CONVERGE_WATCH_DELAY}). */
        @WithDefault("1m")
        String delay();
    }
}
