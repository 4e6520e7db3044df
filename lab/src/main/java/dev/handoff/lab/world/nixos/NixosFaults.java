package dev.handoff.lab.world.nixos;

import dev.handoff.lab.world.FaultsFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The lab's NixOS hosts' faults on demand, in {@code <lab>/nixos/nixos-faults.properties}: {@code
 * activation-time.<host>=<duration>} ({@code 30s}, {@code 500ms}, {@code 2m}) makes each activation of that host take
 * so long, read at each activation, so that a drill can catch a converge run in the middle of one; {@code
 * system-drift.<host>=<generation>} switches that host to an existing generation as a person would by hand
 * ({@code nixos-rebuild switch --rollback}, {@code nix-env --switch-generation N && switch-to-configuration switch}) at
 * its next SSH command, once: the key is removed when the host switched.
 */
public final class NixosFaults {
    /** The key prefix of a host's activation time. */
    public static final String ACTIVATION_TIME = "activation-time.";

    /** The key prefix of a switch to another generation made by hand on a host. */
    public static final String SYSTEM_DRIFT = "system-drift.";

    private static final Logger LOG = Logger.getLogger(NixosFaults.class);
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

    private final FaultsFile file;

    public NixosFaults(Path worldDir) {
        this.file = new FaultsFile(
                worldDir.resolve("nixos-faults.properties"),
                "simulated NixOS host faults: activation-time.<host> = <duration: 500ms, 30s, 2m>,"
                        + " system-drift.<host> = <generation switched to by hand, once>");
    }

    /** The faults file. */
    public Path file() {
        return file.file();
    }

    /** Each activation of {@code host} takes {@code time}. */
    public void activationTime(String host, Duration time) {
        file.set(ACTIVATION_TIME + host, time.toMillis() + "ms");
    }

    /** Activations of {@code host} take no time again. */
    public void clearActivationTime(String host) {
        file.clear(ACTIVATION_TIME + host);
    }

    /** How long an activation of {@code host} takes now: zero unless the file says otherwise. */
    public Duration activationTime(String host) {
        String value = file.get(ACTIVATION_TIME + host);
        if (value == null || value.isEmpty()) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            LOG.warnf(
                    "%s: %s%s=%s is not a duration such as 30s, 500ms or 2m; the activation takes no time",
                    file.file(), ACTIVATION_TIME, host, value);
            return Duration.ZERO;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    /** {@code host} switches to {@code generation} by hand at its next SSH command. */
    public void systemDrift(String host, int generation) {
        file.set(SYSTEM_DRIFT + host, Integer.toString(generation));
    }

    /**
     * The generation {@code host} is to be switched to by hand, removed from the file as it is taken (a person's switch
     * happens once); empty when none is asked, or the value is not a generation number.
     */
    public java.util.OptionalInt takeSystemDrift(String host) {
        String key = SYSTEM_DRIFT + host;
        String value = file.get(key);
        if (value == null || value.isEmpty()) {
            return java.util.OptionalInt.empty();
        }
        file.clear(key);
        if (!value.matches("[1-9][0-9]{0,8}")) {
            LOG.warnf(
                    "%s: %s%s=%s is not a generation number such as 3; nothing was switched",
                    file.file(), SYSTEM_DRIFT, host, value);
            return java.util.OptionalInt.empty();
        }
        return java.util.OptionalInt.of(Integer.parseInt(value));
    }
}
