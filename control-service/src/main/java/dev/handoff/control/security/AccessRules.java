package dev.handoff.control.security;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The access rule of a route: {@link RequiresRole} or {@link PublicEndpoint} on the resource method, else on its
 * class, else on its package. There is no default: a route without a rule has none, and {@link ApiAuthFilter}
 * refuses it.
 */
public final class AccessRules {
    /** What a route allows. */
    public sealed interface Rule permits Bearer, Public {}

    /**
     * A bearer token with at least this role.
     *
     * @param role the role needed
     */
    public record Bearer(Role role) implements Rule {}

    /**
     * No token; the endpoint guards itself.
     *
     * @param why what it checks instead
     */
    public record Public(String why) implements Rule {}

    private AccessRules() {}

    /** The rule of {@code method} of resource {@code type}, or empty when neither it, its class nor its package has one. */
    public static Optional<Rule> of(Class<?> type, Method method) {
        Optional<Rule> rule = method == null ? Optional.empty() : declared(method);
        for (Class<?> c = type; rule.isEmpty() && c != null && c != Object.class; c = c.getSuperclass()) {
            rule = declared(c);
            if (rule.isEmpty()) {
                rule = packageInfo(c).flatMap(AccessRules::declared);
            }
        }
        return rule;
    }

    private static Optional<Rule> declared(AnnotatedElement element) {
        RequiresRole role = element.getAnnotation(RequiresRole.class);
        if (role != null) {
            return Optional.of(new Bearer(role.value()));
        }
        PublicEndpoint open = element.getAnnotation(PublicEndpoint.class);
        if (open != null) {
            return Optional.of(new Public(open.value()));
        }
        return Optional.empty();
    }

    private static Optional<AnnotatedElement> packageInfo(Class<?> type) {
        try {
            return Optional.of(Class.forName(type.getPackageName() + ".package-info", false, type.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }
}
