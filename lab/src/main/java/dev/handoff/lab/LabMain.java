package dev.handoff.lab;

import dev.handoff.lab.launcher.LabCommands;

/**
 * Entry point of the lab launcher, run by the project's {@code ./handoff} script: {@code up}, {@code status},
 * {@code down}, {@code push}, {@code redeliver} and {@code kafka-produce} ({@link LabCommands}).
 */
public final class LabMain {
    private LabMain() {}

    public static void main(String[] args) throws InterruptedException {
        // Before any logger exists: the broker, JGit and the lab all log through JBoss LogManager to the lab's file.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        System.exit(LabCommands.run(args, System.getenv(), System.out));
    }
}
