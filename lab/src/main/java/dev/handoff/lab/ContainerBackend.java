package dev.handoff.lab;

import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;

/**
 * Chooses the official Kafka and PostgreSQL images (Testcontainers) instead of the in-process broker and the local
 * PostgreSQL for the tests, when the {@code -Pcontainers} Maven profile sets {@value #PROPERTY}. The container code
 * lives in {@code lab/src/containers/java}, compiled only under that profile, and is reached by name so that the
 * default build needs neither Testcontainers nor Docker.
 */
final class ContainerBackend {
    /** The system property the {@code containers} profile sets for Surefire and Failsafe. */
    static final String PROPERTY = "handoff.test.containers";

    private static final String SERVERS_CLASS = "dev.handoff.lab.containers.ContainerServers";

    private ContainerBackend() {}

    /** Whether the tests run against the containers. */
    static boolean selected() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** The bootstrap servers of the Kafka container (started on first use, with every topic created by the caller). */
    static String kafkaBootstrapServers() {
        return (String) call("kafkaBootstrapServers");
    }

    /** {@code env} with {@link PostgresServerChoice}'s variables pointing at the PostgreSQL container. */
    @SuppressWarnings("unchecked")
    static Map<String, String> postgresEnvironment(Map<String, String> env) {
        Map<String, String> withContainer = new HashMap<>(env);
        withContainer.putAll((Map<String, String>) call("postgresEnvironment"));
        return withContainer;
    }

    private static Object call(String method) {
        try {
            return Class.forName(SERVERS_CLASS).getMethod(method).invoke(null);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    PROPERTY + " is set, but the lab was built without the containers profile:"
                            + " build with ./mvnw -Pcontainers …, or drop -D" + PROPERTY
                            + " to use the embedded broker",
                    e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + SERVERS_CLASS + "." + method, e);
        }
    }
}
