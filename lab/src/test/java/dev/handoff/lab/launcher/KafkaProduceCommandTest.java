package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.common.event.Topics;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabKafkaUsers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./handoff kafka-produce}: the broker of a running lab answers each identity as its role allows. */
class KafkaProduceCommandTest {
    @TempDir
    static Path dir;

    private static LabHome home;
    private static LabKafka kafka;
    private static Path value;

    @BeforeAll
    static void startLabBroker() throws Exception {
        home = new LabHome(dir);
        kafka = LabKafka.start(0, home.kafkaData(), LabKafkaUsers.load(home.kafkaSecret()));
        kafka.createTopics(Topics.all());
        new LabEnvFile(Map.of(LabEnvFile.KAFKA, kafka.bootstrapServers())).write(home.labEnv());
        value = Files.writeString(dir.resolve("forged.json"), "{\"forged\":true}");
    }

    @AfterAll
    static void stopLabBroker() {
        kafka.close();
    }

    private static String produce(int expectedExit, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = new KafkaProduceCommand(home, out).run(KafkaProduceCommand.parse(List.of(args)));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isEqualTo(expectedExit);
        return text;
    }

    @Test
    void aRecordProducedAsNobodyIsRefusedByTheBroker() throws Exception {
        String answer = produce(
                1, "--as", "nobody", "--topic", Topics.COMMITS, "--key", "edge-1", "--value-file", value.toString());

        assertThat(answer).contains("Refused by the broker: SaslAuthenticationException");
    }

    @Test
    void secretsServiceCannotWriteCommits() throws Exception {
        String answer = produce(
                1,
                "--as",
                "secrets-service",
                "--topic",
                Topics.COMMITS,
                "--header",
                "ce_type=dev.handoff.commit.pushed",
                "--value-file",
                value.toString());

        assertThat(answer)
                .contains("Refused by the broker: TopicAuthorizationException")
                .contains(Topics.COMMITS);
    }

    @Test
    void controlServiceWritesCommitsAndTheAnswerNamesWhere() throws Exception {
        String answer = produce(
                0,
                "--as",
                "control-service",
                "--topic",
                Topics.COMMITS,
                "--key",
                "edge-1",
                "--value-file",
                value.toString());

        assertThat(answer).contains("Accepted by the broker: " + Topics.COMMITS + " partition");
    }

    @Test
    void anUnknownIdentityOrAMissingOptionIsAUsageError() {
        assertThatThrownBy(() -> KafkaProduceCommand.parse(
                        List.of("--as", "admin", "--topic", Topics.COMMITS, "--value-file", "x")))
                .isInstanceOf(LabCommands.UsageException.class)
                .hasMessageContaining("control-service");
        assertThatThrownBy(() -> KafkaProduceCommand.parse(List.of("--as", "control-service")))
                .isInstanceOf(LabCommands.UsageException.class)
                .hasMessageContaining("--value-file");
        assertThatThrownBy(() -> KafkaProduceCommand.parse(
                        List.of("--as", "nobody", "--topic", "t", "--header", "novalue", "--value-file", "x")))
                .isInstanceOf(LabCommands.UsageException.class)
                .hasMessageContaining("name=value");
    }
}
