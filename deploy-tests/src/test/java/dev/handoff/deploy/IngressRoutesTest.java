package dev.handoff.deploy;

import static dev.handoff.deploy.ComposeFileTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * What the chart's Ingress publishes of control-service: the webhook, the API and the page, never Quarkus' /q/
 * (metrics, OpenAPI, health) unless asked; Prometheus still scrapes /q/metrics inside the cluster.
 */
class IngressRoutesTest {
    private static final Path CHART = ProjectFiles.root().resolve("helm/handoff");

    @TempDir
    Path temp;

    @Test
    void byDefaultTheIngressRoutesTheWebhookTheApiAndThePageButNothingUnderQ() {
        // Given the Ingress and the ServiceMonitor enabled, paths left at their defaults
        Path values = write("ingress.yaml", """
                ingress:
                  enabled: true
                  host: handoff.example.org
                serviceMonitor:
                  enabled: true
                """);

        // When the chart is rendered
        List<Map<String, Object>> objects = render(values);

        // Then a request for /q/metrics or /q/openapi matches no rule of the Ingress
        List<Map<String, Object>> paths = paths(objects);
        assertThat(paths)
                .extracting(p -> p.get("path") + " " + p.get("pathType"))
                .containsExactlyInAnyOrder("/hooks/forgejo Prefix", "/api Prefix", "/ui Prefix", "/ Exact");
        for (String published : List.of("/hooks/forgejo", "/api/deployments", "/ui/login", "/")) {
            assertThat(routed(paths, published)).as(published).isTrue();
        }
        for (String hidden : List.of("/q/metrics", "/q/openapi", "/q/health/ready", "/q/dev")) {
            assertThat(routed(paths, hidden)).as(hidden).isFalse();
        }
        // and Prometheus reads the metrics from the Service, inside the cluster
        Map<String, Object> monitor = objects.stream()
                .filter(o -> "ServiceMonitor".equals(o.get("kind")))
                .findFirst()
                .orElseThrow();
        assertThat(monitor.toString()).contains("path=/q/metrics", "port=http");
    }

    @Test
    void anOperatorMayPublishTheApiDescriptionOnPurpose() {
        // Given the default paths plus /q/openapi
        Path values = write("openapi.yaml", """
                ingress:
                  enabled: true
                  paths:
                    - { path: /hooks/forgejo, pathType: Prefix }
                    - { path: /api, pathType: Prefix }
                    - { path: /q/openapi, pathType: Exact }
                """);

        // When / Then
        List<Map<String, Object>> paths = paths(render(values));
        assertThat(routed(paths, "/q/openapi")).isTrue();
        assertThat(routed(paths, "/q/metrics")).isFalse();
    }

    /** Whether a request path matches one of the Ingress' paths, as Kubernetes defines Prefix and Exact. */
    private static boolean routed(List<Map<String, Object>> paths, String request) {
        for (Map<String, Object> p : paths) {
            String path = (String) p.get("path");
            boolean match = "Exact".equals(p.get("pathType"))
                    ? request.equals(path)
                    : path.equals("/") || request.equals(path) || request.startsWith(path + "/");
            if (match) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> paths(List<Map<String, Object>> objects) {
        Map<String, Object> ingress = objects.stream()
                .filter(o -> "Ingress".equals(o.get("kind")))
                .findFirst()
                .orElseThrow();
        List<Object> rules = (List<Object>) map(ingress.get("spec")).get("rules");
        List<Object> paths = (List<Object>) map(map(rules.get(0)).get("http")).get("paths");
        return paths.stream().map(ComposeFileTest::map).toList();
    }

    private List<Map<String, Object>> render(Path valuesFile) {
        String manifest = new Helm(CHART)
                .template()
                .withName("handoff")
                .withNamespace("handoff")
                .withKubeVersion("1.31.0")
                .withValuesFile(valuesFile)
                .call();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(manifest)) {
            if (document != null) {
                objects.add(map(document));
            }
        }
        return objects;
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(temp.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
