package dev.handoff.converge.driver;

/**
 * What a remote command returned.
 *
 * @param exitCode exit status (255 when the server sent none)
 * @param stdout standard output, UTF-8
 * @param stderr standard error, UTF-8
 */
public record CommandResult(int exitCode, String stdout, String stderr) {
    /** Whether it exited 0. */
    public boolean ok() {
        return exitCode == 0;
    }
}
