package dev.handoff.lab;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: points {@code kafka.bootstrap.servers} at this JVM's {@link LabKafka#shared() lab broker},
 * on which every Handoff topic exists. Use with {@code @QuarkusTestResource(KafkaTestResource.class)}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", LabKafka.shared().bootstrapServers());
    }

    /** The broker is shared by every test of the JVM and stops with it. */
    @Override
    public void stop() {
        // Nothing to release per test: see the class comment.
    }
}
