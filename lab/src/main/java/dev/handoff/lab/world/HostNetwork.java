package dev.handoff.lab.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network between the lab's services and its simulated hosts: one {@link HostLink} per listener of each host (its
 * SSH ports, its K3s API), so that {@code ./handoff partition <host>} cuts every path to that host at once while the
 * other hosts keep answering. The services are pointed at the links by {@link #route(Map)}.
 */
public final class HostNetwork implements AutoCloseable {
    private static final Pattern LOOPBACK_ADDRESS = Pattern.compile("\\b(127\\.0\\.0\\.1|localhost):(\\d{1,5})\\b");

    private final Map<String, List<HostLink>> links = new LinkedHashMap<>();
    private final Map<Integer, HostLink> byTarget = new LinkedHashMap<>();

    /**
     * Puts a link in front of the listener on {@code 127.0.0.1:port} of {@code host}.
     *
     * @param what which listener, for logs (e.g. {@code ssh}, {@code k3s-api})
     */
    public synchronized void link(String host, String what, int port) {
        if (byTarget.containsKey(port)) {
            return;
        }
        HostLink link = HostLink.open(host + " " + what, port);
        links.computeIfAbsent(host, h -> new ArrayList<>()).add(link);
        byTarget.put(port, link);
    }

    /** The hosts that can be partitioned, in the order they were linked. */
    public synchronized Set<String> hosts() {
        return new java.util.LinkedHashSet<>(links.keySet());
    }

    /** Cuts every link of {@code host}. */
    public synchronized void partition(String host) {
        linksOf(host).forEach(HostLink::cut);
    }

    /** Restores every link of {@code host}. */
    public synchronized void heal(String host) {
        linksOf(host).forEach(HostLink::restore);
    }

    /**
     * The listeners of {@code host} as the services reach them, e.g. {@code ssh 127.0.0.1:40123, k3s api
     * 127.0.0.1:40125}.
     */
    public synchronized String describe(String host) {
        return String.join(
                ", ",
                linksOf(host).stream()
                        .map(l -> l.name().substring(host.length() + 1) + " 127.0.0.1:" + l.port())
                        .toList());
    }

    /** Whether {@code host}'s links are cut. */
    public synchronized boolean partitioned(String host) {
        return linksOf(host).stream().anyMatch(HostLink::isCut);
    }

    /**
     * {@code env} with every {@code 127.0.0.1:<port>} and {@code localhost:<port>} of a linked listener replaced by
     * its link's port: a service configured with the result reaches the hosts only through the links.
     */
    public synchronized Map<String, String> route(Map<String, String> env) {
        Map<String, String> routed = new LinkedHashMap<>();
        env.forEach((name, value) -> routed.put(name, route(value)));
        return routed;
    }

    /** {@code value} with the addresses of linked listeners replaced by their links'. */
    public synchronized String route(String value) {
        Matcher m = LOOPBACK_ADDRESS.matcher(value);
        StringBuilder routed = new StringBuilder();
        while (m.find()) {
            HostLink link = byTarget.get(Integer.parseInt(m.group(2)));
            String replacement = link == null ? m.group() : m.group(1) + ":" + link.port();
            m.appendReplacement(routed, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(routed);
        return routed.toString();
    }

    private List<HostLink> linksOf(String host) {
        List<HostLink> hostLinks = links.get(host);
        if (hostLinks == null) {
            throw new IllegalArgumentException("the lab's network has no simulated host " + host + "; it has "
                    + String.join(", ", links.keySet()));
        }
        return hostLinks;
    }

    @Override
    public synchronized void close() {
        links.values().forEach(list -> list.forEach(HostLink::close));
    }
}
