package dev.handoff.workload.driver;

import dev.handoff.workload.stage.PortProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Real TCP connects to a host's declared ports from where the service runs: reachability as a client sees it. */
public final class TcpProbes {
    private final AddressMaps addresses;
    private final Duration timeout;

    public TcpProbes(AddressMaps addresses, Duration timeout) {
        this.addresses = addresses;
        this.timeout = timeout;
    }

    /** Connects to each of {@code ports} on {@code address} (through the port address map). */
    public Map<Integer, PortProbe> probe(String address, Collection<Integer> ports) {
        String target = addresses.ports(address);
        Map<Integer, PortProbe> probes = new LinkedHashMap<>();
        for (int port : ports) {
            probes.computeIfAbsent(port, p -> connect(target, p));
        }
        return probes;
    }

    private PortProbe connect(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return new PortProbe(port, true, "connected");
        } catch (SocketTimeoutException e) {
            return new PortProbe(port, false, "no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new PortProbe(
                    port, false, why.toLowerCase(java.util.Locale.ROOT).replace(" (connection refused)", ""));
        }
    }
}
