package dev.handoff.lab.world.kube;

import dev.handoff.lab.world.FaultsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.UUID;

/**
 * Failures the simulated kubelet produces on demand, kept in {@code <world>/kube-faults.properties} so that a test or
 * a person can switch them while the lab runs. Workload faults name the workload ({@code <namespace>/<name>}, e.g.
 * {@code rustdesk/hbbr}, or {@code *} for every workload); {@code port-not-listening} lists TCP ports
 * ({@code 21115,21117}); {@code rotate-key} holds any value, and each new value makes the kubelet write a new RustDesk
 * key pair into every RustDesk data dir; {@code stale-kubeconfig} (any value) makes the next activation write a
 * kubeconfig with a client certificate the API refuses.
 */
public final class KubeFaults {
    /** The fault kinds. */
    public enum Fault {
        /** The workload's pods cannot pull their image: Waiting {@code ErrImagePull} / {@code ImagePullBackOff}. */
        IMAGE_PULL_FAILURE("image-pull-failure"),
        /** The workload's containers exit right after start: restartCount rises, Waiting {@code CrashLoopBackOff}. */
        CRASH_LOOP("crash-loop"),
        /** These TCP ports are not listened on, although the pods declare them. */
        PORT_NOT_LISTENING("port-not-listening"),
        /** A new value rotates the RustDesk key pair (a new {@code id_ed25519} / {@code id_ed25519.pub}). */
        ROTATE_KEY("rotate-key"),
        /**
         * Any value: the next activation writes a kubeconfig whose client certificate the API does not trust (as
         * after K3s's client CA was replaced), so clients using it are refused.
         */
        STALE_KUBECONFIG("stale-kubeconfig");

        private final String key;

        Fault(String key) {
            this.key = key;
        }

        /** The key in the faults file. */
        public String key() {
            return key;
        }
    }

    private final FaultsFile file;

    public KubeFaults(Path worldDir) {
        this.file = new FaultsFile(
                worldDir.resolve("kube-faults.properties"),
                "simulated kubelet faults: image-pull-failure, crash-loop = <namespace>/<name>|*;"
                        + " port-not-listening = <port>,...; rotate-key = <any new value>;"
                        + " stale-kubeconfig = <any value>");
    }

    /** The faults file. */
    public Path file() {
        return file.file();
    }

    /** The workload {@code namespace/name} (or {@code *}) cannot pull its image. */
    public void imagePullFailure(String workload) {
        set(Fault.IMAGE_PULL_FAILURE, workload);
    }

    /** The workload {@code namespace/name} (or {@code *}) crash-loops. */
    public void crashLoop(String workload) {
        set(Fault.CRASH_LOOP, workload);
    }

    /** Nothing listens on these TCP ports. */
    public void portNotListening(int... ports) {
        set(
                Fault.PORT_NOT_LISTENING,
                String.join(",", Arrays.stream(ports).mapToObj(String::valueOf).toList()));
    }

    /** Asks for a new RustDesk key pair in every RustDesk data dir (done by the kubelet's next round). */
    public void rotateKey() {
        set(Fault.ROTATE_KEY, UUID.randomUUID().toString());
    }

    /** The next activation writes a kubeconfig whose client certificate the API refuses. */
    public void staleKubeconfig() {
        set(Fault.STALE_KUBECONFIG, "true");
    }

    /** Switches {@code fault} on with {@code value}. */
    public void set(Fault fault, String value) {
        file.set(fault.key(), value);
    }

    /** Switches {@code fault} off. */
    public void clear(Fault fault) {
        file.clear(fault.key());
    }

    /** Switches every fault off (a pending key rotation stays done). */
    public void clearAll() {
        file.update(p -> p.keySet().removeIf(key -> !key.equals(Fault.ROTATE_KEY.key())));
    }

    /** The faults as they are now (one read of the file). */
    public Snapshot snapshot() {
        return new Snapshot(file.read());
    }

    /** The faults file as read once: the kubelet reads it once per round. */
    public static final class Snapshot {
        private final Properties p;

        Snapshot(Properties p) {
            this.p = p;
        }

        /** Whether a workload fault is on for {@code namespace/name}. */
        public boolean active(Fault fault, String namespace, String name) {
            String value = p.getProperty(fault.key());
            if (value == null) {
                return false;
            }
            for (String target : value.split(",")) {
                String t = target.trim();
                if (t.equals("*") || t.equals(namespace + "/" + name) || t.equals(name)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether {@code port} is switched off. */
        public boolean portOff(int port) {
            String value = p.getProperty(Fault.PORT_NOT_LISTENING.key());
            return value != null
                    && Arrays.stream(value.split(",")).map(String::trim).anyMatch(v -> v.equals(String.valueOf(port)));
        }

        /** Whether activations write a kubeconfig the API refuses. */
        public boolean staleKubeconfig() {
            return p.getProperty(Fault.STALE_KUBECONFIG.key()) != null;
        }

        /** The current key rotation value, or null. */
        public String keyRotation() {
            return p.getProperty(Fault.ROTATE_KEY.key());
        }
    }
}
