package dev.handoff.common.stage;

import org.jboss.logging.MDC;

/**
 * Names the host, the deployment and its trace in every log line of one piece of a stage's work: they go into the
 * logging MDC ({@value #HOST}, {@value #DEPLOYMENT}, {@value #TRACE}) for as long as the work runs on this thread, so a JSON log line carries them
 * as fields and an operator can find every line of one deployment. The MDC holds what it held before afterwards.
 */
public final class StageLogContext {
    /** The MDC key of the host being worked on. */
    public static final String HOST = "host";
    /** The MDC key of the deployment (the CloudEvents {@code deploymentid}) being worked on. */
    public static final String DEPLOYMENT = "deploymentId";
    /**
     * The MDC key of the deployment's trace id ({@link dev.handoff.common.event.TraceParent}: the deployment id's 128
     * bits), the one its events' {@code traceparent} carries.
     */
    public static final String TRACE = "traceId";

    private StageLogContext() {}

    /** Work that may throw; the stage's loop retries it. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** Runs {@code work} with {@code host} and {@code deploymentId} (either may be null: left out) in the MDC. */
    public static void run(String host, String deploymentId, Work work) throws Exception {
        Object previousHost = MDC.get(HOST);
        Object previousDeployment = MDC.get(DEPLOYMENT);
        Object previousTrace = MDC.get(TRACE);
        put(HOST, host);
        put(DEPLOYMENT, deploymentId);
        put(TRACE, deploymentId == null ? null : deploymentId.replace("-", "").toLowerCase(java.util.Locale.ROOT));
        try {
            work.run();
        } finally {
            put(HOST, previousHost);
            put(DEPLOYMENT, previousDeployment);
            put(TRACE, previousTrace);
        }
    }

    private static void put(String key, Object value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
