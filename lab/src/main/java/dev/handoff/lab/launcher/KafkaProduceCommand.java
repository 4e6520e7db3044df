package dev.handoff.lab.launcher;

import dev.handoff.common.messaging.KafkaAccess;
import dev.handoff.lab.LabKafkaUsers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./handoff kafka-produce --as <service> --topic <t> [--key k] [--header name=value]… --value-file f}: publishes
 * one raw record into the running lab's broker with that service's lab identity (or {@code --as nobody}: a login the
 * broker does not know) and prints the broker's answer. Operators rehearse attacks on the message contract with it: a
 * forged commit, a stage writing where its role does not allow, a hostile header.
 */
final class KafkaProduceCommand {
    /** The identity that is no identity: a user name the broker has no credential for. */
    static final String NOBODY = "nobody";

    static final String USAGE = "kafka-produce --as <service|nobody> --topic <topic> [--key <key>]"
            + " [--header <name>=<value>]… --value-file <file>";

    private final LabHome home;
    private final PrintStream out;

    KafkaProduceCommand(LabHome home, PrintStream out) {
        this.home = home;
        this.out = out;
    }

    /** What to publish. */
    record Request(String as, String topic, String key, List<Map.Entry<String, String>> headers, Path valueFile) {}

    /** Parses the command line (after {@code kafka-produce}). */
    static Request parse(List<String> args) throws LabCommands.UsageException {
        String as = null;
        String topic = null;
        String key = null;
        Path valueFile = null;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || i + 1 >= args.size()) {
                throw new LabCommands.UsageException("kafka-produce: " + arg
                        + (arg.startsWith("--") ? " needs a value" : " is not an option") + "; usage: " + USAGE);
            }
            String value = args.get(++i);
            switch (arg) {
                case "--as" -> as = value;
                case "--topic" -> topic = value;
                case "--key" -> key = value;
                case "--value-file" -> valueFile = Path.of(value);
                case "--header" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new LabCommands.UsageException(
                                "kafka-produce: --header takes name=value, not '" + value + "'");
                    }
                    headers.add(Map.entry(value.substring(0, eq), value.substring(eq + 1)));
                }
                default -> throw new LabCommands.UsageException("kafka-produce: unknown option " + arg);
            }
        }
        if (as == null || topic == null || valueFile == null) {
            throw new LabCommands.UsageException("kafka-produce needs --as, --topic and --value-file; usage: " + USAGE);
        }
        if (!as.equals(NOBODY) && !KafkaAccess.services().contains(as)) {
            throw new LabCommands.UsageException("kafka-produce: --as takes one of " + KafkaAccess.services() + " or "
                    + NOBODY + ", not '" + as + "'");
        }
        return new Request(as, topic, key, List.copyOf(headers), valueFile);
    }

    /** Publishes the record; returns 0 if the broker took it, 1 if it refused it. */
    int run(Request request) throws InterruptedException {
        Optional<LabEnvFile> lab = LabEnvFile.read(home.labEnv());
        String bootstrap = lab.flatMap(l -> l.get(LabEnvFile.KAFKA))
                .orElseThrow(() -> new IllegalStateException("The lab is not running (no running lab wrote "
                        + home.labEnv() + "): start it with ./handoff up"));
        byte[] value;
        try {
            value = Files.readAllBytes(request.valueFile());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "kafka-produce: cannot read --value-file " + request.valueFile() + ": " + e.getMessage());
        }
        Map<String, Object> settings = new HashMap<>(security(request.as()));
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "handoff-kafka-produce");
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(request.topic(), request.key(), value);
        request.headers()
                .forEach(h -> record.headers().add(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8)));
        out.println("Publishing " + value.length + " byte(s) to " + request.topic() + " on " + bootstrap + " as "
                + request.as() + (request.key() == null ? "" : " with key " + request.key()) + ", "
                + request.headers().size() + " header(s)");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
            RecordMetadata sent = producer.send(record).get(30, TimeUnit.SECONDS);
            out.println("Accepted by the broker: " + sent.topic() + " partition " + sent.partition() + " offset "
                    + sent.offset());
            return 0;
        } catch (ExecutionException | org.apache.kafka.common.KafkaException e) {
            // a refusal comes back through the send's future, or straight from send() for a failed login
            Throwable cause = e.getCause() == null ? e : e.getCause();
            out.println("Refused by the broker: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            return 1;
        } catch (TimeoutException e) {
            out.println("The broker did not answer within 30 s");
            return 1;
        }
    }

    private Map<String, Object> security(String as) {
        if (as.equals(NOBODY)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return KafkaAccess.clientSecurity(
                    "SASL_PLAINTEXT", NOBODY, HexFormat.of().formatHex(random));
        }
        if (!Files.exists(home.kafkaSecret())) {
            throw new IllegalStateException(
                    "The lab has no Kafka secret " + home.kafkaSecret() + ": start it with ./handoff up first");
        }
        LabKafkaUsers users = LabKafkaUsers.load(home.kafkaSecret());
        return users.clientSecurity(as);
    }
}
