package dev.handoff.control.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForgejoPushTest {

    private static ForgejoPush parse(String json) throws ForgejoPush.MalformedPushException {
        return ForgejoPush.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void malformedPayloadsNameTheProblem() {
        assertThatThrownBy(() -> parse("{not json"))
                .isInstanceOf(ForgejoPush.MalformedPushException.class)
                .hasMessageStartingWith("the body is not valid JSON");
        assertThatThrownBy(() -> parse("[]")).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> parse("{\"after\":\"" + "a".repeat(40) + "\"}"))
                .hasMessage("field 'ref' is missing or not a string");
        assertThatThrownBy(() -> parse("{\"ref\":\"refs/heads/main\",\"after\":\"xyz\"}"))
                .hasMessage("field 'after' must be a commit SHA (40 or 64 hex characters)");
        assertThatThrownBy(() -> parse("{\"ref\":\"refs/heads/main\",\"after\":\"" + "a".repeat(40) + "\"}"))
                .hasMessage("field 'repository' is missing or not an object");
        assertThatThrownBy(() ->
                        parse("{\"ref\":\"refs/heads/main\",\"after\":\"" + "a".repeat(40) + "\",\"repository\":{}}"))
                .hasMessage("field 'repository.full_name' is missing or not a string");
    }

    @Test
    void readsBranchAndDeletion() throws Exception {
        ForgejoPush push = parse("{\"ref\":\"refs/heads/main\",\"after\":\"" + "0".repeat(40)
                + "\",\"repository\":{\"full_name\":\"ops/x\"},\"commits\":[]}");
        assertThat(push.branch()).isEqualTo("main");
        assertThat(push.deletesRef()).isTrue();
        assertThat(push.commitCount()).isZero();
        assertThat(push.headCommit()).isNull();
    }
}
