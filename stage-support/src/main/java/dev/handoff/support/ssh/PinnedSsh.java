package dev.handoff.support.ssh;

import dev.handoff.support.ssh.HostKeyPins.Pin;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * Opens sshj connections with the runner's identity, checking the host key against the pin kept per host: a host
 * met for the first time is pinned or refused as configured, a host presenting another key is refused before
 * anything is done. Never accepts a key unchecked. Shared by every service that reaches hosts over SSH.
 */
public final class PinnedSsh {
    /**
     * An open, authenticated connection.
     *
     * @param client the sshj client (the caller closes it)
     * @param presented the host key the host presented (now pinned)
     * @param where {@code user@address}, with the mapped target when it differs, for messages
     */
    public record Connection(SSHClient client, Pin presented, String where) {}

    private final Path identity;
    private final AddressMap addresses;
    private final HostKeyPins pins;
    private final FirstContact firstContact;
    private final Duration timeout;

    /**
     * @param identity the runner's private key file (OpenSSH format)
     * @param addresses where an inventory address is really reached
     * @param pins the service's pins
     * @param firstContact what to do with a host that has no pin yet
     * @param timeout connect and read timeout
     */
    public PinnedSsh(
            Path identity, AddressMap addresses, HostKeyPins pins, FirstContact firstContact, Duration timeout) {
        this.identity = identity;
        this.addresses = addresses;
        this.pins = pins;
        this.firstContact = firstContact;
        this.timeout = timeout;
    }

    /** Where {@code address} is really connected to. */
    public AddressMap.HostPort resolve(String address) {
        return addresses.resolve(address);
    }

    /** Opens a connection to {@code host} at its inventory {@code address} as {@code user}. */
    public Connection open(String host, String user, String address) throws PinnedSshException {
        AddressMap.HostPort target = addresses.resolve(address);
        String where = user + "@" + address
                + (target.host().equals(address) && target.port() == 22 ? "" : " (" + target + ")");
        AtomicReference<String> mismatch = new AtomicReference<>();
        AtomicReference<Boolean> refused = new AtomicReference<>(false);
        AtomicReference<Pin> seen = new AtomicReference<>();
        SSHClient ssh = new SSHClient();
        ssh.setConnectTimeout((int) timeout.toMillis());
        ssh.setTimeout((int) timeout.toMillis());
        ssh.addHostKeyVerifier(new HostKeyVerifier() {
            @Override
            public boolean verify(String hostname, int port, PublicKey key) {
                Pin presented = HostKeyPins.pinOf(key);
                seen.set(presented);
                Optional<Pin> pinned = pins.pinned(host);
                if (pinned.isEmpty()) {
                    if (firstContact == FirstContact.PIN) {
                        pins.pin(host, presented);
                        return true;
                    }
                    refused.set(true);
                    return false;
                }
                if (pinned.get().publicKey().equals(presented.publicKey())) {
                    return true;
                }
                mismatch.set(pinned.get().fingerprint());
                return false;
            }

            @Override
            public List<String> findExistingAlgorithms(String hostname, int port) {
                return pins.pinned(host).map(p -> List.of(p.keyType())).orElse(List.of());
            }
        });
        try {
            ssh.connect(target.host(), target.port());
            ssh.authPublickey(user, ssh.loadKeys(identity.toString()));
            return new Connection(ssh, seen.get(), where);
        } catch (IOException e) {
            closeQuietly(ssh);
            String presented = seen.get() == null ? null : seen.get().fingerprint();
            if (mismatch.get() != null) {
                throw new PinnedSshException(
                        PinnedSshException.Kind.HOST_KEY_CHANGED, host, where, mismatch.get(), presented, e);
            }
            if (refused.get()) {
                throw new PinnedSshException(
                        PinnedSshException.Kind.FIRST_CONTACT_REFUSED, host, where, null, presented, e);
            }
            throw new PinnedSshException(PinnedSshException.Kind.UNREACHABLE, host, where, null, presented, e);
        }
    }

    private static void closeQuietly(SSHClient ssh) {
        try {
            ssh.close();
        } catch (IOException ignored) {
            // the connection failed already; nothing more to release
        }
    }
}
