/**
 * Error answers as RFC 9457 problem details ({@code application/problem+json}): {@link Problem} is the one shape every
 * refusal of the API takes — a route's own, the bearer-token filter's, and those Quarkus raises itself (malformed
 * body, unknown route, wrong method, a failure no one caught), which {@link ProblemMappers} turns into the same
 * shape. Every {@code type} is {@code /problems/<reason>}, a short page {@link ProblemPages} serves; {@code reason}
 * and {@code fix} are the extension members clients act on. The web pages ({@code /ui}) keep their HTML answers.
 */
package dev.handoff.control.problem;
