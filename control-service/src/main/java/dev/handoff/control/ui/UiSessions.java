package dev.handoff.control.ui;

import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.security.ApiTokens;
import dev.handoff.control.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions of the web page. Signing in with an API token creates a session held in memory here; the browser gets
 * only a random session id in an HttpOnly cookie, never the token, and the token is never put in a URL. Sessions
 * end after {@link #IDLE} without a request, on sign-out, and when control-service restarts.
 */
@ApplicationScoped
public class UiSessions {
    /** The session cookie's name. */
    public static final String COOKIE = "handoff_session";
    /** A session unused this long is gone. */
    public static final Duration IDLE = Duration.ofHours(8);
    /** More sessions than this and the least recently used go first. */
    static final int MAX_SESSIONS = 10_000;

    /**
     * A signed-in person.
     *
     * @param name the token's name
     * @param role the token's role
     * @param lastUsed when the session last served a page
     */
    public record Session(String name, Role role, Instant lastUsed) {}

    private final ApiTokens tokens;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    @Inject
    public UiSessions(HandoffConfig config) {
        this(ApiTokens.parse(config.auth().tokens().orElse("")), Clock.systemUTC());
    }

    UiSessions(ApiTokens tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    /** Signs in with an API token: a new session id, or empty when the token is not a configured one. */
    public Optional<String> signIn(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        return tokens.find(token.trim()).map(t -> {
            expire();
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            sessions.put(id, new Session(t.name(), t.role(), clock.instant()));
            return id;
        });
    }

    /** The session of a cookie value, if it is live; using it keeps it alive. */
    public Optional<Session> find(String sessionId) {
        if (sessionId == null || sessionId.isBlank()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session s = sessions.computeIfPresent(
                sessionId,
                (k, v) -> v.lastUsed().plus(IDLE).isBefore(now) ? null : new Session(v.name(), v.role(), now));
        return Optional.ofNullable(s);
    }

    /** Ends a session. */
    public void signOut(String sessionId) {
        if (sessionId != null) {
            sessions.remove(sessionId);
        }
    }

    private void expire() {
        Instant cutoff = clock.instant().minus(IDLE);
        sessions.values().removeIf(s -> s.lastUsed().isBefore(cutoff));
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.entrySet().stream()
                    .min((a, b) ->
                            a.getValue().lastUsed().compareTo(b.getValue().lastUsed()))
                    .ifPresent(oldest -> sessions.remove(oldest.getKey()));
        }
    }
}
