package dev.handoff.common.messaging;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.event.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may do what on the broker: one Kafka identity (a SASL/SCRAM user) per service and the ACLs of its role. Only
 * control-service writes {@code handoff.commits}, the replay channels and operators' decisions; each stage writes only
 * its own topic and the dead-letter topics of what it reads, and reads only its inputs. The lab's broker, the
 * compose file's {@code deploy/kafka/create-acls.sh} and the chart's Strimzi {@code KafkaUser}s are all made from (and
 * tested against) this one table.
 */
public final class KafkaAccess {
    /** The SASL mechanism of every Handoff identity. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** control-service's identity. */
    public static final String CONTROL = "control-service";

    private static final Pattern USER = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern PASSWORD = Pattern.compile("[A-Za-z0-9._~+/=-]{32,256}");

    private KafkaAccess() {}

    /** What an ACL allows. */
    public enum Operation {
        READ,
        WRITE
    }

    /** What an ACL is on. */
    public enum Resource {
        TOPIC,
        GROUP
    }

    /**
     * One ACL: {@code principal} (a user name) may {@code operation} on the {@code resource} named {@code name}, or on
     * every one whose name starts with it when {@code prefixed}.
     */
    public record Grant(String principal, Resource resource, String name, boolean prefixed, Operation operation) {}

    /** The identity of a stage's service, e.g. {@code converge-service}. */
    public static String principal(Stage stage) {
        return stage.id() + "-service";
    }

    /** Every service identity, control-service first, then the stages in chain order. */
    public static List<String> services() {
        List<String> names = new ArrayList<>();
        names.add(CONTROL);
        for (Stage stage : Stage.values()) {
            names.add(principal(stage));
        }
        return List.copyOf(names);
    }

    /**
     * The consumer group (a prefix: {@code handoff-converge} also covers {@code handoff-converge-canary}) each service
     * uses by default; a deployment that renames a group must keep this prefix.
     */
    public static Map<String, String> groups() {
        Map<String, String> groups = new LinkedHashMap<>();
        groups.put(CONTROL, "handoff-ledger");
        groups.put(principal(Stage.INFRA), "infra-service");
        groups.put(principal(Stage.SECRETS), "handoff-secrets");
        groups.put(principal(Stage.CONVERGE), "handoff-converge");
        groups.put(principal(Stage.WORKLOAD), "handoff-workload");
        groups.put(principal(Stage.BACKUP), "handoff-backup");
        return groups;
    }

    /** The ACLs of {@code service}; empty for a name that is no Handoff service. */
    public static List<Grant> grants(String service) {
        Set<Grant> grants = new LinkedHashSet<>();
        String group = groups().get(service);
        if (group == null) {
            return List.of();
        }
        if (CONTROL.equals(service)) {
            // the ledger reads every topic (the chain, the replay channels, the DLQs) and dead-letters what it cannot
            grants.add(new Grant(service, Resource.TOPIC, Topics.PREFIX, true, Operation.READ));
            List<String> written = new ArrayList<>(List.of(Topics.COMMITS, Topics.REPLAYS, Topics.APPROVALS));
            for (Stage stage : Stage.values()) {
                written.add(Topics.replay(stage));
            }
            written.add(Topics.HOST_KEYS);
            for (String topic : Topics.all()) {
                if (!topic.endsWith(Topics.DLQ_SUFFIX)) {
                    written.add(Topics.deadLetter(topic));
                }
            }
            written.forEach(t -> grants.add(new Grant(service, Resource.TOPIC, t, false, Operation.WRITE)));
        } else {
            Stage stage = stageOf(service);
            List<String> inputs = new ArrayList<>(StageInputs.subscribedBy(stage));
            if (stage == Stage.INFRA) {
                // infra requests approvals of destructive plans and reads operators' decisions
                inputs.add(Topics.APPROVALS);
                grants.add(new Grant(service, Resource.TOPIC, Topics.APPROVALS, false, Operation.WRITE));
            }
            if (stage == Stage.CONVERGE) {
                // converge keeps each host's newest cloud facts (its facts consumer), not only the secret facts
                inputs.add(Topics.CLOUD_FACTS);
            }
            for (String topic : inputs) {
                grants.add(new Grant(service, Resource.TOPIC, topic, false, Operation.READ));
            }
            grants.add(new Grant(service, Resource.TOPIC, stage.outputTopic(), false, Operation.WRITE));
            for (String topic : inputs) {
                grants.add(new Grant(service, Resource.TOPIC, Topics.deadLetter(topic), false, Operation.WRITE));
            }
            if (stage == Stage.CONVERGE || stage == Stage.WORKLOAD || stage == Stage.BACKUP) {
                // the SSH stages share one host key pin store (docs/security.md)
                grants.add(new Grant(service, Resource.TOPIC, Topics.HOST_KEYS, false, Operation.READ));
            }
            if (stage == Stage.CONVERGE) {
                // converge pins a host's key at its first bootstrap
                grants.add(new Grant(service, Resource.TOPIC, Topics.HOST_KEYS, false, Operation.WRITE));
            }
        }
        grants.add(new Grant(service, Resource.GROUP, group, true, Operation.READ));
        return List.copyOf(grants);
    }

    /** The ACLs of every service. */
    public static List<Grant> all() {
        List<Grant> all = new ArrayList<>();
        services().forEach(s -> all.addAll(grants(s)));
        return List.copyOf(all);
    }

    /**
     * Every grant as the text of {@code helm/handoff/files/kafka-acls.txt}, which the chart's Strimzi
     * {@code KafkaUser}s and the compose file's {@code deploy/kafka/create-topics.sh} read: one line per ACL,
     * {@code <principal> <topic|group> <literal|prefixed> <name> <Read|Write>}, after a comment header.
     */
    public static String aclTable() {
        StringBuilder text = new StringBuilder()
                .append(
                        "# The ACLs of each Handoff service's Kafka identity (dev.handoff.common.messaging.KafkaAccess).\n")
                .append("# Generated: deploy-tests' KafkaAclsFileTest fails when this file and KafkaAccess differ.\n")
                .append("# principal resource pattern name operation\n");
        for (Grant g : all()) {
            text.append(g.principal())
                    .append(' ')
                    .append(g.resource().name().toLowerCase(java.util.Locale.ROOT))
                    .append(' ')
                    .append(g.prefixed() ? "prefixed" : "literal")
                    .append(' ')
                    .append(g.name())
                    .append(' ')
                    .append(g.operation() == Operation.READ ? "Read" : "Write")
                    .append('\n');
        }
        return text.toString();
    }

    /** Whether {@code service} may {@code operation} on {@code topic} by {@link #grants(String)}. */
    public static boolean allows(String service, Operation operation, String topic) {
        return grants(service).stream()
                .anyMatch(g -> g.resource() == Resource.TOPIC
                        && g.operation() == operation
                        && (g.prefixed() ? topic.startsWith(g.name()) : topic.equals(g.name())));
    }

    /**
     * The client settings that log in as {@code user}: SASL/SCRAM over {@code protocol} ({@code SASL_PLAINTEXT} or
     * {@code SASL_SSL}).
     *
     * @throws IllegalArgumentException if the user name or password could break out of the JAAS line (quotes,
     *     semicolons, spaces) or the password is shorter than 32 characters
     */
    public static Map<String, Object> clientSecurity(String protocol, String user, String password) {
        return Map.of(
                "security.protocol", protocol,
                "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaasConfig(user, password));
    }

    /** The {@code sasl.jaas.config} line of a SCRAM login as {@code user}. */
    public static String jaasConfig(String user, String password) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("Kafka user name '" + user + "' is not a lower-case name");
        }
        if (password == null || !PASSWORD.matcher(password).matches()) {
            throw new IllegalArgumentException("the Kafka password of " + user
                    + " must be 32 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -; make one with openssl rand -hex 32");
        }
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private static Stage stageOf(String service) {
        for (Stage stage : Stage.values()) {
            if (principal(stage).equals(service)) {
                return stage;
            }
        }
        throw new IllegalArgumentException("no stage has the identity " + service);
    }
}
