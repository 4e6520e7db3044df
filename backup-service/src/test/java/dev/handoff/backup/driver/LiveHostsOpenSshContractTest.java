package dev.handoff.backup.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.openssh.ContractHost;
import dev.handoff.support.ssh.HostKeyPins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LiveHosts} against Debian's real OpenSSH ({@code /usr/sbin/sshd}, GNU coreutils' {@code sha256sum} run by the
 * login shell) and, with the same test bodies, against the lab's simulated NixOS node: the restore rehearsal's digests
 * of files on the live host, what is absent (a missing file, a folder, a dangling link), a file reached through a
 * symbolic link, and the host key pin. On the real server a host path is a real absolute path under a temporary
 * folder; on the node it is the same path in its sandbox. OpenSSH not installed fails these tests with
 * {@code apt-get install -y openssh-server}.
 *
 * <p>The node's {@code sha256sum} answered as GNU coreutils does for all of these (one {@code <hex>  <path>} line per
 * readable file, exit 1 and a line on stderr for each missing file or folder); links here are relative, since the
 * node's commands (unlike its SFTP) resolve a link's absolute target from the test machine's own root.
 */
class LiveHostsOpenSshContractTest {
    private static final String HOST = "forgejo-contract";
    private static final String ADDRESS = HOST + ".tailnet.ts.net";

    @Nested
    class AgainstOpenSsh extends Contract {
        @Override
        ContractHost start(Path dir, PublicKey runnerKey) {
            return ContractHost.openSsh(dir, runnerKey);
        }
    }

    @Nested
    class AgainstTheSimulatedNode extends Contract {
        @Override
        ContractHost start(Path dir, PublicKey runnerKey) {
            return ContractHost.simulatedNode(dir, HOST, runnerKey);
        }
    }

    abstract static class Contract {
        @TempDir
        Path dir;

        private final HostKeyPins pins = HostKeyPins.inMemory();
        private LabSshIdentity runner;
        private ContractHost host;
        private ContractHost another;

        /** Starts a host with a new host key in {@code dir}. */
        abstract ContractHost start(Path dir, PublicKey runnerKey);

        @BeforeEach
        void startTheHost() {
            runner = LabSshIdentity.create(dir.resolve("runner").resolve("id_ecdsa"));
            host = start(dir.resolve("host"), runner.publicKey());
            // converge-service pinned it at its first bootstrap: backup-service only reads the shared store
            pins.pin(HOST, HostKeyPins.pinOf(host.hostKey()));
        }

        @AfterEach
        void stopTheHosts() {
            host.close();
            if (another != null) {
                another.close();
            }
        }

        @Test
        void eachFileComesBackWithTheSha256OfItsContent() throws Exception {
            // Given
            String dump = write("/var/backup/forgejo/forgejo-db.sql", "-- PostgreSQL database dump\n");
            String empty = write("/var/lib/forgejo/custom/conf/empty.ini", "");

            // When
            Map<String, String> digests = sha256(List.of(dump, empty));

            // Then
            assertThat(digests)
                    .containsExactly(
                            Map.entry(dump, digestOf("-- PostgreSQL database dump\n")), Map.entry(empty, digestOf("")));
        }

        @Test
        void aMissingFileAFolderAndADanglingLinkAreAbsentAndTheOthersStillCount() throws Exception {
            // Given
            String present = write("/var/lib/forgejo/data/forgejo.db", "SQLite format 3\0");
            String missing = host.path("/var/lib/forgejo/data/gone.db");
            String folder = host.path("/var/lib/forgejo/data");
            String dangling = link("/var/lib/forgejo/data/dangling.db", "nowhere.db");

            // When
            Map<String, String> digests = sha256(List.of(missing, present, folder, dangling));

            // Then
            assertThat(digests).containsExactly(Map.entry(present, digestOf("SQLite format 3\0")));
        }

        @Test
        void aFileReachedThroughALinkHasItsTargetsDigestUnderTheLinksPath() throws Exception {
            // Given: the file the rehearsal names is a link, as NixOS makes many files
            write("/var/lib/forgejo/custom/conf/app.ini.real", "[server]\nDOMAIN = forgejo.lab\n");
            String viaLink = link("/var/lib/forgejo/custom/conf/app.ini", "app.ini.real");

            // When
            Map<String, String> digests = sha256(List.of(viaLink));

            // Then
            assertThat(digests).containsExactly(Map.entry(viaLink, digestOf("[server]\nDOMAIN = forgejo.lab\n")));
        }

        @Test
        void anotherServerWithAnotherHostKeyAtThePinnedAddressIsRefusedAndNothingCompared() throws Exception {
            // Given: the host is pinned
            String file = write("/var/backup/forgejo/forgejo-db.sql", "dump\n");
            sha256(List.of(file));
            HostKeyPins.Pin pinned = pins.pinned(HOST).orElseThrow();
            assertThat(pinned).isEqualTo(HostKeyPins.pinOf(host.hostKey()));

            // When: the address now leads to another server with its own host key
            another = start(dir.resolve("another"), runner.publicKey());
            LiveHosts.HostException e = catchThrowableOfType(
                    LiveHosts.HostException.class,
                    () -> liveHosts(another).sha256(HOST, another.user(), ADDRESS, List.of(file)));

            // Then
            assertThat(e).isNotNull();
            assertThat(e.keyChanged()).isTrue();
            assertThat(e.getMessage())
                    .contains(
                            HOST,
                            pinned.fingerprint(),
                            HostKeyPins.pinOf(another.hostKey()).fingerprint(),
                            "nothing was compared");
            assertThat(pins.pinned(HOST)).contains(pinned);
        }

        @Test
        void aHostWithoutATrustedKeyIsRefusedAndNothingIsPinnedOrCompared() throws Exception {
            // Given: another server whose key no service trusts
            another = start(dir.resolve("another"), runner.publicKey());
            String presented = HostKeyPins.pinOf(another.hostKey()).fingerprint();

            // When
            LiveHosts.HostException e = catchThrowableOfType(
                    LiveHosts.HostException.class,
                    () -> liveHosts(another).sha256("forgejo-new", another.user(), ADDRESS, List.of("/etc/hostname")));

            // Then
            assertThat(e).isNotNull();
            assertThat(e.keyChanged()).isTrue();
            assertThat(e.getMessage())
                    .contains("forgejo-new", presented, "handoffctl hosts trust forgejo-new", "nothing was compared");
            assertThat(pins.pinned("forgejo-new")).isEmpty();
        }

        private Map<String, String> sha256(List<String> paths) throws LiveHosts.HostException {
            return liveHosts(host).sha256(HOST, host.user(), ADDRESS, paths);
        }

        private LiveHosts liveHosts(ContractHost at) {
            return new LiveHosts(
                    runner.privateKeyFile(),
                    ADDRESS + "=127.0.0.1:" + at.port(),
                    pins,
                    Map.of(),
                    Duration.ofSeconds(10));
        }

        /** Writes {@code content} at the host path {@code hostPath}; returns where it is on the host. */
        private String write(String hostPath, String content) throws IOException {
            String remote = host.path(hostPath);
            Path file = host.onDisk(remote);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return remote;
        }

        /** Makes the host path {@code hostPath} a link to {@code target}; returns where it is on the host. */
        private String link(String hostPath, String target) throws IOException {
            String remote = host.path(hostPath);
            Path link = host.onDisk(remote);
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
            return remote;
        }
    }

    private static String digestOf(String content) throws NoSuchAlgorithmException {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    }
}
