package dev.handoff.workload.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.workload.stage.FolderEntry.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestFolderTest {
    private static final String DIR = "/var/lib/rancher/k3s/server/manifests";
    private static final String STORE = "/nix/store/0a5b-k3s-manifest-";

    @Test
    void linksIntoTheStoreAreReadLikeFilesAndOtherNamesAreSkipped() {
        // Given
        List<FolderEntry> entries = List.of(
                FolderEntry.link("rustdesk.yaml", STORE + "rustdesk.yaml", Kind.FILE),
                FolderEntry.plain("extra.yml", Kind.FILE),
                FolderEntry.plain(".rustdesk.yaml.tmp", Kind.FILE),
                FolderEntry.plain("README", Kind.FILE),
                FolderEntry.plain("old.yaml", Kind.DIRECTORY));

        // When
        ManifestFolder.Listing listing = ManifestFolder.judge("cloud-edge-1", DIR, entries, List.of("rustdesk"));

        // Then
        assertThat(listing.files()).containsExactly("extra.yml", "rustdesk.yaml");
        assertThat(listing.unreadable()).isEmpty();
        assertThat(listing.missing()).isEmpty();
    }

    @Test
    void aDanglingLinkIsReportedWithItsTargetAndTheFixNotAsAMissingManifest() {
        // Given
        List<FolderEntry> entries =
                List.of(FolderEntry.unresolved("rustdesk.yaml", STORE + "rustdesk.yaml", "does not exist"));

        // When
        ManifestFolder.Listing listing = ManifestFolder.judge("cloud-edge-1", DIR, entries, List.of("rustdesk"));

        // Then
        assertThat(listing.files()).isEmpty();
        assertThat(listing.missing()).isEmpty();
        Detail unreadable = listing.unreadable().get(0);
        assertThat(unreadable.code()).isEqualTo("manifest-unreadable");
        assertThat(unreadable.subject()).isEqualTo(DIR + "/rustdesk.yaml");
        assertThat(unreadable.message())
                .contains(
                        "cloud-edge-1",
                        "symbolic link to " + STORE + "rustdesk.yaml",
                        "does not exist",
                        "store path is missing",
                        "Re-run the activation",
                        "services.k3s.manifests.rustdesk");
    }

    @Test
    void aLinkToAFolderIsReportedAsNoManifestFile() {
        // Given
        List<FolderEntry> entries = List.of(FolderEntry.link("charts.yaml", "/nix/store/0c7d-charts", Kind.DIRECTORY));

        // When
        ManifestFolder.Listing listing = ManifestFolder.judge("cloud-edge-1", DIR, entries, List.of());

        // Then
        assertThat(listing.unreadable())
                .singleElement()
                .satisfies(d -> assertThat(d.message())
                        .contains("symbolic link to /nix/store/0c7d-charts", "is a folder, not a manifest file"));
    }

    @Test
    void aListedWorkloadWithoutManifestIsMissing() {
        // When
        ManifestFolder.Listing listing = ManifestFolder.judge(
                "cloud-edge-1", DIR, List.of(FolderEntry.plain("other.yaml", Kind.FILE)), List.of("rustdesk"));

        // Then
        assertThat(listing.missing()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("manifest-missing");
            assertThat(d.subject()).isEqualTo(DIR + "/rustdesk.yaml");
        });
    }

    @Test
    void aListedWorkloadWhoseManifestHoldsNoObjectIsEmptyAnUnlistedOneIsNot() {
        // When
        List<Detail> empty = ManifestFolder.empty(
                "cloud-edge-1", DIR, List.of("rustdesk"), Map.of("rustdesk.yaml", 0, "notes.yaml", 0));

        // Then
        assertThat(empty).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("manifest-empty");
            assertThat(d.subject()).isEqualTo(DIR + "/rustdesk.yaml");
            assertThat(d.message()).contains("cloud-edge-1", "holds no Kubernetes object");
        });
        assertThat(ManifestFolder.empty("cloud-edge-1", DIR, List.of("rustdesk"), Map.of("rustdesk.yaml", 3)))
                .isEmpty();
    }
}
