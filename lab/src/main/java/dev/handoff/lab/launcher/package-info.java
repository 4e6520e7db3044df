/**
 * {@code ./handoff up}, {@code status}, {@code down} and {@code push}: starting, watching and stopping the lab and its
 * services, and pushing to its forge.
 *
 * <p>Invariants: each service runs in its own JVM with its log in {@code run/logs}; a service gets the operator
 * token only as a SHA-256 hash; on stop, services go first (SIGTERM, then kill after 10 s), then the broker;
 * {@code run/lab.state} exists from the launcher's first moment to its last, {@code run/lab.env} only while it is up;
 * every lab database carries the lab's id ({@link dev.handoff.lab.launcher.LabIdentity}) as its comment.
 */
package dev.handoff.lab.launcher;
