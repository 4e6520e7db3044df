package dev.handoff.support.ssh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Host key pins in the service's own PostgreSQL database: the table {@code host_keys (host PRIMARY KEY, key_type,
 * public_key, fingerprint, pinned_at)} that each SSH-using service's Flyway migration creates. A pin is written once
 * (first contact) and never replaced by the service: unpinning is an operator's {@code DELETE}.
 */
public final class JdbcHostKeyPins implements HostKeyPins {
    private final DataSource dataSource;

    public JdbcHostKeyPins(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<Pin> pinned(String host) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT key_type, public_key, fingerprint FROM host_keys WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new Pin(r.getString(1), r.getString(2), r.getString(3)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the pinned host key of " + host + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void pin(String host, Pin pin) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("INSERT INTO host_keys (host, key_type, public_key, fingerprint)"
                                + " VALUES (?, ?, ?, ?) ON CONFLICT (host) DO NOTHING")) {
            s.setString(1, host);
            s.setString(2, pin.keyType());
            s.setString(3, pin.publicKey());
            s.setString(4, pin.fingerprint());
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot pin the host key of " + host + ": " + e.getMessage(), e);
        }
    }
}
