package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** handoffctl login writes contexts; later commands take server and token from flags, environment, then contexts. */
class LoginTest {
    private final ControlStub lab = new ControlStub();
    private final ControlStub prod = new ControlStub();

    @TempDir
    Path home;

    @AfterEach
    void stop() {
        lab.close();
        prod.close();
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("HANDOFF_CONFIG", config().toString()));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private Path config() {
        return home.resolve("config.yaml");
    }

    @Test
    void loginChecksTheTokenAndSavesAContextWhoseTokenFileOnlyTheOwnerReads() throws Exception {
        // When
        Ctl.Run login =
                Ctl.run(env(), "prod-token\n", "login", "--context", "prod", "--server", prod.url(), "--token-stdin");

        // Then
        assertThat(login.exit()).as(login.err()).isZero();
        assertThat(login.out()).contains("Logged in to " + prod.url() + " as context prod");
        assertThat(prod.seen).singleElement().satisfies(s -> {
            assertThat(s.path()).isEqualTo("/api/deployments?limit=1");
            assertThat(s.authorization()).isEqualTo("Bearer prod-token");
        });
        String yaml = Files.readString(config(), StandardCharsets.UTF_8);
        assertThat(yaml)
                .contains("current-context: prod", "name: prod", "server: " + prod.url(), "token-file:")
                .doesNotContain("prod-token\n");
        Path tokenFile = home.resolve("tokens").resolve("prod.token");
        assertThat(Files.readString(tokenFile).strip()).isEqualTo("prod-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
                .isEqualTo("rw-------");

        // When: a command without --server or --token
        prod.answer("{\"items\":[]}");
        Ctl.Run list = Ctl.run(env(), "", "deployments");

        // Then: the current context's server and token
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(prod.seen.get(1).authorization()).isEqualTo("Bearer prod-token");
    }

    @Test
    void aTokenTheServerRefusesIsNotSaved() {
        // Given
        prod.answer(401, "{\"error\":\"the token is not recognised\"}");

        // When
        Ctl.Run login = Ctl.run(env(), "wrong\n", "login", "--server", prod.url(), "--token-stdin");

        // Then
        assertThat(login.exit()).isEqualTo(4);
        assertThat(login.err()).contains("not recognised");
        assertThat(config()).doesNotExist();
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheConfigFileAndAContextsTokenGoesOnlyToItsServer() throws Exception {
        // Given: logged in to prod (current) with a token file kept where it is
        Path tokenFile = home.resolve("prod.token");
        Files.writeString(tokenFile, "prod-token\n");
        assertThat(Ctl.run(
                                env(),
                                "",
                                "login",
                                "--context",
                                "prod",
                                "--server",
                                prod.url(),
                                "--token-file",
                                tokenFile.toString())
                        .exit())
                .isZero();
        assertThat(Files.readString(config())).contains("token-file: " + tokenFile);

        // When: the lab's names in the environment (as ./handoff ctl or lab.env sets them)
        Ctl.Run labEnv = Ctl.run(env("HANDOFF_SERVER", lab.url(), "HANDOFF_TOKEN", "lab-token"), "", "deployments");
        Ctl.Run labEnvFile = Ctl.run(
                env("HANDOFF_CONTROL_URL", lab.url(), "HANDOFF_OPERATOR_TOKEN", "lab-operator"), "", "deployments");
        // an explicit --context beats the environment
        Ctl.Run chosen = Ctl.run(
                env("HANDOFF_SERVER", lab.url(), "HANDOFF_TOKEN", "lab-token"), "", "--context", "prod", "deployments");
        // a server from the environment without a token: prod's token is not sent there
        Ctl.Run noToken = Ctl.run(env("HANDOFF_SERVER", lab.url()), "", "deployments");
        // flags beat all
        Ctl.Run flags = Ctl.run(
                env("HANDOFF_SERVER", prod.url(), "HANDOFF_TOKEN", "env-token"),
                "",
                "deployments",
                "--server",
                lab.url(),
                "--token",
                "flag-token");

        // Then
        assertThat(labEnv.exit()).as(labEnv.err()).isZero();
        assertThat(labEnvFile.exit()).as(labEnvFile.err()).isZero();
        assertThat(chosen.exit()).as(chosen.err()).isZero();
        assertThat(flags.exit()).as(flags.err()).isZero();
        assertThat(lab.seen)
                .extracting(ControlStub.Seen::authorization)
                .containsExactly("Bearer lab-token", "Bearer lab-operator", "Bearer flag-token");
        assertThat(prod.seen)
                .extracting(ControlStub.Seen::authorization)
                .containsExactly("Bearer prod-token", "Bearer prod-token");
        assertThat(noToken.exit()).isEqualTo(4);
        assertThat(noToken.err()).contains("no token for " + lab.url(), "handoffctl login --server " + lab.url());
    }

    @Test
    void anUnknownContextOrAMissingTokenFileSaysHowToFixIt() throws Exception {
        // Given
        Path tokenFile = home.resolve("prod.token");
        Files.writeString(tokenFile, "prod-token\n");
        Ctl.run(env(), "", "login", "--context", "prod", "--server", prod.url(), "--token-file", tokenFile.toString());
        Files.delete(tokenFile);

        // When
        Ctl.Run unknown = Ctl.run(env(), "", "--context", "staging", "deployments");
        Ctl.Run missing = Ctl.run(env(), "", "deployments");
        Ctl.Run noServer = Ctl.run(env(), "t\n", "login", "--context", "lab", "--token-stdin");

        // Then
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no context 'staging' in " + config(), "(it has: prod)", "handoffctl login");
        assertThat(missing.exit()).isEqualTo(4);
        assertThat(missing.err())
                .contains("cannot read the token file " + tokenFile + " of context prod", "login --context prod");
        assertThat(noServer.exit()).isEqualTo(2);
        assertThat(noServer.err()).contains("which server? give --server URL");
    }

    @Test
    void theConfigFileIsUnderXdgConfigHomeOrHomeWhenHandoffConfigIsNotSet() {
        assertThat(CtlConfig.location(Map.of("XDG_CONFIG_HOME", "/x/conf", "HOME", "/home/op")))
                .isEqualTo(Path.of("/x/conf/handoff/config.yaml"));
        assertThat(CtlConfig.location(Map.of("HOME", "/home/op")))
                .isEqualTo(Path.of("/home/op/.config/handoff/config.yaml"));
        assertThat(CtlConfig.location(Map.of("HANDOFF_CONFIG", "/etc/handoff.yaml", "HOME", "/home/op")))
                .isEqualTo(Path.of("/etc/handoff.yaml"));
    }
}
