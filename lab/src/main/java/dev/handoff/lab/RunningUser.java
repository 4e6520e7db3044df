package dev.handoff.lab;

/** Who this JVM runs as; embedded PostgreSQL cannot run as root. */
final class RunningUser {
    private RunningUser() {}

    /** {@code true} if the process runs with user id 0 (or, where ids are unknown, as a user named root). */
    static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
