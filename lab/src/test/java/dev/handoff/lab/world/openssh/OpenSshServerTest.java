package dev.handoff.lab.world.openssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Debian's real sshd as the contract tests start it: who it lets in, its host key, its stop, a missing install. */
class OpenSshServerTest {
    @TempDir
    Path dir;

    private LabSshIdentity runner;
    private OpenSshServer server;
    private SshClient client;

    @BeforeEach
    void start() {
        runner = LabSshIdentity.create(dir.resolve("runner").resolve("id_ecdsa"));
        server = OpenSshServer.start(dir.resolve("sshd"), runner.publicKey());
        client = SshClient.setUpDefaultClient();
        // only the key that hostKey() reports is accepted (both are X.509-encoded Ed25519 keys)
        client.setServerKeyVerifier((session, address, key) ->
                Arrays.equals(key.getEncoded(), server.hostKey().getEncoded()));
        client.start();
    }

    @AfterEach
    void stop() throws IOException {
        client.stop();
        server.close();
    }

    @Test
    void theAuthorizedKeyLogsInTheCurrentUserOverItsOwnPort() throws Exception {
        // When
        String whoami = run(runner, "id -un");

        // Then
        assertThat(whoami).isEqualTo(server.user() + "\n");
        assertThat(server.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(server.workDir()).isEqualTo(dir.resolve("sshd"));
        assertThat(Files.readString(server.workDir().resolve("sshd.log")))
                .contains("Server listening on 127.0.0.1 port " + server.port());
    }

    @Test
    void anotherKeyIsRefused() {
        LabSshIdentity stranger = LabSshIdentity.create(dir.resolve("stranger").resolve("id_ecdsa"));

        assertThatThrownBy(() -> run(stranger, "id -un")).hasMessageContaining("No more authentication methods");
    }

    @Test
    void aRestartInTheSameFolderKeepsTheHostKeyAndAnotherFolderGetsItsOwn() throws Exception {
        // Given
        byte[] before = server.hostKey().getEncoded();

        // When
        server.close();
        server = OpenSshServer.start(dir.resolve("sshd"), runner.publicKey());
        try (OpenSshServer other = OpenSshServer.start(dir.resolve("other"), runner.publicKey())) {
            // Then
            assertThat(server.hostKey().getEncoded()).isEqualTo(before);
            assertThat(run(runner, "true")).isEmpty();
            assertThat(other.hostKey().getEncoded()).isNotEqualTo(before);
            assertThat(other.port()).isNotEqualTo(server.port());
        }
    }

    @Test
    void closeStopsSshdSoThatItsPortRefusesConnections() {
        // When
        server.close();

        // Then
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), server.port()).close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void aMissingOpenSshServerNamesTheInstallCommand() {
        assertThatThrownBy(() ->
                        OpenSshServer.requireTools(dir.resolve("usr/sbin/sshd"), OpenSshServer.SFTP_SERVER, "/usr/bin"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("usr/sbin/sshd") + " is not installed")
                .hasMessageContaining("apt-get install -y openssh-server");
        assertThatThrownBy(() -> OpenSshServer.requireTools(OpenSshServer.SSHD, dir.resolve("sftp-server"), "/usr/bin"))
                .hasMessageContaining("sftp-server is not installed")
                .hasMessageContaining("apt-get install -y openssh-server");
        assertThatThrownBy(
                        () -> OpenSshServer.requireTools(OpenSshServer.SSHD, OpenSshServer.SFTP_SERVER, dir.toString()))
                .hasMessageContaining("ssh-keygen is not installed")
                .hasMessageContaining("apt-get install -y openssh-server");
    }

    private String run(LabSshIdentity identity, String command) throws IOException {
        try (ClientSession session = client.connect(server.user(), "127.0.0.1", server.port())
                .verify(Duration.ofSeconds(10))
                .getSession()) {
            session.addPublicKeyIdentity(identity.keyPair());
            session.auth().verify(Duration.ofSeconds(10));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ChannelExec exec = session.createExecChannel(command)) {
                exec.setOut(out);
                exec.open().verify(Duration.ofSeconds(10));
                exec.waitFor(List.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
