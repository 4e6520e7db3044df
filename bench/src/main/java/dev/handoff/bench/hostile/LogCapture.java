package dev.handoff.bench.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log record of this JVM while installed (on the root logger of java.util.logging, which JBoss LogManager
 * extends), scanned for the planted secret: Handoff's parsers and the consumer loop log what they refuse.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final AtomicLong lines = new AtomicLong();
    private final List<String> leaks = new ArrayList<>();

    private LogCapture() {}

    /** Installs a capture on the root logger. */
    public static LogCapture install() {
        LogCapture capture = new LogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        lines.incrementAndGet();
        StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
        if (record.getParameters() != null) {
            for (Object p : record.getParameters()) {
                text.append(' ').append(p);
            }
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            text.append(' ').append(t);
        }
        if (PlantedSecret.leaksIn(text.toString())) {
            synchronized (leaks) {
                if (leaks.size() < 10) {
                    leaks.add(record.getLoggerName() + ": " + shorten(text.toString()));
                }
            }
        }
    }

    /** How many log records were seen. */
    public long lines() {
        return lines.get();
    }

    /** Log records (at most 10) that held the planted secret. */
    public List<String> leaks() {
        synchronized (leaks) {
            return List.copyOf(leaks);
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }

    static String shorten(String s) {
        String flat = s.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "… (" + flat.length() + " characters)";
    }
}
