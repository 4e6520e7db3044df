package dev.handoff.lab;

import dev.handoff.lab.forge.ForgejoStatusApi;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Quarkus test resource: the lab's Forgejo commit status API ({@link ForgejoStatusApi}), accepting every
 * {@code owner/name} repository and full hex commit, with control-service's commit status settings pointing at it
 * (posting every 100 ms). The running API is {@link #api()}.
 */
public class ForgejoStatusTestResource implements QuarkusTestResourceLifecycleManager {
    /** The token the tests' control-service posts with. */
    public static final String TOKEN = "forgejo-test-token-3b1f9c";
    /** The public address the statuses link to. */
    public static final String PAGE_URL = "https://handoff.test";

    private static volatile ForgejoStatusApi api;

    /** The API the running tests post to. */
    public static ForgejoStatusApi api() {
        return api;
    }

    @Override
    public Map<String, String> start() {
        try {
            api = new ForgejoStatusApi(
                    TOKEN, (repository, sha) -> repository.contains("/") && sha.matches("[0-9a-f]{40}|[0-9a-f]{64}"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the lab's Forgejo API", e);
        }
        return Map.of(
                "handoff.commit-status.forgejo-url",
                api.url().toString(),
                "handoff.commit-status.token",
                TOKEN,
                "handoff.commit-status.page-url",
                PAGE_URL,
                "handoff.commit-status.interval",
                "100ms");
    }

    @Override
    public void stop() {
        if (api != null) {
            api.close();
            api = null;
        }
    }
}
