package dev.handoff.common.event.v1;

import java.util.List;

/**
 * What a host converged to ({@code handoff.convergence.completed}).
 *
 * @param host the host name
 * @param repository the runtime repository
 * @param commit the commit the host now runs
 * @param systemPath the store path of {@code /run/current-system}
 * @param generation the system profile generation number
 * @param configurationRevision {@code nixos-version --json} configurationRevision (ties the host to a commit)
 * @param bootId {@code /proc/sys/kernel/random/boot_id} after convergence
 * @param rebootPending whether booted kernel/initrd differ from the current system's
 * @param accessPhase how Handoff reached the host
 * @param checks the post-activation checks and their results
 * @param builtFrom what the deployed system was built from beyond the runtime commit: the verified secrets commit and
 *     the facts given to the flake (absent from older producers)
 */
public record Convergence(
        String host,
        String repository,
        String commit,
        String systemPath,
        long generation,
        String configurationRevision,
        String bootId,
        boolean rebootPending,
        AccessPhase accessPhase,
        List<Check> checks,
        BuiltFrom builtFrom) {

    /** A convergence without {@code builtFrom}, as producers before the optional field wrote it. */
    public Convergence(
            String host,
            String repository,
            String commit,
            String systemPath,
            long generation,
            String configurationRevision,
            String bootId,
            boolean rebootPending,
            AccessPhase accessPhase,
            List<Check> checks) {
        this(
                host,
                repository,
                commit,
                systemPath,
                generation,
                configurationRevision,
                bootId,
                rebootPending,
                accessPhase,
                checks,
                null);
    }

    /**
     * The inputs Handoff pinned into the runtime flake for this build (docs/converge-service.md, "What Nix sees").
     *
     * @param secretsRepository the secrets repository, e.g. {@code ops/infrastructure-secrets}
     * @param secretsCommit the secrets commit the secrets stage verified for the host, given to the flake as its
     *     {@code secrets} input
     * @param factsRevision the commit of the facts repository Handoff made and gave as the {@code handoff-facts} input
     * @param factsSha256 the SHA-256 of the host's {@code hosts/<host>/handoff.json} in it
     */
    public record BuiltFrom(String secretsRepository, String secretsCommit, String factsRevision, String factsSha256) {}

    /** Bootstrap: temporary root SSH on the public IP; steady: the steady-state address (e.g. Tailscale). */
    public enum AccessPhase {
        BOOTSTRAP,
        STEADY
    }

    /**
     * One check run on the host after activation.
     *
     * @param name e.g. {@code current-system}, {@code k3s-active}
     * @param passed whether it held
     * @param detail what was seen
     */
    public record Check(String name, boolean passed, String detail) {}
}
