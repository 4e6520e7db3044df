package dev.handoff.support.ssh;

/** What to do when a host has no pinned key yet. */
public enum FirstContact {
    /** Pin the key the host presents on first contact (trust on first use). */
    PIN,
    /** Refuse: keys must be pinned before (e.g. from the provider's console output). */
    REFUSE
}
