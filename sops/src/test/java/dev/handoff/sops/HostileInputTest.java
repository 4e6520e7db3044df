package dev.handoff.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input gives findings that name the file and the problem: never an exception, a hang or a quoted value. */
class HostileInputTest {
    private static final String VECTOR = Vectors.text("secrets.yaml");

    private static SopsFile inspect(String path, String text) {
        return assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> SopsFile.inspect(path, text.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES));
    }

    private static List<String> codes(SopsFile file) {
        return file.findings().stream().map(SopsFinding::code).toList();
    }

    @Test
    void plainYamlWithSecretsIsNotSopsAndItsValuesAreNamedNotQuoted() {
        // When
        SopsFile file = inspect("hosts/a.yaml", "db:\n  password: hunter2-plaintext\n");

        // Then
        assertThat(codes(file)).containsExactly("not-sops", "unencrypted-value");
        assertThat(file.findings().get(1).subject()).isEqualTo("hosts/a.yaml#db/password");
        assertThat(file.findings().toString()).doesNotContain("hunter2");
    }

    @Test
    void truncatedEncValueIsMalformed() {
        // Given
        String truncated = VECTOR.replace("tag:R97qy4fKneU7D9UFhXNvgA==,type:str]", "tag:R97qy4fKneU7D9UFhXNvgA==");

        // When
        SopsFile file = inspect("s.yaml", truncated);

        // Then
        assertThat(codes(file)).containsExactly("malformed-value");
        assertThat(file.findings().get(0).subject()).isEqualTo("s.yaml#test_key");
        assertThat(file.findings().get(0).message()).contains("line 1").contains("truncated");
    }

    @Test
    void nonBase64AndShortIvAreMalformed() {
        // Given
        String bad = VECTOR.replace("data:2mP+IAdczoEr0g==", "data:2mP*IAdczoEr0g==")
                .replace("iv:5P+1UQyIYOW8xXgsvTXC17msGcA6IGB3N8n+pstfqjo=", "iv:5P+1UQ==");

        // When
        SopsFile file = inspect("s.yaml", bad);

        // Then
        assertThat(file.findings())
                .extracting(SopsFinding::subject, SopsFinding::code)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s.yaml#test_key", "malformed-value"),
                        org.assertj.core.groups.Tuple.tuple("s.yaml#a_list", "malformed-value"));
        assertThat(file.findings().get(0).message()).contains("base64");
        assertThat(file.findings().get(1).message()).contains("iv").contains("32 bytes");
    }

    @Test
    void unknownTypeIsMalformed() {
        // When
        SopsFile file = inspect("s.yaml", VECTOR.replaceFirst("type:str]", "type:blob]"));

        // Then
        assertThat(codes(file)).containsExactly("malformed-value");
        assertThat(file.findings().get(0).message()).contains("unknown type blob");
    }

    @Test
    void missingMacIsReported() {
        // Given
        String noMac = VECTOR.replaceAll("(?m)^    mac: .*\\n", "");

        // When
        SopsFile file = inspect("s.yaml", noMac);
        SopsDecryption.Result verified = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(codes(file)).containsExactly("missing-mac");
        assertThat(verified.macVerified()).isFalse();
        assertThat(verified.findings()).extracting(SopsFinding::code).containsExactly("mac-not-verifiable");
    }

    @Test
    void duplicateKeysAreRefusedInYamlAndJson() {
        // When
        SopsFile yaml = inspect("d.yaml", "a: 1\nb: 2\na: 3\n");
        SopsFile json = inspect("d.json", "{\"a\": 1, \"a\": 2}");

        // Then
        assertThat(codes(yaml)).containsExactly("duplicate-key");
        assertThat(yaml.findings().get(0).message())
                .contains("d.yaml")
                .contains("duplicate key a")
                .contains("line 3");
        assertThat(codes(json)).containsExactly("duplicate-key");
    }

    @Test
    void yamlAliasBombFailsFastWithoutExpanding() {
        // Given: the "billion laughs" pattern
        StringBuilder bomb =
                new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char previous = 'a';
        for (char c = 'b'; c <= 'j'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append(previous);
            }
            bomb.append("]\n");
            previous = c;
        }

        // When
        SopsFile file = inspect("bomb.yaml", bomb.toString());

        // Then
        assertThat(codes(file)).containsExactly("yaml-aliases");
        assertThat(file.findings().get(0).subject()).isEqualTo("bomb.yaml");
    }

    @Test
    void aSingleAnchorIsRefusedToo() {
        // When
        SopsFile file = inspect("anchor.yaml", "a: &x hello\nb: *x\n");

        // Then
        assertThat(codes(file)).containsExactly("yaml-aliases");
    }

    @Test
    void fiftyMebibyteFileIsRefusedBeforeParsing() {
        // Given
        byte[] huge = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) 'a');

        // When
        SopsFile file = assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> SopsFile.inspect("big.yaml", huge, SopsFile.DEFAULT_MAX_BYTES));

        // Then
        assertThat(codes(file)).containsExactly("file-too-large");
        assertThat(file.findings().get(0).message()).contains("big.yaml").contains("52428800 bytes");
    }

    @Test
    void invalidYamlAndJsonNameTheLineAndNeverQuoteTheInput() {
        // When
        SopsFile yaml = inspect("bad.yaml", "a: b\n  c: \"secret-looking-text\n");
        SopsFile json = inspect("bad.json", "{\"a\": secret-looking-text}");
        SopsFile binary = SopsFile.inspect("bin.yaml", new byte[] {(byte) 0xff, (byte) 0xfe, 0}, 100);
        SopsFile list = inspect("list.yaml", "- a\n- b\n");
        SopsFile deep = inspect("deep.json", "[".repeat(200) + "]".repeat(200));
        SopsFile other = inspect("secrets.env", "A=b\n");

        // Then
        assertThat(codes(yaml)).containsExactly("invalid-yaml");
        assertThat(codes(json)).containsExactly("invalid-json");
        assertThat(codes(binary)).containsExactly("not-utf8");
        assertThat(codes(list)).containsExactly("not-a-mapping");
        assertThat(codes(deep)).containsExactly("too-deep");
        assertThat(codes(other)).containsExactly("unsupported-format");
        assertThat(List.of(yaml, json).toString() + yaml.findings() + json.findings())
                .doesNotContain("secret-looking-text");
    }

    @Test
    void plaintextLeafBesideEncryptedOnesIsNamed() {
        // Given: a value added by hand without sops
        String edited = VECTOR.replace("nested:\n", "extra:\n    token: plain-extra-token\nnested:\n");

        // When
        SopsFile file = inspect("s.yaml", edited);
        SopsDecryption.Result verified = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(file.findings()).extracting(SopsFinding::subject).containsExactly("s.yaml#extra/token");
        assertThat(verified.findings()).extracting(SopsFinding::code).containsExactly("mac-mismatch");
        assertThat(file.findings().toString() + verified.findings()).doesNotContain("plain-extra-token");
    }
}
