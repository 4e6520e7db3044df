package dev.handoff.lab.forge;

import dev.handoff.common.event.Stage;
import java.util.List;
import java.util.Optional;

/**
 * One of the lab's Git repositories on its forge, made from the template {@code lab/repos/<name>} on the class path.
 *
 * @param owner the forge user or organisation, e.g. {@code ops}
 * @param name the repository name, e.g. {@code edge-cluster-infra}
 * @param starts the stage whose deployments a push to it starts
 */
public record LabRepository(String owner, String name, Stage starts) {

    /** The four repositories of the GitOps setup, as named in the lab's {@code handoff.yaml}. */
    public static final List<LabRepository> ALL = List.of(
            new LabRepository("ops", "edge-cluster-infra", Stage.INFRA),
            new LabRepository("ops", "infrastructure-secrets", Stage.SECRETS),
            new LabRepository("ops", "nix-k3s-edge-cluster", Stage.CONVERGE),
            new LabRepository("ops", "infrastructure-nixos", Stage.CONVERGE));

    /** {@code owner/name}, as in {@code handoff.yaml} and the webhook's {@code repository.full_name}. */
    public String fullName() {
        return owner + "/" + name;
    }

    /** The class-path folder holding the repository's first content. */
    public String template() {
        return RepositoryTemplates.ROOT + name;
    }

    /** The lab repository with this full name, if there is one. */
    public static Optional<LabRepository> byFullName(String fullName) {
        return ALL.stream().filter(r -> r.fullName().equals(fullName)).findFirst();
    }
}
