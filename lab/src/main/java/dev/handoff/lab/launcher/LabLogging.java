package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.FileHandler;

/**
 * Sends the launcher's own log (and the in-process broker's) to a file, so that the terminal shows only what the
 * person running the lab needs.
 */
final class LabLogging {
    // JUL holds loggers weakly: keep the tuned ones so that their levels stay set.
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger KAFKA_CLIENTS = Logger.getLogger("org.apache.kafka");
    private static final Logger KAFKA_BROKER = Logger.getLogger("kafka");
    private static final Logger KAFKA_STATE = Logger.getLogger("state.change.logger");
    private static final Logger JGIT = Logger.getLogger("org.eclipse.jgit");

    private LabLogging() {}

    /** Routes every log record of this JVM to {@code file} (appended): lab at INFO, Kafka and JGit at WARN. */
    static void toFile(Path file) {
        try {
            Files.createDirectories(file.getParent());
            FileHandler handler = new FileHandler(file.toString(), true);
            handler.setFormatter(new PatternFormatter("%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n"));
            handler.setAutoFlush(true);
            for (Handler existing : ROOT.getHandlers()) {
                ROOT.removeHandler(existing);
            }
            ROOT.addHandler(handler);
            ROOT.setLevel(Level.INFO);
            KAFKA_CLIENTS.setLevel(Level.WARNING);
            KAFKA_BROKER.setLevel(Level.WARNING);
            KAFKA_STATE.setLevel(Level.WARNING);
            JGIT.setLevel(Level.WARNING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab log " + file, e);
        }
    }
}
