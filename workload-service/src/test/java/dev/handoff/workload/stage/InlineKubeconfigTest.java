package dev.handoff.workload.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InlineKubeconfigTest {
    private static final String CA = "Q0EtREFUQQ==";
    private static final String CERT = "Q0VSVC1EQVRB";
    private static final String KEY = "S0VZLURBVEE=";

    /** As K3s writes {@code /etc/rancher/k3s/k3s.yaml}, with {@code extraCluster} / {@code extraUser} lines added. */
    private static String k3s(String extraCluster, String extraUser) {
        return """
                apiVersion: v1
                clusters:
                - cluster:
                    certificate-authority-data: %s
                    server: https://127.0.0.1:6443
                %s
                  name: default
                contexts:
                - context:
                    cluster: default
                    user: default
                  name: default
                current-context: default
                kind: Config
                preferences: {}
                users:
                - name: default
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                %s
                """.formatted(CA, indent(extraCluster), CERT, KEY, indent(extraUser));
    }

    private static String indent(String lines) {
        return lines.isEmpty() ? "" : "    " + lines.replace("\n", "\n    ");
    }

    @Test
    void aK3sKubeconfigGivesItsServerCaAndClientCertificate() throws Exception {
        // When
        InlineKubeconfig kubeconfig = InlineKubeconfig.read(k3s("", ""));

        // Then
        assertThat(kubeconfig).isEqualTo(new InlineKubeconfig("https://127.0.0.1:6443", CA, CERT, KEY, null));
        assertThat(kubeconfig.toString()).doesNotContain(CA, CERT, KEY);
    }

    @Test
    void anInlineTokenIsAccepted() throws Exception {
        // Given
        String yaml = k3s("", "token: abc")
                .replace("    client-certificate-data: " + CERT + "\n", "")
                .replace("    client-key-data: " + KEY + "\n", "");

        // When / Then
        assertThat(InlineKubeconfig.read(yaml).token()).isEqualTo("abc");
        assertThat(InlineKubeconfig.read(yaml).clientCertificateData()).isNull();
    }

    @Test
    void tlsVerificationLeftOnIsAccepted() throws Exception {
        assertThat(InlineKubeconfig.read(k3s("insecure-skip-tls-verify: false", ""))
                        .server())
                .isEqualTo("https://127.0.0.1:6443");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "exec:\\n  apiVersion: client.authentication.k8s.io/v1\\n  command: /bin/sh\\n  args: [-c, touch /tmp/x] | exec",
                "auth-provider:\\n  name: oidc\\n  config: {} | auth-provider",
                "tokenFile: /var/run/secrets/token | tokenFile",
                "token-file: /var/run/secrets/token | token-file",
                "client-certificate: /etc/ssl/client.crt | client-certificate",
                "client-key: /etc/ssl/client.key | client-key",
                "username: admin | username",
                "password: secret | password",
            })
    void aUserFieldThatIsNotInlineDataIsRefusedNamingIt(String line, String field) {
        assertThatThrownBy(() -> InlineKubeconfig.read(k3s("", line.replace("\\n", "\n"))))
                .isInstanceOf(InlineKubeconfig.Refused.class)
                .hasMessageStartingWith("users[default].user." + field + " ")
                .extracting(e -> ((InlineKubeconfig.Refused) e).field())
                .isEqualTo("users[default].user." + field);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "certificate-authority: /etc/ssl/ca.crt | certificate-authority",
                "proxy-url: http://proxy:3128 | proxy-url",
                "insecure-skip-tls-verify: true | insecure-skip-tls-verify",
            })
    void aClusterFieldThatIsNotInlineDataOrWeakensTlsIsRefusedNamingIt(String line, String field) {
        assertThatThrownBy(() -> InlineKubeconfig.read(k3s(line, "")))
                .isInstanceOf(InlineKubeconfig.Refused.class)
                .extracting(e -> ((InlineKubeconfig.Refused) e).field())
                .isEqualTo("clusters[default].cluster." + field);
    }

    @Test
    void anExecUserOutsideTheCurrentContextIsRefusedToo() {
        // Given
        String yaml = k3s("", "") + """
                - name: other
                  user:
                    exec:
                      command: /bin/sh
                """;

        // When / Then
        assertThatThrownBy(() -> InlineKubeconfig.read(yaml))
                .isInstanceOf(InlineKubeconfig.Refused.class)
                .hasMessageStartingWith("users[other].user.exec");
    }

    @Test
    void aKubeconfigWithoutTheCaIsInvalidRatherThanTrustingTheJvmsCertificates() {
        assertThatThrownBy(() ->
                        InlineKubeconfig.read(k3s("", "").replace("    certificate-authority-data: " + CA + "\n", "")))
                .isInstanceOf(InlineKubeconfig.Invalid.class)
                .hasMessageContaining("certificate-authority-data");
    }

    @Test
    void aKubeconfigWithoutCredentialsIsInvalid() {
        assertThatThrownBy(() -> InlineKubeconfig.read(k3s("", "")
                        .replace("    client-certificate-data: " + CERT + "\n", "")
                        .replace("    client-key-data: " + KEY + "\n", "")))
                .isInstanceOf(InlineKubeconfig.Invalid.class)
                .hasMessageContaining("no credentials");
    }

    @Test
    void aContextNamingAnUnknownUserIsInvalid() {
        assertThatThrownBy(() -> InlineKubeconfig.read(k3s("", "").replace("    user: default", "    user: admin")))
                .isInstanceOf(InlineKubeconfig.Invalid.class)
                .hasMessageContaining("no user named 'admin'");
    }

    @Test
    void unparsableYamlIsInvalidWithoutQuotingIt() {
        assertThatThrownBy(() -> InlineKubeconfig.read("client-key-data: [SECRET-KEY-MATERIAL"))
                .isInstanceOf(InlineKubeconfig.Invalid.class)
                .hasMessage("is not a readable kubeconfig (not YAML)");
    }
}
