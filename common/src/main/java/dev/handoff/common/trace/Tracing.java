package dev.handoff.common.trace;

import dev.handoff.common.event.TraceParent;
import dev.handoff.common.messaging.ReceivedEvent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The spans of Handoff's work, one trace per deployment: a deployment's first span (the webhook's or a replay's
 * publication of its trigger) has the deployment's id as trace id ({@link DeploymentTraceIds}); each stage's work on
 * a trigger is a span whose parent is the trigger's {@code traceparent}; each driver call (tofu, an SSH command, a
 * Kubernetes read, restic) is a span inside it; the events published meanwhile name that span as their parent
 * ({@link TraceParent#of}). A service installs its OpenTelemetry at start ({@link #install}); until then, and when
 * tracing is off, spans are no-ops and events carry their deterministic {@code traceparent}.
 */
public final class Tracing {
    /** The instrumentation scope of Handoff's spans. */
    public static final String SCOPE = "dev.handoff";

    public static final AttributeKey<String> HOST = AttributeKey.stringKey("handoff.host");
    public static final AttributeKey<String> DEPLOYMENT = AttributeKey.stringKey("handoff.deployment_id");
    public static final AttributeKey<String> STAGE = AttributeKey.stringKey("handoff.stage");
    public static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("handoff.event_id");
    public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("handoff.event_type");
    public static final AttributeKey<String> TOPIC = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<Long> PARTITION = AttributeKey.longKey("messaging.destination.partition.id");
    public static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    public static final AttributeKey<String> DRIVER = AttributeKey.stringKey("handoff.driver");
    public static final AttributeKey<Long> EXIT_CODE = AttributeKey.longKey("process.exit.code");
    public static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

    private static volatile Tracer tracer = OpenTelemetry.noop().getTracer(SCOPE);

    private Tracing() {}

    /** Work that may throw. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** Work with a result that may throw {@code E}. */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        T call() throws E;
    }

    /** Makes this service's spans go to {@code openTelemetry} (its SDK, or a no-op one when tracing is off). */
    public static void install(OpenTelemetry openTelemetry) {
        tracer = openTelemetry.getTracer(SCOPE);
    }

    /**
     * Runs a stage's work on one trigger in a span {@code "<stage> <trigger type>"} whose parent is the trigger's
     * {@code traceparent} (a fresh trace when it has none that is valid).
     */
    public static void stageWork(String stage, String host, ReceivedEvent trigger, Work work) throws Exception {
        SpanBuilder builder = tracer.spanBuilder(
                        stage + " " + shortType(trigger.event().type()))
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(STAGE, stage)
                .setAttribute(EVENT_ID, trigger.event().id())
                .setAttribute(EVENT_TYPE, trigger.event().type())
                .setAttribute(TOPIC, trigger.topic())
                .setAttribute(PARTITION, (long) trigger.partition())
                .setAttribute(OFFSET, trigger.offset());
        setIfPresent(builder, HOST, host);
        setIfPresent(builder, DEPLOYMENT, trigger.event().deploymentId());
        TraceParent.remoteParent(trigger.traceParent())
                .ifPresentOrElse(
                        parent -> builder.setParent(Context.root().with(Span.wrap(parent))), builder::setNoParent);
        run(builder.startSpan(), work);
    }

    /**
     * Runs the start of a deployment in the first span of its trace, {@code name}, whose trace id is the deployment's
     * ({@link DeploymentTraceIds}) and which links to {@code cause} (the webhook's request, or the original event a
     * replay copies) when it is valid.
     */
    public static <T, E extends Exception> T deploymentStart(
            String deploymentId, String name, String host, SpanContext cause, Call<T, E> call) throws E {
        SpanBuilder builder = tracer.spanBuilder(name)
                .setNoParent()
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(DEPLOYMENT, deploymentId);
        setIfPresent(builder, HOST, host);
        if (cause != null && cause.isValid()) {
            builder.addLink(cause);
        }
        Span span;
        try (RequestedTraceId ignored = RequestedTraceId.request(TraceParent.traceIdOf(deploymentId))) {
            span = builder.startSpan();
        }
        return call(span, call);
    }

    /**
     * Opens a span for one call of a driver ({@code driver} the tool or API: {@code tofu}, {@code ssh},
     * {@code kubernetes}, {@code restic}, {@code git}; {@code operation} what it does, never a secret), a child of
     * the current span. Close it when the call returns; {@link DriverSpan#failed} marks a failure.
     */
    public static DriverSpan driver(String driver, String operation) {
        Span span = tracer.spanBuilder(driver + " " + operation)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(DRIVER, driver)
                .startSpan();
        return new DriverSpan(span, span.makeCurrent());
    }

    /** Runs {@code call} in a driver's span ({@link #driver}), marking the span failed when it throws. */
    public static <T, E extends Exception> T driverCall(String driver, String operation, Call<T, E> call) throws E {
        try (DriverSpan span = driver(driver, operation)) {
            try {
                return call.call();
            } catch (Exception | Error e) {
                span.failed(e);
                throw e;
            }
        }
    }

    /** The span of the work running now (invalid when none). */
    public static SpanContext current() {
        return Span.current().getSpanContext();
    }

    private static void run(Span span, Work work) throws Exception {
        call(span, () -> {
            work.run();
            return null;
        });
    }

    private static <T, E extends Exception> T call(Span span, Call<T, E> call) throws E {
        try (Scope ignored = span.makeCurrent()) {
            return call.call();
        } catch (Exception | Error e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    static void failed(Span span, Throwable e) {
        // the exception's type only, not its message or stack: spans leave for a collector that is not ours, and a
        // tool's message can quote what it was given; the deployment's events and logs carry the reason
        span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
        span.addEvent("exception", Attributes.of(EXCEPTION_TYPE, e.getClass().getName()));
    }

    private static void setIfPresent(SpanBuilder builder, AttributeKey<String> key, String value) {
        if (value != null) {
            builder.setAttribute(key, value);
        }
    }

    /** {@code handoff.commit.pushed} → {@code commit.pushed}. */
    public static String shortType(String type) {
        String prefix = "handoff.";
        return type.startsWith(prefix) ? type.substring(prefix.length()) : type;
    }
}
