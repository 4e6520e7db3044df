package dev.handoff.support.ssh;

import dev.handoff.common.serde.EventCodec;
import dev.handoff.support.StageKafka;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The shared SSH host key pin store as a CDI bean: one {@link TopicHostKeyPins} per service that injects
 * {@link HostKeyPins}, waiting at most {@code handoff.host-keys.wait} (default 15 s) for Kafka on each read or pin.
 */
@ApplicationScoped
public class HostKeyStore {

    @Produces
    @Singleton
    HostKeyPins pins(
            StageKafka kafka,
            EventCodec codec,
            @ConfigProperty(name = "handoff.host-keys.wait", defaultValue = "15s") Duration wait) {
        return new TopicHostKeyPins(kafka.bootstrapServers(), kafka.serviceName(), codec, wait, kafka.security());
    }

    void close(@Disposes HostKeyPins pins) {
        if (pins instanceof TopicHostKeyPins topic) {
            topic.close();
        }
    }
}
