package dev.handoff.workload.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RustdeskKeyTest {
    private final RustdeskKey.DataDir dir;

    RustdeskKeyTest() throws Exception {
        List<RustdeskKey.DataDir> dirs =
                RustdeskKey.dataDirs(Manifests.parse("rustdesk.yaml", ManifestsTest.rustdesk()));
        dir = dirs.get(0);
    }

    @Test
    void bothRustdeskDeploymentsShareOneDataDirOwnedByHbbs() throws Exception {
        assertThat(RustdeskKey.dataDirs(Manifests.parse("rustdesk.yaml", ManifestsTest.rustdesk())))
                .extracting(RustdeskKey.DataDir::dataDir, d -> d.owner().subject())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("/var/lib/rustdesk", "Deployment/rustdesk/hbbs"));
    }

    @Test
    void theFingerprintIsSha256OfTheDecodedKey() {
        assertThat(RustdeskKey.fingerprint("AAAA\n".getBytes(StandardCharsets.US_ASCII)))
                .startsWith("SHA256:")
                .isEqualTo(RustdeskKey.fingerprint("AAAA".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theFirstKeyIsRecordedTheSameKeyPassesAChangedKeyFails() {
        // Given
        var known = Optional.of(new RustdeskKey.Known("SHA256:old", null, Instant.parse("2026-11-24T09:00:00Z")));

        // When
        var first = RustdeskKey.judge(dir, Optional.of("SHA256:old"), Optional.empty());
        var same = RustdeskKey.judge(dir, Optional.of("SHA256:old"), known);
        var changed = RustdeskKey.judge(dir, Optional.of("SHA256:new"), known);
        var missing = RustdeskKey.judge(dir, Optional.empty(), known);

        // Then
        assertThat(first.check().passed()).isTrue();
        assertThat(first.keep()).isTrue();
        assertThat(same.check().detail()).contains("unchanged since 2026-11-24T09:00:00Z");
        assertThat(changed.finding().orElseThrow().code()).isEqualTo("rustdesk-key-changed");
        assertThat(changed.finding().orElseThrow().message())
                .contains("SHA256:old", "SHA256:new", RustdeskKey.ROTATION_ANNOTATION);
        assertThat(changed.keep()).isFalse();
        assertThat(missing.finding().orElseThrow().code()).isEqualTo("rustdesk-key-missing");
    }

    @Test
    void aNewRotationValueAcceptsANewKeyOnceAndTheSameValueDoesNotAgain() {
        // Given
        RustdeskKey.DataDir rotated = new RustdeskKey.DataDir(dir.dataDir(), dir.owner(), "2026-11-25");
        var before = Optional.of(new RustdeskKey.Known("SHA256:old", null, Instant.now()));
        var after = Optional.of(new RustdeskKey.Known("SHA256:new", "2026-11-25", Instant.now()));

        // When
        var accepted = RustdeskKey.judge(rotated, Optional.of("SHA256:new"), before);
        var again = RustdeskKey.judge(rotated, Optional.of("SHA256:third"), after);

        // Then
        assertThat(accepted.check().passed()).isTrue();
        assertThat(accepted.check().detail()).contains("rotation \"2026-11-25\" declared");
        assertThat(again.finding().orElseThrow().code()).isEqualTo("rustdesk-key-changed");
    }
}
