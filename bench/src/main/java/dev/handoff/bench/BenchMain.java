package dev.handoff.bench;

import org.jboss.logging.Logger;

/**
 * How every benchmark's {@code main} ends: runs the benchmark, cleans up on success, failure and Ctrl-C (a shutdown
 * hook), says why it failed, and exits 0 when the figures were measured, 1 when they could not be.
 */
public final class BenchMain {
    private static final Logger LOG = Logger.getLogger(BenchMain.class);

    /** The benchmark's work. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private BenchMain() {}

    /** Runs {@code work}, then {@code cleanUp} (also when the JVM is stopped), and exits. */
    public static void run(Work work, Runnable cleanUp) {
        Thread hook = new Thread(cleanUp, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int exit;
        try {
            work.run();
            exit = 0;
        } catch (BenchException e) {
            System.err.println("bench: FAILED: " + e.getMessage());
            exit = 1;
        } catch (Exception e) {
            System.err.println("bench: FAILED with an error: " + e);
            LOG.error("the benchmark failed", e);
            exit = 1;
        } finally {
            cleanUp.run();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stopping) {
            // Ctrl-C or SIGTERM: the JVM is already shutting down and the hook has cleaned up
        }
        System.exit(exit);
    }
}
