package dev.handoff.converge.stage;

import java.util.Optional;

/**
 * One convergence to run: a host and the runtime repository it converges from.
 *
 * @param host the host name
 * @param repository the runtime repository ({@code starts: converge})
 * @param cloneUrl where to fetch it from
 * @param branch the deploying branch
 * @param commit the pushed commit, or empty for the branch head (a run started by new secret facts)
 */
public record ConvergeWork(String host, String repository, String cloneUrl, String branch, Optional<String> commit) {}
