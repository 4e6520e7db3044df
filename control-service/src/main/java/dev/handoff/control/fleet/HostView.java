package dev.handoff.control.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.handoff.control.ledger.FleetQueries;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One host, desired against actual: for each of its repositories the head of the deployed branch in Git and the
 * commit deployed, the newest completed run of each stage, a drift no completion cleared, and the newest verified
 * backup of each contract.
 *
 * @param host the host, as handoff.yaml names it
 * @param role its role in handoff.yaml
 * @param state {@code drifted} (a stage reported drift), {@code behind} (a repository's head is not deployed and not
 *     deploying), {@code deploying} (a deployment of a head runs), {@code unknown} (a head could not be read, or a
 *     repository was never deployed), else {@code in-sync}
 * @param repositories its repositories
 * @param stages the newest completed run of each stage, in chain order
 * @param drift the newest drift report no later completion of its stage cleared, if any
 * @param backups the newest verified backup of each contract
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostView(
        String host,
        String role,
        String state,
        List<RepositoryState> repositories,
        List<FleetQueries.StageRun> stages,
        FleetQueries.Drift drift,
        List<FleetQueries.Backup> backups) {

    /**
     * One repository of a host.
     *
     * @param repository its name
     * @param branch the branch handoff.yaml deploys
     * @param gitHead the branch's head in Git, null when it could not be read
     * @param gitError why the head could not be read
     * @param gitReadAt when the head was read
     * @param deployed the commit of the newest deployment that succeeded
     * @param deployedBy that deployment
     * @param deploying the commit of a newer deployment still running
     * @param state {@code in-sync} (the head is deployed), {@code deploying} (the head's deployment runs),
     *     {@code behind} (the head is neither), {@code never-deployed}, or {@code unknown} (the head could not be
     *     read)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RepositoryState(
            String repository,
            String branch,
            String gitHead,
            String gitError,
            OffsetDateTime gitReadAt,
            String deployed,
            String deployedBy,
            String deploying,
            String state) {}
}
