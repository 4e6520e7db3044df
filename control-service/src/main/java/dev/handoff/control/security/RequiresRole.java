package dev.handoff.control.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The role a route needs, as a bearer token. On a method, its class or its package ({@code package-info.java}); the
 * nearest wins. A route with neither this nor {@link PublicEndpoint} is refused (see {@link AccessRules}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.PACKAGE})
public @interface RequiresRole {
    Role value();
}
