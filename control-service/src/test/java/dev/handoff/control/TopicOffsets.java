package dev.handoff.control;

import dev.handoff.common.event.Topics;
import dev.handoff.lab.LabKafka;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/** Counts records on Handoff's topics, to prove that a refused request published nothing. */
public final class TopicOffsets {
    private TopicOffsets() {}

    /** The sum of the end offsets of every handoff topic. */
    public static long total(String bootstrapServers) {
        try (Admin admin =
                Admin.create(LabKafka.asAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
            List<String> topics = Topics.all();
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            described
                    .values()
                    .forEach(d -> d.partitions()
                            .forEach(p ->
                                    request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(r -> r.offset())
                    .sum();
        } catch (Exception e) {
            throw new AssertionError("cannot read topic offsets: " + e, e);
        }
    }
}
