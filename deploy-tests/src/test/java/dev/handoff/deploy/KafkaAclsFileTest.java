package dev.handoff.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.messaging.KafkaAccess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The one ACL table the chart's Strimzi {@code KafkaUser}s and the compose file's {@code create-topics.sh} read is
 * {@link KafkaAccess}'s: the lab's broker, compose and Kubernetes grant each service the same role.
 */
class KafkaAclsFileTest {
    static final Path FILE = ProjectFiles.root().resolve("helm/handoff/files/kafka-acls.txt");

    @Test
    void theAclFileIsKafkaAccessRendered() {
        assertThat(ProjectFiles.read(FILE))
                .as("helm/handoff/files/kafka-acls.txt is generated from KafkaAccess.aclTable(); regenerate it")
                .isEqualTo(KafkaAccess.aclTable());
    }

    @Test
    void composeMountsTheAclFileIntoTheSetupContainer() {
        String compose = ProjectFiles.read(ProjectFiles.root().resolve("docker-compose.yml"));

        assertThat(compose).contains("./helm/handoff/files/kafka-acls.txt:/opt/handoff/kafka-acls.txt:ro");
    }
}
