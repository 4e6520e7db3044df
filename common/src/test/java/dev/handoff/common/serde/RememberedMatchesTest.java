package dev.handoff.common.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.regex.RegularExpression;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RememberedMatchesTest {
    /** The contract's guard against key material in secret facts, unanchored as in the schemas. */
    private static final String KEY_MATERIAL =
            "AGE-SECRET-KEY-1|-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|ENC\\[[A-Z0-9_]+,data:|tskey-[a-z]+-[A-Za-z0-9]";

    @Test
    void answersAsTheJdkEngineDoesTheFirstTimeAndEveryTimeAfter() {
        RegularExpression remembered = RememberedMatches.INSTANCE.getRegularExpression(KEY_MATERIAL);
        Pattern jdk = Pattern.compile(KEY_MATERIAL);
        List<String> values = List.of(
                "age1hertwth83cg52aqx2ngghkpldgglgn6n5znmy3dhh7ulsm54462qlj272t",
                "AGE-SECRET-KEY-1QQQQ",
                "x tskey-auth-k123",
                "ENC[AES256_GCM,data:abc",
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "hosts/cloud-edge-1.yaml",
                "");
        for (int round = 0; round < 3; round++) {
            for (String v : values) {
                assertThat(remembered.matches(v)).as(v).isEqualTo(jdk.matcher(v).find());
            }
        }
    }

    @Test
    void aLongStringIsAlwaysSearchedAndNeverRemembered() {
        RememberedMatches.Remembering remembered =
                (RememberedMatches.Remembering) RememberedMatches.INSTANCE.getRegularExpression(KEY_MATERIAL);
        String longValue = "a".repeat(RememberedMatches.LONGEST) + "AGE-SECRET-KEY-1";
        assertThat(remembered.matches(longValue)).isTrue();
        assertThat(remembered.matches(longValue.substring(0, RememberedMatches.LONGEST + 1)))
                .isFalse();
        assertThat(remembered.remembered()).isZero();
    }

    @Test
    void itsMemoryStaysBoundedWhateverItMeets() {
        RememberedMatches.Remembering remembered =
                (RememberedMatches.Remembering) RememberedMatches.INSTANCE.getRegularExpression("^[a-z]+$");
        Random random = new Random(7);
        for (int i = 0; i < RememberedMatches.REMEMBERED * 3; i++) {
            String v = Long.toString(random.nextLong(), 36);
            assertThat(remembered.matches(v)).isEqualTo(v.matches("[a-z]+"));
            assertThat(remembered.remembered()).isLessThanOrEqualTo(RememberedMatches.REMEMBERED);
        }
    }
}
