package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceModuleTest {

    @TempDir
    Path project;

    @Test
    void onlyServicesWithARunnableJarJoinTheLabInChainOrder() throws Exception {
        // Given
        for (String name : new String[] {"secrets-service", "control-service"}) {
            Path jar = project.resolve(name + "/target/quarkus-app/quarkus-run.jar");
            Files.createDirectories(jar.getParent());
            Files.writeString(jar, "jar");
        }
        Files.createDirectories(project.resolve("infra-service/target"));

        // When / Then
        assertThat(ServiceModule.built(project))
                .extracting(ServiceModule::name)
                .containsExactly("control-service", "secrets-service");
        assertThat(ServiceModule.built(project).get(1).portOffset()).isEqualTo(2);
        assertThat(ServiceModule.ALL.get(0).isControl()).isTrue();
        assertThat(ServiceModule.ALL.get(0).database()).isEqualTo("handoff_lab");
    }

    @Test
    void aDatabasePrefixKeepsASecondLabOffTheFirstLabsDatabases() {
        ServiceModule infra = ServiceModule.ALL.get(1);

        assertThat(infra.database(java.util.Map.of())).isEqualTo("handoff_lab_infra");
        assertThat(infra.database(java.util.Map.of(ServiceModule.DATABASE_PREFIX_VARIABLE, "e2e_1")))
                .isEqualTo("e2e_1_infra");
        assertThat(ServiceModule.ALL.get(0).database(java.util.Map.of(ServiceModule.DATABASE_PREFIX_VARIABLE, "e2e_1")))
                .isEqualTo("e2e_1");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> infra.database(java.util.Map.of(ServiceModule.DATABASE_PREFIX_VARIABLE, "drop table;")))
                .hasMessageContaining(ServiceModule.DATABASE_PREFIX_VARIABLE)
                .hasMessageContaining("lower-case letters");
    }

    @Test
    void nothingBuiltMeansNoService() {
        assertThat(ServiceModule.built(project)).isEmpty();
    }
}
