package dev.handoff.secrets.stage;

import java.util.Optional;

/**
 * One check the stage must run: a host's secrets in a secrets repository, at a commit or at the newest commit of the
 * branch.
 *
 * @param host the host
 * @param repository the repository's full name
 * @param cloneUrl where to fetch it from
 * @param branch the configured branch
 * @param commit the commit to check; empty for the newest commit of {@code branch}
 */
public record Work(String host, String repository, String cloneUrl, String branch, Optional<String> commit) {}
