package dev.handoff.bench.fleet;

/**
 * The peak resident memory of one of the lab's processes ({@code VmHWM} of {@code /proc/<pid>/status}).
 *
 * @param process the service's name, or {@code lab launcher}
 * @param pid its process id
 * @param kib the peak in KiB, or -1 when it could not be read
 */
public record PeakRss(String process, long pid, long kib) {
    /** Whether this is one of the six services (not the launcher). */
    public boolean isService() {
        return process.endsWith("-service");
    }
}
