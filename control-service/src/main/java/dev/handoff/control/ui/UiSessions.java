package dev.handoff.control.ui;

import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.security.ApiTokens;
import dev.handoff.control.security.Role;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Sessions of the web page. Signing in with an API token creates a session; the browser gets only a random session
 * id in an HttpOnly cookie, never the token, and the token is never put in a URL. Sessions are kept in PostgreSQL
 * ({@code ui_session}, by the SHA-256 of their id, never the id itself), so every control-service replica serves a
 * session any of them opened, and a restart signs nobody out. Sessions end after {@link #IDLE} without a request and
 * on sign-out.
 */
@ApplicationScoped
public class UiSessions {
    /** The session cookie's name. */
    public static final String COOKIE = "handoff_session";
    /** A session unused this long is gone. */
    public static final Duration IDLE = Duration.ofHours(8);
    /** More sessions than this and the least recently used go first. */
    static final int MAX_SESSIONS = 10_000;
    /** A session's last use is written at most this often (a page loads several resources). */
    static final Duration TOUCH = Duration.ofMinutes(1);

    /**
     * A signed-in person.
     *
     * @param name the token's name
     * @param role the token's role
     * @param lastUsed when the session last served a page
     * @param csrf the token the page's forms carry (empty for a session opened before forms existed)
     */
    public record Session(String name, Role role, Instant lastUsed, String csrf) {}

    private final ApiTokens tokens;
    private final AgroalDataSource dataSource;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    @Inject
    public UiSessions(HandoffConfig config, AgroalDataSource dataSource) {
        this(ApiTokens.parse(config.auth().tokens().orElse("")), dataSource, Clock.systemUTC());
    }

    UiSessions(ApiTokens tokens, AgroalDataSource dataSource, Clock clock) {
        this.tokens = tokens;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Signs in with an API token: a new session id, or empty when the token is not a configured one. */
    public Optional<String> signIn(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        Optional<ApiTokens.Token> found = tokens.find(token.trim());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String id = randomToken();
        String csrf = randomToken();
        OffsetDateTime now = now();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("delete from ui_session where last_used < ?")) {
                ps.setObject(1, now.minus(IDLE));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("delete from ui_session where id_sha256 in (select"
                    + " id_sha256 from ui_session order by last_used desc offset ?)")) {
                ps.setInt(1, MAX_SESSIONS - 1);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into ui_session (id_sha256, name, role, last_used, csrf) values (?, ?, ?, ?, ?)")) {
                ps.setString(1, sha256(id));
                ps.setString(2, found.get().name());
                ps.setString(3, found.get().role().name());
                ps.setObject(4, now);
                ps.setString(5, csrf);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store a session of the web page: " + e.getMessage(), e);
        }
        return Optional.of(id);
    }

    /** The session of a cookie value, if it is live; using it keeps it alive. */
    public Optional<Session> find(String sessionId) {
        return find(sessionId, true);
    }

    /**
     * The session of a cookie value, if it is live, without keeping it alive: for what a page does by itself (its
     * live updates), so that a page left open still ends its session after {@link #IDLE} without a person.
     */
    public Optional<Session> peek(String sessionId) {
        return find(sessionId, false);
    }

    private Optional<Session> find(String sessionId, boolean touch) {
        if (sessionId == null || sessionId.isBlank() || sessionId.length() > 100) {
            return Optional.empty();
        }
        OffsetDateTime now = now();
        String key = sha256(sessionId);
        try (Connection c = dataSource.getConnection()) {
            Session session;
            try (PreparedStatement ps = c.prepareStatement(
                    "select name, role, last_used, csrf from ui_session where id_sha256 = ? and last_used >= ?")) {
                ps.setString(1, key);
                ps.setObject(2, now.minus(IDLE));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Optional<Role> role = role(rs.getString(2));
                    if (role.isEmpty()) {
                        return Optional.empty();
                    }
                    session = new Session(
                            rs.getString(1),
                            role.get(),
                            rs.getObject(3, OffsetDateTime.class).toInstant(),
                            rs.getString(4));
                }
            }
            if (!touch) {
                return Optional.of(session);
            }
            if (session.lastUsed().plus(TOUCH).isBefore(now.toInstant())) {
                try (PreparedStatement ps =
                        c.prepareStatement("update ui_session set last_used = ? where id_sha256 = ?")) {
                    ps.setObject(1, now);
                    ps.setString(2, key);
                    ps.executeUpdate();
                }
            }
            return Optional.of(new Session(session.name(), session.role(), now.toInstant(), session.csrf()));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read a session of the web page: " + e.getMessage(), e);
        }
    }

    /** Ends a session. */
    public void signOut(String sessionId) {
        if (sessionId == null) {
            return;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from ui_session where id_sha256 = ?")) {
            ps.setString(1, sha256(sessionId));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot end a session of the web page: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a form's token is its session's: compared in constant time; a session without one (opened before forms
     * existed) accepts none.
     */
    public static boolean formTokenMatches(Session session, String presented) {
        if (presented == null || session.csrf() == null || session.csrf().isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(
                session.csrf().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static Optional<Role> role(String name) {
        for (Role r : Role.values()) {
            if (r.name().equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
