package dev.handoff.lab.world.openssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated node's SFTP stays in its sandbox as a host stays in its own file system: a link's absolute target or
 * a climb out through {@code ..} is resolved inside the node, never on the test machine; readlink and errors answer as
 * OpenSSH's sftp-server does (the drivers' OpenSSH contract tests compare the rest with the real server).
 */
class OpenSshSftpSubsystemTest {
    @TempDir
    Path dir;

    private SimulatedNixosHost host;
    private SshClient client;
    private ClientSession session;
    private SftpClient sftp;

    @BeforeEach
    void connect() throws IOException {
        LabSshIdentity runner = LabSshIdentity.create(dir.resolve("id_ecdsa"));
        host = SimulatedNixosHost.start(new NixosNode("edge-sftp", dir.resolve("root")), runner.publicKey(), 0, 0);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((s, address, key) -> KeyUtils.compareKeys(key, host.hostKey()));
        client.addPublicKeyIdentity(runner.keyPair());
        client.start();
        session = client.connect("root", "127.0.0.1", host.tailnetPort())
                .verify(Duration.ofSeconds(10))
                .getSession();
        session.auth().verify(Duration.ofSeconds(10));
        sftp = SftpClientFactory.instance().createSftpClient(session);
    }

    @AfterEach
    void disconnect() throws IOException {
        sftp.close();
        session.close();
        client.stop();
        host.close();
    }

    @Test
    void linksOutOfTheSandboxLeadToTheNodesOwnFilesNotTheTestMachines() throws IOException {
        // Given: the node has its own /etc/hostname; links point at it absolutely and by climbing out
        write("/etc/hostname", "edge-sftp\n");
        link("/etc/hostname-link", "/etc/hostname");
        link("/var/lib/climb", "../../../../../../../../etc/hostname");
        link("/persist", "/");

        // Then
        assertThat(read("/etc/hostname-link")).isEqualTo("edge-sftp\n");
        assertThat(read("/var/lib/climb")).isEqualTo("edge-sftp\n");
        assertThat(read("/persist/etc/hostname")).isEqualTo("edge-sftp\n");
        assertThat(sftp.readLink("/etc/hostname-link")).isEqualTo("/etc/hostname");
        assertThat(sftp.lstat("/etc/hostname-link").isSymbolicLink()).isTrue();
        assertThat(sftp.stat("/etc/hostname-link").isRegularFile()).isTrue();
    }

    @Test
    void aLinkToAFileOnlyTheTestMachineHasIsDanglingOnTheNode() throws IOException {
        // Given: /etc/passwd exists on the test machine, not on the node
        assertThat(Path.of("/etc/passwd")).exists();
        link("/etc/users", "/etc/passwd");

        // When
        SftpException e = catchThrowableOfType(SftpException.class, () -> read("/etc/users"));

        // Then
        assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        assertThat(e.getMessage()).isEqualTo("No such file");
    }

    @Test
    void itSpeaksSftpVersion3Only() {
        assertThat(sftp.getVersion()).isEqualTo(3);
    }

    @Test
    void errorsCarryOpenSshsV3StatusCodesAndTexts() throws IOException {
        // Given
        write("/etc/plain", "x");

        // Then: sftp-server maps ENOTDIR to "No such file" and EEXIST to "Failure"
        SftpException notADirectory = catchThrowableOfType(SftpException.class, () -> sftp.openDir("/etc/plain"));
        assertThat(notADirectory.getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        SftpException exists = catchThrowableOfType(SftpException.class, () -> sftp.mkdir("/etc"));
        assertThat(exists.getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
        assertThat(exists.getMessage()).isEqualTo("Failure");
        SftpException notALink = catchThrowableOfType(SftpException.class, () -> sftp.readLink("/etc/plain"));
        assertThat(notALink.getStatus()).isEqualTo(SftpConstants.SSH_FX_BAD_MESSAGE);
    }

    private void write(String hostPath, String content) throws IOException {
        Path file = host.node().file(hostPath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private void link(String hostPath, String target) throws IOException {
        Path link = host.node().file(hostPath);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
    }

    private String read(String path) throws IOException {
        try (InputStream in = sftp.read(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
