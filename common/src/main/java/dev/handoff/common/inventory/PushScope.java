package dev.handoff.common.inventory;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CommitPushed;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a {@code commit.pushed} event may make a stage act, judged against handoff.yaml alone. An event only names
 * things; where a repository lives, which branch deploys and which host uses it come from the inventory. A push for
 * another stage is not this stage's business ({@link Verdict#ignored()}); a push for this stage that names a repository,
 * host, branch or clone URL the inventory does not list is refused with a reason, and nothing is cloned.
 */
public final class PushScope {
    /** The refusal reasons, as they appear in {@code stage.failed}. */
    public static final String NOT_LISTED = "repository-not-listed";

    public static final String STAGE_MISMATCH = "stage-not-listed";
    public static final String BRANCH_MISMATCH = "branch-not-listed";
    public static final String URL_MISMATCH = "clone-url-not-listed";

    private PushScope() {}

    /**
     * The verdict on {@code push} of a host for {@code stage}.
     *
     * @param repository the inventory's repository to act on (its URL and branch, never the event's), when accepted
     * @param reason the refusal reason, when refused
     * @param message what is wrong and how to fix it, when refused
     */
    public record Verdict(Optional<Inventory.Repository> repository, String reason, String message) {
        static Verdict ignore() {
            return new Verdict(Optional.empty(), null, null);
        }

        static Verdict accept(Inventory.Repository repository) {
            return new Verdict(Optional.of(repository), null, null);
        }

        static Verdict refuse(String reason, String message) {
            return new Verdict(Optional.empty(), reason, message);
        }

        /** The push is for another stage: do nothing, publish nothing. */
        public boolean ignored() {
            return repository.isEmpty() && reason == null;
        }

        /** The push is for this stage but handoff.yaml does not allow it: publish {@code stage.failed}. */
        public boolean refused() {
            return reason != null;
        }
    }

    /** Judges {@code push} for {@code host} (the event's subject) and {@code stage} against {@code inventory}. */
    public static Verdict judge(CommitPushed push, String host, Stage stage, Inventory inventory) {
        if (push == null || !stage.id().equals(push.stage())) {
            return Verdict.ignore();
        }
        Optional<Inventory.Repository> listed = inventory.repository(push.repository());
        if (listed.isEmpty()) {
            return Verdict.refuse(
                    NOT_LISTED,
                    "repository " + push.repository() + " is not in handoff.yaml's repositories; nothing was cloned."
                            + " Add it there if " + stage.id() + " should deploy it.");
        }
        Inventory.Repository repository = listed.get();
        Inventory.Host h = inventory.hosts().get(host);
        if (h == null || !Objects.equals(host, push.host()) || !h.repositories().contains(repository.name())) {
            return Verdict.refuse(
                    NOT_LISTED,
                    "host " + host + " does not use repository " + repository.name() + " in handoff.yaml (hosts." + host
                            + ".repositories); nothing was cloned.");
        }
        if (repository.starts() != stage) {
            return Verdict.refuse(
                    STAGE_MISMATCH,
                    "the event names stage " + push.stage() + " but handoff.yaml says repository " + repository.name()
                            + " starts at " + repository.starts().id() + "; nothing was cloned.");
        }
        if (push.branch() != null && !push.branch().equals(repository.branch())) {
            return Verdict.refuse(
                    BRANCH_MISMATCH,
                    "branch " + push.branch() + " of " + repository.name() + " does not deploy: handoff.yaml deploys"
                            + " branch " + repository.branch() + "; nothing was cloned.");
        }
        if (push.cloneUrl() != null && !push.cloneUrl().equals(repository.url())) {
            return Verdict.refuse(
                    URL_MISMATCH,
                    "the event's clone URL for " + repository.name() + " is not the one handoff.yaml lists ("
                            + repository.url() + "); nothing was cloned. Handoff clones only the inventory's URL.");
        }
        return Verdict.accept(repository);
    }
}
