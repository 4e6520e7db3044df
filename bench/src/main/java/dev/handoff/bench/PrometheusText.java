package dev.handoff.bench;

/** Reads values out of the Prometheus text format that {@code /q/metrics} serves. */
final class PrometheusText {
    private PrometheusText() {}

    /**
     * The sum of every sample of {@code name} (any labels), or {@link Double#NaN} when there is none.
     *
     * @param text the exposition text
     * @param name the sample name, e.g. {@code handoff_ledger_events_stored_total}
     */
    static double sum(String text, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (rest.startsWith("{")) {
                int close = rest.lastIndexOf('}');
                if (close < 0) {
                    continue;
                }
                rest = rest.substring(close + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // another metric whose name starts with this one
            }
            String[] parts = rest.trim().split("\\s+");
            if (parts.length == 0 || parts[0].isEmpty()) {
                continue;
            }
            sum += Double.parseDouble(parts[0]);
            found = true;
        }
        return found ? sum : Double.NaN;
    }
}
