package dev.handoff.lab;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Quarkus test resource: points {@code kafka.bootstrap.servers} at this JVM's {@link LabKafka#shared() lab broker},
 * on which every Handoff topic exists, and logs the service under test in with its own Kafka identity (its
 * {@code quarkus.application.name}), so its ACLs are what the test exercises. Use with
 * {@code @QuarkusTestResource(KafkaTestResource.class)}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        LabKafka kafka = LabKafka.shared();
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        applicationName()
                .ifPresent(service -> kafka.clientSecurity(service)
                        .forEach((name, value) -> config.put("kafka." + name, String.valueOf(value))));
        return config;
    }

    /** The broker is shared by every test of the JVM and stops with it. */
    @Override
    public void stop() {
        // Nothing to release per test: see the class comment.
    }

    /** The {@code quarkus.application.name} of the service under test, from its application.properties. */
    static java.util.Optional<String> applicationName() {
        URL resource = Thread.currentThread().getContextClassLoader().getResource("application.properties");
        if (resource == null) {
            return java.util.Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = resource.openStream()) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return java.util.Optional.ofNullable(properties.getProperty("quarkus.application.name"));
    }
}
