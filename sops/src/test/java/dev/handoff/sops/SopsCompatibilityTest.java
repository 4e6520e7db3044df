package dev.handoff.sops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The codec reads a file as Go's sops does: what sops accepts verifies, what sops refuses is a finding naming the
 * value and the fix. The expected plaintext forms are spelled out as Go writes them, not computed by the codec.
 */
class SopsCompatibilityTest {
    private static final String VECTOR = Vectors.text("secrets.yaml");
    private static final String LAST_MODIFIED = "2021-09-30T19:49:41Z";

    private static SopsFile inspect(String text) {
        return SopsFile.inspect("s.yaml", text.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES);
    }

    private static SopsDecryption.Result verify(String text) {
        return SopsDecryption.verify(inspect(text), Vectors.identity());
    }

    private static String testKey(String type) {
        return "test_key: " + VectorFixture.enc("test_value", "test_key:", type) + "\n";
    }

    @Test
    void unencryptedFloatsAreHashedInGosShortestPlainForm() throws Exception {
        // Given: floats whose Java 17 Double.toString is not the shortest round trip, and a negative zero
        String data = testKey("str")
                + "big_unencrypted: 1e+23\n"
                + "tiny_unencrypted: 5e-324\n"
                + "ratio_unencrypted: 8.41e+21\n"
                + "zero_unencrypted: -0.0\n";
        String file = VectorFixture.file(
                data,
                LAST_MODIFIED,
                LAST_MODIFIED,
                List.of(
                        "test_value",
                        "100000000000000000000000",
                        "0." + "0".repeat(323) + "5",
                        "8410000000000000000000",
                        "-0"));

        // When
        SopsDecryption.Result result = verify(file);

        // Then
        assertThat(inspect(file).findings()).isEmpty();
        assertThat(result.findings()).isEmpty();
        assertThat(result.macVerified()).isTrue();
    }

    @Test
    void lastModifiedIsNormalisedAsSopsDoesBeforeItAuthenticatesTheMac() throws Exception {
        // Given: sops parses lastmodified and writes it again (whole seconds, offset kept, Z for zero)
        String data = testKey("str");
        String fraction = VectorFixture.file(
                data, "2021-09-30T19:49:41.123456+00:00", "2021-09-30T19:49:41Z", List.of("test_value"));
        String offset = VectorFixture.file(
                data, "2021-09-30T21:49:41.9+02:00", "2021-09-30T21:49:41+02:00", List.of("test_value"));

        // When
        SopsDecryption.Result fractionResult = verify(fraction);
        SopsDecryption.Result offsetResult = verify(offset);

        // Then
        assertThat(fractionResult.findings()).isEmpty();
        assertThat(offsetResult.findings()).isEmpty();
        assertThat(inspect(offset).metadata().orElseThrow().lastModifiedInstant())
                .contains(java.time.Instant.parse("2021-09-30T19:49:41.9Z"));
    }

    @Test
    void lastModifiedThatSopsCannotParseIsRefused() {
        // Given: Java's ISO parser takes these, Go's time.Parse(RFC3339) does not
        for (String bad : List.of("2021-09-30t19:49:41z", "2021-09-30T19:49Z", "2021-02-30T19:49:41Z")) {
            String text = VECTOR.replace(LAST_MODIFIED, bad);

            // When
            SopsFile file = inspect(text);
            SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

            // Then
            assertThat(file.findings()).extracting(SopsFinding::code).as(bad).containsExactly("invalid-lastmodified");
            assertThat(file.findings().get(0).message())
                    .contains("sops.lastmodified")
                    .contains("Re-encrypt");
            assertThat(result.findings()).extracting(SopsFinding::code).as(bad).containsExactly("mac-not-verifiable");
        }
    }

    @Test
    void encValueWithTrailingSpacesDecryptsAsInSops() {
        // Given: a quoted value with spaces after the closing bracket (sops's pattern is anchored at the start only)
        String text = VECTOR.replaceFirst("(?m)^(test_key: )(ENC\\[.*\\])$", "$1\"$2   \"");
        assertThat(text).contains("type:str]   \"");

        // When
        SopsFile file = inspect(text);
        Map<String, List<String>> values = SopsDecryption.values(file, Vectors.identity());

        // Then
        assertThat(file.findings()).isEmpty();
        assertThat(values).containsEntry("test_key", List.of("test_value"));
    }

    @Test
    void unpaddedBase64IsRefusedInAValueAndInTheMacAsGosDecoderRefusesIt() {
        // Given: Java's decoder takes base64 without its padding, Go's StdEncoding does not
        String value = VECTOR.replace("data:oOQ=,", "data:oOQ,");
        String mac = VECTOR.replace("+TM=,iv:fwWjz", "+TM,iv:fwWjz");
        assertThat(mac).isNotEqualTo(VECTOR);

        // When
        SopsFile valueFile = inspect(value);
        SopsFile macFile = inspect(mac);

        // Then
        assertThat(valueFile.findings())
                .extracting(SopsFinding::code, SopsFinding::subject)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("malformed-value", "s.yaml#a_list"));
        assertThat(valueFile.findings().get(0).message()).contains("data").contains("padded base64");
        assertThat(macFile.findings()).extracting(SopsFinding::code).containsExactly("malformed-mac");
        assertThat(macFile.findings().get(0).message()).contains("sops.mac").contains("padded base64");
    }

    @Test
    void macWrittenInLowerCaseHexIsRefusedBecauseSopsComparesItExactly() throws Exception {
        // Given
        String file = VectorFixture.file(
                testKey("str"), LAST_MODIFIED, LAST_MODIFIED, List.of("test_value"), s -> s.toLowerCase());

        // When
        SopsDecryption.Result result = verify(file);

        // Then
        assertThat(result.macVerified()).isFalse();
        assertThat(result.findings()).extracting(SopsFinding::code).containsExactly("mac-mismatch");
    }
}
