package dev.handoff.converge.driver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the runner really connects for an inventory address: {@code address=host:port} pairs
 * ({@code handoff.converge.addresses}). Unmapped addresses are used as they are, on port 22. The lab maps the
 * simulated host's public IP and Tailscale name to its loopback ports this way.
 */
public final class AddressMap {
    /**
     * A connect target.
     *
     * @param host host name or IP to connect to
     * @param port TCP port
     */
    public record HostPort(String host, int port) {}

    private final Map<String, HostPort> map;

    private AddressMap(Map<String, HostPort> map) {
        this.map = map;
    }

    /** Parses {@code a=h:p,b=h:p}; blank means no mapping. */
    public static AddressMap parse(String spec) {
        Map<String, HostPort> map = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String[] kv = pair.trim().split("=", 2);
                int colon = kv.length == 2 ? kv[1].lastIndexOf(':') : -1;
                if (colon < 1) {
                    throw new IllegalArgumentException("handoff.converge.addresses: '" + pair
                            + "' is not address=host:port (e.g. 203.0.113.10=127.0.0.1:2222)");
                }
                map.put(
                        kv[0].trim(),
                        new HostPort(kv[1].substring(0, colon), Integer.parseInt(kv[1].substring(colon + 1))));
            }
        }
        return new AddressMap(Map.copyOf(map));
    }

    /** Where to connect for {@code address}. */
    public HostPort resolve(String address) {
        return map.getOrDefault(address, new HostPort(address, 22));
    }
}
