package dev.handoff.workload.stage;

/**
 * What a TCP connect to a declared port saw.
 *
 * @param port the port
 * @param reachable whether the connection was accepted
 * @param detail {@code connected}, or why not (e.g. {@code connection refused})
 */
public record PortProbe(int port, boolean reachable, String detail) {}
