package dev.handoff.workload.driver;

import dev.handoff.support.ssh.AddressMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the service really connects for an inventory address: the lab, a bastion or a port forward put the host's
 * SSH, its Kubernetes API and its workload ports elsewhere. Three maps, each {@code key=value,…}:
 * {@code handoff.workload.ssh-addresses} ({@code address=host:port}), {@code handoff.workload.api-addresses}
 * ({@code address:port=host:port}) and {@code handoff.workload.port-addresses} ({@code address=host}).
 */
public final class AddressMaps {
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

    private final AddressMap ssh;
    private final Map<String, HostPort> api;
    private final Map<String, String> ports;

    private AddressMaps(AddressMap ssh, Map<String, HostPort> api, Map<String, String> ports) {
        this.ssh = ssh;
        this.api = api;
        this.ports = ports;
    }

    /** Parses the three settings; blank means no mapping. */
    public static AddressMaps parse(String sshSpec, String apiSpec, String portSpec) {
        AddressMap ssh = AddressMap.parse(sshSpec, "handoff.workload.ssh-addresses");
        Map<String, HostPort> api = new LinkedHashMap<>();
        pairs(apiSpec, "handoff.workload.api-addresses", "cloud-edge-1.tailnet.ts.net:6443=localhost:16443")
                .forEach((k, v) -> api.put(k, hostPort(v, "handoff.workload.api-addresses", k)));
        Map<String, String> ports =
                pairs(portSpec, "handoff.workload.port-addresses", "cloud-edge-1.tailnet.ts.net=127.0.0.7");
        return new AddressMaps(ssh, Map.copyOf(api), Map.copyOf(ports));
    }

    /** Where SSH to an address goes. */
    public AddressMap ssh() {
        return ssh;
    }

    /** Where the Kubernetes API at {@code address:port} is. */
    public HostPort api(String address, int port) {
        return api.getOrDefault(address + ":" + port, new HostPort(address, port));
    }

    /** Which host the declared ports of {@code address} are connected on. */
    public String ports(String address) {
        return ports.getOrDefault(address, address);
    }

    private static Map<String, String> pairs(String spec, String key, String example) {
        Map<String, String> map = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String[] kv = pair.trim().split("=", 2);
                if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                    throw new IllegalArgumentException(
                            key + ": '" + pair.trim() + "' is not key=value (e.g. " + example + ")");
                }
                map.put(kv[0].trim(), kv[1].trim());
            }
        }
        return map;
    }

    private static HostPort hostPort(String value, String key, String address) {
        int colon = value.lastIndexOf(':');
        try {
            if (colon > 0) {
                return new HostPort(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                key + ": '" + address + "=" + value + "' has no host:port after '=' (e.g. 127.0.0.1:2222)");
    }
}
