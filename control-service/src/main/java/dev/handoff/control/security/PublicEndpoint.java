package dev.handoff.control.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A route anyone may call without a bearer token, because the endpoint guards itself (the webhook checks Forgejo's
 * HMAC signature; the web pages check their session cookie). {@link #value()} says how, for the reader.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.PACKAGE})
public @interface PublicEndpoint {
    /** Why no token is needed: what the endpoint checks itself. */
    String value();
}
