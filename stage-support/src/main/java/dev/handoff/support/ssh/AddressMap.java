package dev.handoff.support.ssh;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a runner really connects for an inventory address: {@code address=host:port} pairs (e.g.
 * {@code handoff.converge.addresses}). Unmapped addresses are used as they are, on port 22. The lab maps the
 * simulated hosts' public IP and Tailscale names to their loopback ports this way; a site may map a bastion's port
 * forward.
 */
public final class AddressMap {
    /**
     * A connect target.
     *
     * @param host host name or IP to connect to
     * @param port TCP port
     */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private final Map<String, HostPort> map;

    private AddressMap(Map<String, HostPort> map) {
        this.map = map;
    }

    /** No mapping: every address is connected to as it is, on port 22. */
    public static AddressMap none() {
        return new AddressMap(Map.of());
    }

    /**
     * Parses {@code a=h:p,b=h:p}; blank means no mapping.
     *
     * @param property the setting's name, for the error message
     * @throws IllegalArgumentException naming the setting and the bad pair, with an example
     */
    public static AddressMap parse(String spec, String property) {
        Map<String, HostPort> map = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String[] kv = pair.trim().split("=", 2);
                int colon = kv.length == 2 ? kv[1].lastIndexOf(':') : -1;
                int port = -1;
                if (colon > 0) {
                    try {
                        port = Integer.parseInt(kv[1].substring(colon + 1).trim());
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                }
                if (kv[0].isBlank() || port < 1 || port > 65535) {
                    throw new IllegalArgumentException(property + ": '" + pair.trim()
                            + "' is not address=host:port (e.g. 203.0.113.10=127.0.0.1:2222)");
                }
                map.put(kv[0].trim(), new HostPort(kv[1].substring(0, colon).trim(), port));
            }
        }
        return new AddressMap(Map.copyOf(map));
    }

    /** Where to connect for {@code address}. */
    public HostPort resolve(String address) {
        return map.getOrDefault(address, new HostPort(address, 22));
    }
}
