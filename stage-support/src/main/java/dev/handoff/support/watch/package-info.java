/**
 * The one mechanism behind every stage's scheduled check ("watch"): a stage implements {@link
 * dev.handoff.support.watch.Watch} (which hosts, and how one host is checked), and one Quarkus scheduled method per
 * service, identity {@code <stage>-watch}, period {@code handoff.<stage>.watch.interval} ({@code off} disables) and
 * first delay {@code handoff.<stage>.watch.delay}, hands it to {@link dev.handoff.support.watch.WatchRounds}, which runs
 * the round host by host, logs one line and counts it. Invariants: one host's error never stops a round; a round that
 * finds nothing new publishes nothing but metrics (the stage remembers what it reported, durably, and reports each
 * distinct finding once).
 */
package dev.handoff.support.watch;
