package dev.handoff.backup.stage;

import dev.handoff.common.event.v1.Backup;
import java.util.List;

/** What checking one recovery contract of a host came to: its facts, or every finding against it. */
public sealed interface ContractOutcome {
    /** The contract's name. */
    String contract();

    /** The contract holds. */
    record Holds(Backup facts) implements ContractOutcome {
        @Override
        public String contract() {
            return facts.contract();
        }
    }

    /** The contract does not hold; {@code findings} is never empty. */
    record Broken(String contract, List<Finding> findings) implements ContractOutcome {
        public Broken {
            if (findings.isEmpty()) {
                throw new IllegalArgumentException("a broken contract needs at least one finding");
            }
            findings = List.copyOf(findings);
        }
    }
}
