/**
 * The simulated world around infra-service: a cloud ({@code oci.LabCloud}) whose OCI API
 * ({@code oci.SimulatedOciApi}) only answers requests signed with the lab's key, and a stand-in {@code tofu}
 * ({@code tofu.StandInTofu}) that prints OpenTofu's real formats and fails on demand.
 *
 * <p>Invariants: the OCI API and the stand-in tofu read the same {@code cloud.properties}, so a value changed there
 * is seen by the API at once and by tofu's state only after the next apply; nothing here reaches a real cloud.
 */
package dev.handoff.lab.world;
