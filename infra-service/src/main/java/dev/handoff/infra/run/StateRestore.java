package dev.handoff.infra.run;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.driver.LastCheckouts;
import dev.handoff.infra.driver.RepositoryCheckout;
import dev.handoff.infra.driver.StateArchive;
import dev.handoff.infra.driver.StateStore;
import dev.handoff.infra.driver.TerramateStacks;
import dev.handoff.infra.driver.Tofu;
import dev.handoff.infra.driver.TofuBackend;
import dev.handoff.infra.driver.TofuState;
import dev.handoff.infra.driver.WorkTree;
import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Restores an archived state into the stack's backend, whatever it is (local file, {@code pg}, {@code s3}, …): the
 * archive's checksum is checked, the commit this service last ran is checked out (its backend configuration is the
 * one applied; the configured branch of {@code handoff.yaml} when it ran none),
 * the state the backend holds now is archived first, then {@code tofu state push -force} writes the archive's state
 * under tofu's own state lock. Never while this replica runs the stage.
 */
@ApplicationScoped
public class StateRestore {
    private static final Logger LOG = Logger.getLogger(StateRestore.class);

    private final InfraConfig config;
    private final Inventory inventory;
    private final StateArchive archives;
    private final StateStore states;
    private final Tofu tofu;
    private final InfraRun runs;
    private final LastCheckouts checkouts;

    public StateRestore(
            InfraConfig config,
            Inventory inventory,
            StateArchive archives,
            StateStore states,
            Tofu tofu,
            InfraRun runs,
            LastCheckouts checkouts) {
        this.config = config;
        this.inventory = inventory;
        this.archives = archives;
        this.states = states;
        this.tofu = tofu;
        this.runs = runs;
        this.checkouts = checkouts;
    }

    /**
     * A restore that was carried out.
     *
     * @param archive the archive's name
     * @param repository the repository, {@code owner/name}
     * @param stack the stack directory
     * @param sha256 the verified checksum of the archive
     * @param serial the restored state's serial, when not encrypted
     * @param previous the archive the state before the restore was kept in, if there was one
     */
    public record Restored(
            String archive, String repository, String stack, String sha256, Long serial, String previous) {}

    /**
     * Restores {@code name}.
     *
     * @throws StateArchive.RestoreRefused when the archive is missing, damaged, holds no state, or belongs to no
     *     repository and stack of {@code handoff.yaml}
     * @throws StageFailure when checking out, tofu or the archive of the current state failed; nothing was pushed
     */
    public Restored restore(String name) throws Exception {
        StateArchive.Verified verified = archives.verify(name);
        Inventory.Repository repository = inventory.repositories().values().stream()
                .filter(r -> r.name().replace('/', '_').equals(verified.repositoryPart()))
                .findFirst()
                .orElseThrow(() -> new StateArchive.RestoreRefused(
                        "the archive " + name + " belongs to no repository of handoff.yaml ("
                                + verified.repositoryPart() + "); it cannot be restored by this service",
                        false));
        return runs.exclusively(() -> push(verified, repository));
    }

    private Restored push(StateArchive.Verified verified, Inventory.Repository repository) throws Exception {
        Path work = config.infra().workDir().resolve("restore-" + UUID.randomUUID());
        Redactor redactor = new Redactor();
        try {
            Path checkout = work.resolve("repo");
            Optional<LastCheckouts.Checkout> last = checkouts.find(repository.name());
            if (last.isPresent()) {
                RepositoryCheckout.checkout(
                        repository.name(), last.get().url(), last.get().commit(), checkout);
            } else {
                RepositoryCheckout.checkoutBranch(repository.name(), repository.url(), repository.branch(), checkout);
            }
            StackOrder.Stack stack = stackOf(checkout, repository, verified);
            Path dir = StackRunner.directory(checkout, stack);
            boolean local = TofuBackend.LOCAL.equals(TofuBackend.of(dir));
            if (local) {
                states.copyIn(repository.name(), stack.path(), dir);
            }
            Map<String, String> vars = Map.of();
            tofu.init(dir, vars, redactor);
            byte[] current = tofu.statePull(dir, vars, redactor).getBytes(StandardCharsets.UTF_8);
            String previous = null;
            if (!TofuState.isEmpty(current)) {
                previous = archives.archive(repository.name(), stack.path(), current)
                        .name();
            }
            Path file = work.resolve("restore.tfstate");
            Files.write(file, verified.state());
            try {
                tofu.statePush(dir, file, vars, redactor);
            } finally {
                if (local) {
                    states.copyOut(repository.name(), stack.path(), dir);
                }
            }
            if (!local) {
                byte[] restored = tofu.statePull(dir, vars, redactor).getBytes(StandardCharsets.UTF_8);
                if (!TofuState.isEmpty(restored)) {
                    states.mirror(repository.name(), stack.path(), TofuBackend.of(dir), restored);
                }
            }
            Long serial = TofuState.serial(verified.state()).orElse(null);
            LOG.infof(
                    "state of %s %s restored from %s (sha256 %s, serial %s); the state before it is kept as %s",
                    repository.name(),
                    stack.path(),
                    verified.archive(),
                    verified.sha256(),
                    serial,
                    previous == null ? "(none: there was no state)" : previous);
            return new Restored(
                    verified.archive(), repository.name(), stack.path(), verified.sha256(), serial, previous);
        } finally {
            WorkTree.delete(work);
        }
    }

    private static StackOrder.Stack stackOf(
            Path checkout, Inventory.Repository repository, StateArchive.Verified verified)
            throws StageFailure, StateArchive.RestoreRefused {
        List<StackOrder.Stack> stacks = TerramateStacks.find(checkout, repository.stacks());
        Optional<StackOrder.Stack> stack = stacks.stream()
                .filter(s -> s.path().replace('/', '_').equals(verified.stackPart()))
                .findFirst();
        if (stack.isEmpty()) {
            throw new StateArchive.RestoreRefused(
                    "the archive " + verified.archive() + " is of stack " + verified.stackPart() + ", which "
                            + repository.name() + " branch " + repository.branch() + " no longer has (its stacks: "
                            + String.join(
                                    ", ",
                                    stacks.stream().map(StackOrder.Stack::path).toList())
                            + "); restore it by hand with 'tofu state push'",
                    false);
        }
        return stack.get();
    }
}
