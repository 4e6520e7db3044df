package dev.handoff.converge.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.openssh.ContractHost;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link SshjHosts} promises of any host it talks to, whatever answers: run as the test bodies of
 * {@link SshjHostsOpenSshContractTest} against real OpenSSH and against the simulated NixOS node.
 */
abstract class SshjHostsContract {
    static final String HOST = "edge-contract";
    static final String ADDRESS = HOST + ".tailnet.ts.net";
    static final String KEY = "/var/lib/sops-nix/key.txt";

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
    }

    @AfterEach
    void stopTheHosts() {
        host.close();
        if (another != null) {
            another.close();
        }
    }

    HostSession open() throws SshException {
        return hosts(host).open(HOST, host.user(), ADDRESS);
    }

    @Test
    void aCommandThatSucceedsExitsZeroWithNothingPrinted() throws Exception {
        try (HostSession session = open()) {
            assertThat(session.run("true")).isEqualTo(new CommandResult(0, "", ""));
        }
    }

    @Test
    void aMissingCommandExits127SayingCommandNotFound() throws Exception {
        try (HostSession session = open()) {
            CommandResult result = session.run("handoff-no-such-command --now");

            assertThat(result.exitCode()).isEqualTo(127);
            assertThat(result.stdout()).isEmpty();
            assertThat(result.stderr()).contains("handoff-no-such-command", "command not found");
        }
    }

    @Test
    void testDashFTellsAFileFromAMissingOne() throws Exception {
        // Given
        Path file = host.onDisk(host.path("/etc/rancher/k3s/k3s.yaml"));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "apiVersion: v1\n");

        try (HostSession session = open()) {
            // Then
            assertThat(session.run("test -f " + host.path("/etc/rancher/k3s/k3s.yaml"))
                            .exitCode())
                    .isZero();
            assertThat(session.run("test -f " + host.path("/etc/rancher/k3s/none.yaml"))
                            .exitCode())
                    .isEqualTo(1);
        }
    }

    @Test
    void stagingANewFileMakesItsFolder0700AndTheFile0600AndLeavesNoTemporaryFile() throws Exception {
        // When
        boolean written;
        try (HostSession session = open()) {
            written = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1NEW\n"));
        }

        // Then
        Path file = host.onDisk(host.path(KEY));
        assertThat(written).isTrue();
        assertThat(Files.readString(file)).isEqualTo("AGE-SECRET-KEY-1NEW\n");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(file.getParent())).isEqualTo("rwx------");
        assertThat(names(file.getParent())).containsExactly("key.txt");
    }

    @Test
    void filesLargerThanOneSftpMessageAreStagedAndUploadedWhole() throws Exception {
        // Given: content over the 256 KiB that SFTP servers accept in one write (a fleet's secrets pack)
        byte[] large = new byte[600 * 1024 + 7];
        new java.util.Random(16).nextBytes(large);
        Path tree = Files.createTempDirectory("upload");
        Files.createDirectories(tree.resolve("objects/pack"));
        Files.write(tree.resolve("objects/pack/pack-1.pack"), large);

        String key = host.path(KEY);
        String uploaded = key.substring(0, key.lastIndexOf('/')) + "/upload";

        // When: the staged file's folder exists once it is staged; the tree goes beside it
        try (HostSession session = open()) {
            session.stageFile(key, large);
            session.upload(tree, uploaded);
        }

        // Then
        assertThat(Files.readAllBytes(host.onDisk(key))).isEqualTo(large);
        assertThat(Files.readAllBytes(host.onDisk(uploaded).resolve("objects/pack/pack-1.pack")))
                .isEqualTo(large);
    }

    @Test
    void stagingOverAnExistingFileRenamesANewOneOverIt() throws Exception {
        // Given: an older key, world-readable in a 0755 folder, that a reader has open
        Path file = host.onDisk(host.path(KEY));
        Files.createDirectories(file.getParent());
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(file, "AGE-SECRET-KEY-1OLD\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Object oldFile = identity(file);

        try (FileChannel reader = FileChannel.open(file);
                HostSession session = open()) {
            // When
            boolean written = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1NEW\n"));

            // Then: the path has the new key with the new modes; the open reader still sees the whole old key
            assertThat(written).isTrue();
            assertThat(Files.readString(file)).isEqualTo("AGE-SECRET-KEY-1NEW\n");
            assertThat(identity(file)).isNotEqualTo(oldFile);
            assertThat(read(reader)).isEqualTo("AGE-SECRET-KEY-1OLD\n");
        }
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(file.getParent())).isEqualTo("rwx------");
        assertThat(names(file.getParent())).containsExactly("key.txt");
    }

    @Test
    void stagingTheSameContentAgainWritesNothing() throws Exception {
        try (HostSession session = open()) {
            // Given
            session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1SAME\n"));
            Path file = host.onDisk(host.path(KEY));
            Object staged = identity(file);
            var modified = Files.getLastModifiedTime(file);

            // When
            boolean written = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1SAME\n"));

            // Then
            assertThat(written).isFalse();
            assertThat(identity(file)).isEqualTo(staged);
            assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
            assertThat(names(file.getParent())).containsExactly("key.txt");
        }
    }

    @Test
    void stagingChangedContentRewritesTheFileEvenWhenOneStartsWithTheOther() throws Exception {
        try (HostSession session = open()) {
            // Given
            session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1ABC\n"));

            // When: a longer key that starts with the staged one, then the staged one again
            boolean longer = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1ABC\nAGE-SECRET-KEY-1DEF\n"));
            boolean shorter = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1ABC\n"));

            // Then: both were written, and nothing of the longer one is left over
            assertThat(longer).isTrue();
            assertThat(shorter).isTrue();
            assertThat(Files.readString(host.onDisk(host.path(KEY)))).isEqualTo("AGE-SECRET-KEY-1ABC\n");
        }
    }

    @Test
    void stagingIntoAFolderThatLinksElsewhereWritesIntoTheLinksTarget() throws Exception {
        // Given: the key's folder is a link with an absolute target, as impermanence setups make it on NixOS
        Files.createDirectories(host.onDisk(host.path("/persist/sops-nix")));
        link("/var/lib/sops-nix", "/persist/sops-nix");

        // When
        boolean written;
        try (HostSession session = open()) {
            written = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1PERSIST\n"));
        }

        // Then
        Path target = host.onDisk(host.path("/persist/sops-nix/key.txt"));
        assertThat(written).isTrue();
        assertThat(Files.isSymbolicLink(host.onDisk(host.path("/var/lib/sops-nix"))))
                .isTrue();
        assertThat(Files.readString(target)).isEqualTo("AGE-SECRET-KEY-1PERSIST\n");
        assertThat(mode(target)).isEqualTo("rw-------");
        assertThat(mode(target.getParent())).isEqualTo("rwx------");
    }

    @Test
    void aKeyThatIsALinkToTheSameContentIsLeftAsItIs() throws Exception {
        // Given
        Path target = host.onDisk(host.path("/etc/static/sops-key.txt"));
        Files.createDirectories(target.getParent());
        Files.writeString(target, "AGE-SECRET-KEY-1LINKED\n");
        Path key = link(KEY, "/etc/static/sops-key.txt");

        // When
        boolean written;
        try (HostSession session = open()) {
            written = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1LINKED\n"));
        }

        // Then
        assertThat(written).isFalse();
        assertThat(Files.isSymbolicLink(key)).isTrue();
    }

    @Test
    void aKeyThatIsALinkToOtherContentIsReplacedByAFileAndTheTargetIsLeftAlone() throws Exception {
        // Given
        Path target = host.onDisk(host.path("/etc/static/sops-key.txt"));
        Files.createDirectories(target.getParent());
        Files.writeString(target, "AGE-SECRET-KEY-1LINKED\n");
        Path key = link(KEY, "/etc/static/sops-key.txt");

        // When
        boolean written;
        try (HostSession session = open()) {
            written = session.stageFile(host.path(KEY), bytes("AGE-SECRET-KEY-1NEW\n"));
        }

        // Then
        assertThat(written).isTrue();
        assertThat(Files.isSymbolicLink(key)).isFalse();
        assertThat(Files.readString(key)).isEqualTo("AGE-SECRET-KEY-1NEW\n");
        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(Files.readString(target)).isEqualTo("AGE-SECRET-KEY-1LINKED\n");
    }

    @Test
    void anotherServerWithAnotherHostKeyAtThePinnedAddressIsRefused() throws Exception {
        // Given: the host is pinned at first contact
        open().close();
        HostKeyPins.Pin pinned = pins.pinned(HOST).orElseThrow();
        assertThat(pinned).isEqualTo(HostKeyPins.pinOf(host.hostKey()));

        // When: the address now leads to another server with its own host key
        another = start(dir.resolve("another"), runner.publicKey());
        HostKeyChangedException e = catchThrowableOfType(
                HostKeyChangedException.class, () -> hosts(another).open(HOST, another.user(), ADDRESS));

        // Then
        assertThat(e).isNotNull();
        assertThat(e.pinned()).isEqualTo(pinned.fingerprint());
        assertThat(e.seen()).isEqualTo(HostKeyPins.pinOf(another.hostKey()).fingerprint());
        assertThat(e.getMessage()).contains(HOST, "HOST KEY CHANGED", "Nothing was activated");
        assertThat(pins.pinned(HOST)).contains(pinned);
    }

    /** Makes the host path {@code hostPath} a link whose target is the absolute host path {@code target}. */
    private Path link(String hostPath, String target) throws IOException {
        Path link = host.onDisk(host.path(hostPath));
        Files.createDirectories(link.getParent());
        return Files.createSymbolicLink(link, Path.of(host.path(target)));
    }

    private SshjHosts hosts(ContractHost at) {
        return new SshjHosts(
                runner.privateKeyFile(),
                AddressMap.parse(ADDRESS + "=127.0.0.1:" + at.port(), "handoff.converge.addresses"),
                pins,
                FirstContact.PIN,
                Duration.ofSeconds(10));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** The file's identity on disk (device and inode): a rename gives a new one, a rewrite in place keeps it. */
    private static Object identity(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    /** The names in {@code dir}: a temporary file left behind would show here. */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
