package dev.handoff.common.messaging;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * How far a consumer is behind the end of a topic, in records: the sum of the consumer's own {@code records-lag}
 * metric over the partitions of the topic it is assigned. Read from the client's metrics, never from the broker, so a
 * scrape costs no request and may run on any thread while the loop polls.
 */
final class ConsumerLag {
    private static final String GROUP = "consumer-fetch-manager-metrics";
    private static final String NAME = "records-lag";

    private ConsumerLag() {}

    /** The lag of {@code topic}; 0 when the consumer holds none of its partitions or has not fetched yet. */
    static double of(Consumer<?, ?> consumer, String topic) {
        // the client writes the tag with dots as underscores in some versions
        String escaped = topic.replace('.', '_');
        double lag = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
            MetricName name = e.getKey();
            if (!NAME.equals(name.name()) || !GROUP.equals(name.group())) {
                continue;
            }
            String tag = name.tags().get("topic");
            if (!topic.equals(tag) && !escaped.equals(tag)) {
                continue;
            }
            if (e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                lag += n.doubleValue();
            }
        }
        return lag;
    }
}
