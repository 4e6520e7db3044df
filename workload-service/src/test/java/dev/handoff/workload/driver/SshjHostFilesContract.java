package dev.handoff.workload.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.workload.stage.FolderEntry;
import dev.handoff.workload.stage.FolderEntry.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@link SshjHostFiles} reads from a host laid out as NixOS lays out K3s's manifests folder: a regular file, a
 * symbolic link into the store (as nixpkgs' k3s module links {@code services.k3s.manifests}), a link whose store path
 * is gone, a link to a folder and a subfolder; files at and over the read limit. Each SSH server the driver meets
 * (real OpenSSH, the lab's simulated node) runs these same tests in a subclass, so the lab answers as OpenSSH does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SshjHostFilesContract {
    /** The read limit the driver is built with here. */
    static final long LIMIT = 4096;

    private static final String MANIFEST = "apiVersion: v1\nkind: Namespace\nmetadata: {name: rustdesk}\n";

    private Path work;
    private HostFiles files;
    private String store;
    private String manifests;
    private String etc;

    /** Starts the SSH server with {@code work} as its folder and returns the base of the host paths used. */
    abstract String start(Path work) throws Exception;

    /** The local file that stands for the host path {@code hostPath}. */
    abstract Path local(String hostPath);

    /** Makes {@code link} a symbolic link to {@code target} (host paths) as that host's links are made. */
    abstract void link(String link, String target) throws IOException;

    /** Opens a connection with the driver under test, reading at most {@link #LIMIT} bytes of a file. */
    abstract HostFiles open() throws SshException;

    abstract void stop();

    @BeforeAll
    void startServerAndLayOutTheHost() throws Exception {
        work = Files.createTempDirectory("sshj-host-files");
        String base = start(work);
        store = base + "/nix/store";
        manifests = base + "/var/lib/rancher/k3s/server/manifests";
        etc = base + "/etc";
        write(store + "/0a5b-k3s-manifest-rustdesk.yaml", MANIFEST);
        Files.createDirectories(local(store + "/0c7d-charts"));
        write(manifests + "/plain.yaml", MANIFEST);
        link(manifests + "/rustdesk.yaml", store + "/0a5b-k3s-manifest-rustdesk.yaml");
        link(manifests + "/gone.yaml", store + "/0e9f-k3s-manifest-gone.yaml");
        link(manifests + "/charts.yaml", store + "/0c7d-charts");
        Files.createDirectories(local(manifests + "/sub"));
        write(etc + "/exact.yaml", "x".repeat((int) LIMIT));
        write(etc + "/big.yaml", "x".repeat((int) LIMIT + 1));
        link(etc + "/big-link.yaml", etc + "/big.yaml");
    }

    @BeforeEach
    void connect() throws SshException {
        files = open();
    }

    @AfterEach
    void disconnect() {
        files.close();
    }

    @AfterAll
    void stopServer() throws IOException {
        stop();
        try (Stream<Path> walk = Files.walk(work)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aFolderListsFilesAndLinksToFilesAsFilesAndEveryOtherLinkWithItsTarget() throws Exception {
        // When
        var entries = files.list(manifests);

        // Then
        assertThat(entries)
                .containsExactly(
                        FolderEntry.link("charts.yaml", store + "/0c7d-charts", Kind.DIRECTORY),
                        FolderEntry.unresolved("gone.yaml", store + "/0e9f-k3s-manifest-gone.yaml", "does not exist"),
                        FolderEntry.plain("plain.yaml", Kind.FILE),
                        FolderEntry.link("rustdesk.yaml", store + "/0a5b-k3s-manifest-rustdesk.yaml", Kind.FILE),
                        FolderEntry.plain("sub", Kind.DIRECTORY));
    }

    @Test
    void aLinkIntoTheStoreReadsAsTheStoreFile() throws Exception {
        // When
        Optional<byte[]> content = files.read(manifests + "/rustdesk.yaml");

        // Then
        assertThat(content).map(b -> new String(b, StandardCharsets.UTF_8)).contains(MANIFEST);
    }

    @Test
    void aDanglingLinkAndAMissingFileReadAsAbsent() throws Exception {
        // When / Then
        assertThat(files.read(manifests + "/gone.yaml")).isEmpty();
        assertThat(files.read(manifests + "/never.yaml")).isEmpty();
    }

    @Test
    void aFolderThatDoesNotExistListsNothing() throws Exception {
        // When / Then
        assertThat(files.list(manifests + "/never")).isEmpty();
    }

    @Test
    void aFileOfExactlyTheLimitIsRead() throws Exception {
        // When
        Optional<byte[]> content = files.read(etc + "/exact.yaml");

        // Then
        assertThat(content).map(b -> b.length).contains((int) LIMIT);
    }

    @Test
    void aFileOverTheLimitIsRefusedNamingItsPathSizeTheLimitAndTheSetting() {
        for (String path : new String[] {etc + "/big.yaml", etc + "/big-link.yaml"}) {
            // When / Then
            assertThatThrownBy(() -> files.read(path))
                    .as(path)
                    .isInstanceOfSatisfying(HostFileTooLargeException.class, e -> {
                        assertThat(e.path()).isEqualTo(path);
                        assertThat(e.size()).isEqualTo(LIMIT + 1);
                        assertThat(e.limit()).isEqualTo(LIMIT);
                    })
                    .hasMessageContaining(path)
                    .hasMessageContaining((LIMIT + 1) + " bytes")
                    .hasMessageContaining("limit of " + LIMIT + " bytes")
                    .hasMessageContaining("handoff.workload.max-host-file-size");
        }
    }

    @Test
    void readingAFolderFailsSayingItIsNoRegularFile() {
        // When / Then
        assertThatThrownBy(() -> files.read(manifests + "/charts.yaml"))
                .isInstanceOf(SshException.class)
                .hasMessageContaining(manifests + "/charts.yaml")
                .hasMessageContaining("not a regular file");
    }

    private void write(String hostPath, String content) throws IOException {
        Path file = local(hostPath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** Host key pins in memory. */
    static final class MemoryPins implements HostKeyPins {
        private final Map<String, Pin> pins = new ConcurrentHashMap<>();

        @Override
        public Optional<Pin> pinned(String host) {
            return Optional.ofNullable(pins.get(host));
        }

        @Override
        public void pin(String host, Pin pin) {
            pins.putIfAbsent(host, pin);
        }
    }
}
