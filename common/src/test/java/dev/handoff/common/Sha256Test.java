package dev.handoff.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

    @Test
    void matchesTheStandardVectorAndAFileGivesTheDigestOfItsBytes(@TempDir Path dir) throws Exception {
        // Given: FIPS 180-2's "abc", and a file larger than one read block
        byte[] large = "0123456789abcdef".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        Path file = Files.write(dir.resolve("state.tfstate.gz"), large);

        // Then
        assertThat(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.of(file)).isEqualTo(Sha256.of(large)).hasSize(64);
    }
}
