package dev.handoff.lab.world.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The K3s server flags of a host's NixOS configuration that shape its API's serving certificate: every
 * {@code --tls-san} (repeated, or comma-separated) and {@code --node-name}, as written in
 * {@code services.k3s.extraFlags} ({@code "--tls-san=name"} or {@code "--tls-san name"}; commented lines are skipped).
 *
 * @param nodeName the declared {@code --node-name}, if any
 * @param tlsSans the declared {@code --tls-san} values, in order
 */
record K3sServerFlags(Optional<String> nodeName, List<String> tlsSans) {
    /** Where the lab's runtime repository keeps each host's configuration, on the class path. */
    static final String LAB_CONFIGURATION = "lab/repos/nix-k3s-edge-cluster/hosts/%s/configuration.nix";

    private static final Pattern FLAG = Pattern.compile("--(tls-san|node-name)(?:=|\\s+)([^\\s\"'\\]]+)");

    /** No flags. */
    static K3sServerFlags none() {
        return new K3sServerFlags(Optional.empty(), List.of());
    }

    /** The flags a NixOS configuration's text declares. */
    static K3sServerFlags parse(String configuration) {
        String nodeName = null;
        List<String> tlsSans = new ArrayList<>();
        for (String line : configuration.split("\n")) {
            String code = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
            Matcher flag = FLAG.matcher(code);
            while (flag.find()) {
                if (flag.group(1).equals("node-name")) {
                    nodeName = flag.group(2);
                } else {
                    for (String san : flag.group(2).split(",")) {
                        if (!san.isBlank() && !tlsSans.contains(san.trim())) {
                            tlsSans.add(san.trim());
                        }
                    }
                }
            }
        }
        return new K3sServerFlags(Optional.ofNullable(nodeName), List.copyOf(tlsSans));
    }

    /**
     * The flags the lab's runtime repository ({@code ops/nix-k3s-edge-cluster}) declares for {@code host}, or none
     * when it has no configuration for it.
     */
    static K3sServerFlags ofLabHost(String host) {
        String resource = LAB_CONFIGURATION.formatted(host);
        try (InputStream in = K3sServerFlags.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? none() : parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
