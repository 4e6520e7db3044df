package dev.handoff.control.security;

import java.util.Locale;
import java.util.Optional;

/** What a token may do: {@code viewer} reads; {@code operator} may also replay and approve. */
public enum Role {
    VIEWER,
    OPERATOR;

    /** Whether this role includes {@code needed}. */
    public boolean allows(Role needed) {
        return this.ordinal() >= needed.ordinal();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> byId(String id) {
        for (Role r : values()) {
            if (r.id().equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
