package dev.handoff.backup.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** restic output that is not restic's is refused as such, never with a parse error from deep inside the run. */
class SnapshotsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void snapshotWithoutAnRfc3339TimeIsRefusedAsNotResticOutput() throws Exception {
        // Given: a host controls its repository's snapshots
        String snapshots = "[{\"id\": \"a\", \"time\": \"yesterday\", \"paths\": [\"/var/lib\"]}]";

        // Then
        assertThatThrownBy(() -> Snapshots.newest(JSON.readTree(snapshots)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RFC 3339 time");
    }

    @Test
    void newestOfValidOutputIsFound() throws Exception {
        // Given
        String snapshots = "[{\"id\": \"old\", \"time\": \"2026-11-24T10:00:00Z\"},"
                + " {\"id\": \"new\", \"time\": \"2026-11-25T10:00:00.5+01:00\", \"paths\": [\"/var/lib\"]}]";

        // Then
        assertThat(Snapshots.newest(JSON.readTree(snapshots)))
                .hasValueSatisfying(s -> assertThat(s.id()).isEqualTo("new"));
    }

    @Test
    void lsLineThatIsNotJsonIsRefused() {
        assertThatThrownBy(() -> Snapshots.nodePaths("{\"struct_type\":\"snapshot\"}\nnot json\n", JSON))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
