package dev.handoff.sops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real sops-produced vectors of sops-nix: structure, recipients, decryption, MAC, and tampering. */
class SopsNixVectorTest {
    private static final String YAML = "secrets.yaml";

    @Test
    void yamlVectorDecryptsToTheDocumentedValuesAndItsMacVerifies() {
        // Given
        SopsFile file = SopsFile.inspect(YAML, Vectors.bytes(YAML), SopsFile.DEFAULT_MAX_BYTES);

        // When
        Map<String, List<String>> values = SopsDecryption.values(file, Vectors.identity());
        SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(file.findings()).isEmpty();
        assertThat(values)
                .containsExactly(
                        Map.entry("test_key", List.of("test_value")),
                        Map.entry("a_list", List.of("e1", "e3")),
                        Map.entry("nested/test/file", List.of("another value")));
        assertThat(result.macVerified()).isTrue();
        assertThat(result.findings()).isEmpty();
    }

    @Test
    void yamlVectorStructureRecipientsAndKeyPathsAreReadWithoutAKey() {
        // When
        SopsFile file = SopsFile.inspect(YAML, Vectors.bytes(YAML), SopsFile.DEFAULT_MAX_BYTES);

        // Then
        assertThat(file.recipients())
                .containsExactly(
                        "age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw",
                        "age1a8pk4akrdamj7nvqy3zywgtny8dxz7t5xzu7u8v9mhrayp9freqsqatyrs");
        assertThat(file.keyPaths()).containsExactly("test_key", "a_list", "nested/test/file");
        assertThat(file.metadata().orElseThrow().lastModified()).contains("2021-09-30T19:49:41Z");
        assertThat(file.metadata().orElseThrow().otherKeyTypes()).containsExactly("pgp");
        assertThat(file.has("nested/test/file")).isTrue();
        assertThat(file.has("nested/test/other")).isFalse();
        assertThat(Vectors.identity().recipients())
                .containsExactly("age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw");
    }

    @Test
    void oneChangedCharacterInAValueFailsOnThatValueAndTheMac() {
        // Given: one character of test_key's ciphertext changed
        String original = Vectors.text(YAML);
        String tampered = original.replace("data:2mP+IAdczoEr0g==", "data:2mQ+IAdczoEr0g==");
        assertThat(tampered).isNotEqualTo(original);
        SopsFile file = SopsFile.inspect(YAML, tampered.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES);

        // When
        SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(file.findings()).isEmpty();
        assertThat(result.macVerified()).isFalse();
        assertThat(result.findings())
                .extracting(SopsFinding::code, SopsFinding::subject)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("value-tampered", "secrets.yaml#test_key"),
                        org.assertj.core.groups.Tuple.tuple("mac-mismatch", "secrets.yaml"));
        assertThat(result.findings().get(1).message()).contains("first bad value: test_key");
    }

    @Test
    void everySingleCharacterChangeOfEveryValueIsCaught() {
        // Given: each ENC value of the data, with the first base64 character of its data, iv or tag changed
        String original = Vectors.text(YAML);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(data|iv|tag):([A-Za-z0-9+/])")
                .matcher(original.substring(0, original.indexOf("sops:")));
        int cases = 0;
        while (m.find()) {
            int at = m.start(2);
            char c = original.charAt(at);
            String tampered = original.substring(0, at) + (c == 'A' ? 'B' : 'A') + original.substring(at + 1);
            SopsFile file =
                    SopsFile.inspect(YAML, tampered.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES);

            // When
            SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

            // Then
            assertThat(result.macVerified()).as("change at offset %d", at).isFalse();
            assertThat(result.findings())
                    .extracting(SopsFinding::code)
                    .as("change at offset %d", at)
                    .contains("value-tampered", "mac-mismatch");
            cases++;
        }
        assertThat(cases).isEqualTo(12);
    }

    @Test
    void changedKeyNameFailsBecauseTheKeyPathIsAuthenticated() {
        // Given
        String tampered = Vectors.text(YAML).replace("test_key:", "test_kez:");
        SopsFile file = SopsFile.inspect(YAML, tampered.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES);

        // When
        SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(result.findings()).extracting(SopsFinding::subject).contains("secrets.yaml#test_kez");
    }

    @Test
    void jsonVectorIsStructurallyValidButHasNoAgeRecipient() {
        // When
        SopsFile file = SopsFile.inspect("secrets.json", Vectors.bytes("secrets.json"), SopsFile.DEFAULT_MAX_BYTES);
        SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(file.findings()).isEmpty();
        assertThat(file.keyPaths()).containsExactly("test_key");
        assertThat(file.recipients()).isEmpty();
        assertThat(file.metadata().orElseThrow().otherKeyTypes()).containsExactly("pgp");
        assertThat(file.metadata().orElseThrow().lastModifiedInstant())
                .contains(java.time.Instant.parse("2020-07-03T08:21:21Z"));
        assertThat(result.macVerified()).isFalse();
        assertThat(result.findings()).extracting(SopsFinding::code).containsExactly("identity-cannot-decrypt");
    }
}
