/**
 * {@code ./handoff up} and {@code ./handoff push}: starting the lab and its services, and pushing to its forge.
 *
 * <p>Invariants: each service runs in its own JVM with its log in {@code run/logs}; a service gets the operator
 * token only as a SHA-256 hash; on stop, services go first (SIGTERM, then kill after 10 s), then the broker.
 */
package dev.handoff.lab.launcher;
