package dev.handoff.converge.stage;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an activator run ended, and what it means. {@code switch-to-configuration} exits 2 (activation script failed),
 * 3 (daemon-reload failed) or 4 (units failed); nixos-rebuild passes that code on, Colmena exits 1 and names it as
 * {@code Child process exited with error code: N} in its output.
 *
 * @param exitCode the activator's exit code
 * @param timedOut whether the runner stopped it at the activation timeout
 * @param builtSystem the system path the activator reported building, if it did
 */
public record ActivationResult(int exitCode, boolean timedOut, Optional<String> builtSystem, String output) {
    private static final Pattern CHILD_CODE = Pattern.compile("exited with error code: (\\d+)");
    private static final Pattern BUILT = Pattern.compile("Built \"(/nix/store/[^\"]+)\"");

    /** Reads the result from the activator's exit code and output. */
    public static ActivationResult of(int exitCode, boolean timedOut, String output) {
        Matcher built = BUILT.matcher(output);
        return new ActivationResult(
                exitCode, timedOut, built.find() ? Optional.of(built.group(1)) : Optional.empty(), output);
    }

    /** Whether activation succeeded. */
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** The switch-to-configuration code behind the failure (the exit code, or the one Colmena names). */
    public int switchCode() {
        if (exitCode == 1) {
            Matcher m = CHILD_CODE.matcher(output);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return exitCode;
    }

    /** A stable reason code for a failed activation. */
    public String reason() {
        if (timedOut) {
            return "activation-timeout";
        }
        return switch (switchCode()) {
            case 2 -> "activation-script-failed";
            case 3 -> "daemon-reload-failed";
            case 4 -> "units-failed";
            default -> "activation-failed";
        };
    }
}
