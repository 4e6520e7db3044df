package dev.handoff.support.watch;

import java.util.Collection;

/**
 * A stage's scheduled check of the hosts it verified before (docs/operators.md, "Scheduled checks"): each round
 * {@link WatchRounds} asks for the {@link #hosts()} and {@link #check checks} them one after the other; a host whose
 * check throws is counted as failed and the round goes on with the next.
 *
 * <p>A check publishes only when it finds something new (a finding it has not reported yet, remembered durably by the
 * stage): a round that finds nothing publishes nothing but the round's metrics.
 */
public interface Watch {
    /** The stage id ({@code infra}, {@code converge}, {@code workload}, {@code backup}): its metrics' label and log name. */
    String stage();

    /** The hosts this round checks, in order. */
    Collection<String> hosts() throws Exception;

    /**
     * Checks one host.
     *
     * @return whether the check published something (a finding, or the stage's own scheduled run)
     * @throws Exception when the host could not be checked: logged with the host and counted, the round goes on
     */
    boolean check(String host) throws Exception;
}
