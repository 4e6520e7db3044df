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

    /** The armored age files of the vector's two age entries, in order. */
    private static List<String> wrappedKeys() {
        return java.util.regex.Pattern.compile(
                        "-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----",
                        java.util.regex.Pattern.DOTALL)
                .matcher(VECTOR)
                .results()
                .map(java.util.regex.MatchResult::group)
                .toList();
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

    @Test
    void halfAMillionPlaintextValuesGiveAHundredFindingsAndOneCount() {
        // Given: about 1 MiB of one-character values, each a plaintext value the rules say must be encrypted
        String huge = "a: [" + "1,".repeat(499_999) + "1]\n";
        assertThat((long) huge.length()).isLessThanOrEqualTo(SopsFile.DEFAULT_MAX_BYTES);

        // When
        SopsFile file = assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> SopsFile.inspect("big.yaml", huge.getBytes(StandardCharsets.UTF_8), SopsFile.DEFAULT_MAX_BYTES));

        // Then
        List<SopsFinding> findings = file.findings();
        assertThat(findings).hasSize(SopsFile.MAX_FINDINGS_PER_FILE + 1);
        assertThat(findings.get(1).subject()).isEqualTo("big.yaml#a");
        SopsFinding last = findings.get(findings.size() - 1);
        assertThat(last.code()).isEqualTo("more-findings");
        assertThat(last.message()).contains("big.yaml").contains("499901 more findings");
        assertThat(findings.stream().mapToInt(f -> f.message().length()).sum()).isLessThan(40_000);
    }

    @Test
    void veryLongKeyIsShortenedInFindings() {
        // Given
        String key = "k".repeat(40_000);

        // When
        SopsFile file = inspect("long.json", "{\"" + key + "\": \"plain\"}");

        // Then
        assertThat(codes(file)).contains("unencrypted-value");
        assertThat(file.findings().toString().length()).isLessThan(5_000);
        assertThat(file.findings().get(file.findings().size() - 1).message()).contains("40000 characters");
    }

    @Test
    void stanzaLabelledForAnotherRecipientButWrappedForTheValidationIdentityIsReported() {
        // Given: the entry labelled for the second recipient (say, the host) holds a copy of the first one's key
        List<String> wrapped = wrappedKeys();
        String forged = VECTOR.replace(wrapped.get(1), wrapped.get(0));
        assertThat(forged).isNotEqualTo(VECTOR);
        SopsFile file = inspect("s.yaml", forged);

        // When
        SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(file.recipients()).contains("age1a8pk4akrdamj7nvqy3zywgtny8dxz7t5xzu7u8v9mhrayp9freqsqatyrs");
        assertThat(result.macVerified()).isFalse();
        assertThat(result.findings()).extracting(SopsFinding::code).containsExactly("recipient-mislabelled");
        assertThat(result.findings().get(0).message())
                .contains("labelled age1a8pk4akrdamj7nvqy3zywgtny8dxz7t5xzu7u8v9mhrayp9freqsqatyrs")
                .contains("cannot decrypt")
                .contains("sops updatekeys s.yaml");
    }

    @Test
    void stanzasWithSwappedLabelsAreReportedBothWays() {
        // Given: the two entries' wrapped keys swapped, labels left in place
        List<String> wrapped = wrappedKeys();
        String first = wrapped.get(0);
        String second = wrapped.get(1);
        String swapped = VECTOR.replace(first, "@FIRST@").replace(second, first).replace("@FIRST@", second);
        SopsFile file = inspect("s.yaml", swapped);

        // When
        SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(result.macVerified()).isFalse();
        assertThat(result.findings())
                .extracting(SopsFinding::code)
                .containsExactly("recipient-mislabelled", "recipient-mislabelled");
        assertThat(result.findings().get(0).message())
                .contains(
                        "validation identity's recipient age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw")
                .contains("does not open");
    }

    @Test
    void valueWhoseTypeWasChangedIsRefusedAsSopsRefusesIt() {
        for (String type : List.of("int", "float", "bool", "time", "comment")) {
            // Given: test_key's type changed; the type is outside the authenticated data
            String changed = VECTOR.replace(
                    "tag:R97qy4fKneU7D9UFhXNvgA==,type:str]", "tag:R97qy4fKneU7D9UFhXNvgA==,type:" + type + "]");
            SopsFile file = inspect("s.yaml", changed);

            // When
            SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

            // Then
            assertThat(file.findings()).as(type).isEmpty();
            assertThat(result.macVerified()).as(type).isFalse();
            assertThat(result.findings())
                    .extracting(SopsFinding::code, SopsFinding::subject)
                    .as(type)
                    .startsWith(org.assertj.core.groups.Tuple.tuple("value-type-invalid", "s.yaml#test_key"));
            assertThat(result.findings().get(0).message())
                    .contains("test_key (line 1)")
                    .contains("type:" + type)
                    .contains("set the value again with sops");
            assertThat(result.findings().toString()).doesNotContain("test_value");
        }
    }

    @Test
    void changedTypeWhosePlaintextStillParsesFailsTheMacOnSopssCanonicalForm() throws Exception {
        // Given: str values "007" and "1.50", MAC over them as written; then marked int and float
        String data = "n: " + VectorFixture.enc("007", "n:", "int") + "\n" + "f: "
                + VectorFixture.enc("1.50", "f:", "float") + "\n";
        String text = VectorFixture.file(data, "2021-09-30T19:49:41Z", "2021-09-30T19:49:41Z", List.of("007", "1.50"));
        SopsFile file = inspect("s.yaml", text);

        // When: sops hashes strconv.Itoa(Atoi("007")) = "7" and FormatFloat(1.5) = "1.5"
        SopsDecryption.Result result = SopsDecryption.verify(file, Vectors.identity());

        // Then
        assertThat(result.macVerified()).isFalse();
        assertThat(result.findings()).extracting(SopsFinding::code).containsExactly("mac-mismatch");
        assertThat(result.findings().get(0).message()).contains("types");
    }
}
