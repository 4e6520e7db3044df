/**
 * {@code bench/run-fleet}: one push deployed to a simulated fleet of the lab ({@code ./handoff up --fleet N}), timed
 * from the ledger's events and the records' timestamps on Kafka. The figures ({@link FleetFigures}) and the table
 * ({@link FleetReport}) are pure; {@link FleetLab}, {@link FleetLedger}, {@link RecordTimestamps} and
 * {@link ProcessFootprint} do the I/O; {@link FleetBench} runs it all. Nothing here asserts a target.
 */
package dev.handoff.bench.fleet;
