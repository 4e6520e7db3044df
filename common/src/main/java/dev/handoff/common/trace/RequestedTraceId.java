package dev.handoff.common.trace;

/**
 * The trace id a deployment's first span asks for on its thread ({@link Tracing#deploymentStart}), taken by
 * {@link DeploymentTraceIds} when the SDK makes that span. Kept apart from it so that code without the OpenTelemetry
 * SDK on its class path (the CLI, the lab) can load {@link Tracing}.
 */
final class RequestedTraceId implements AutoCloseable {
    private static final ThreadLocal<String> NEXT = new ThreadLocal<>();

    private RequestedTraceId() {}

    /** Asks for {@code traceId} for the next root span started on this thread, until closed. */
    static RequestedTraceId request(String traceId) {
        NEXT.set(traceId);
        return new RequestedTraceId();
    }

    /** The trace id asked for, once (null when none is). */
    static String take() {
        String next = NEXT.get();
        if (next != null) {
            NEXT.remove();
        }
        return next;
    }

    @Override
    public void close() {
        NEXT.remove();
    }
}
