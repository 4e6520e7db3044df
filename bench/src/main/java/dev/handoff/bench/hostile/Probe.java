package dev.handoff.bench.hostile;

/** Feeds one input to the real Handoff code of an entry point and says what happened. */
@FunctionalInterface
public interface Probe<T> {
    /**
     * Classifies the outcome. Exceptions Handoff names as refusals become {@link Verdict#refused}; anything thrown out
     * of here is counted as escaped by {@link EntryPoint}.
     */
    Verdict probe(T input) throws Exception;
}
