package dev.handoff.common.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;

/**
 * The span of one driver call ({@link Tracing#driver}), current until it is closed. A call that fails says so with
 * {@link #failed} (an exception) or {@link #failedWith} (a tool's exit code), else the span ends unset (OpenTelemetry's
 * "no error").
 */
public final class DriverSpan implements AutoCloseable {
    private final Span span;
    private final Scope scope;

    DriverSpan(Span span, Scope scope) {
        this.span = span;
        this.scope = scope;
    }

    /** Adds an attribute (never a secret). */
    public <T> DriverSpan attribute(AttributeKey<T> key, T value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
        return this;
    }

    /** Marks the call failed by {@code e}. */
    public void failed(Throwable e) {
        Tracing.failed(span, e);
    }

    /** Records a tool's exit code; a non-zero one marks the call failed with {@code description}. */
    public void exited(int exitCode, String description) {
        span.setAttribute(Tracing.EXIT_CODE, (long) exitCode);
        if (exitCode != 0) {
            failedWith(description);
        }
    }

    /** Marks the call failed with a description (never a secret). */
    public void failedWith(String description) {
        span.setStatus(StatusCode.ERROR, description);
    }

    @Override
    public void close() {
        scope.close();
        span.end();
    }
}
