package dev.handoff.support.ssh;

import dev.handoff.support.ssh.HostKeyPins.Pin;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * Opens sshj connections with the runner's identity, checking the host key before anything is done: against the
 * fingerprint handoff.yaml requires for the host ({@code access.hostKey}) when it gives one, else against the key
 * trusted for the host in the shared pin store. A host without a trusted key is pinned only where the caller says this
 * connection is its first bootstrap and the policy is {@link FirstContact#PIN}; anywhere else it is refused. Never
 * accepts a key unchecked. Shared by every service that reaches hosts over SSH.
 */
public final class PinnedSsh {
    /**
     * An open, authenticated connection.
     *
     * @param client the sshj client (the caller closes it)
     * @param presented the host key the host presented (now trusted)
     * @param where {@code user@address}, with the mapped target when it differs, for messages
     */
    public record Connection(SSHClient client, Pin presented, String where) {}

    private final Path identity;
    private final AddressMap addresses;
    private final HostKeyPins pins;
    private final FirstContact firstContact;
    private final Duration timeout;
    private final Map<String, String> required;

    /**
     * As {@link #PinnedSsh(Path, AddressMap, HostKeyPins, FirstContact, Duration, Map)} with no fingerprints from
     * handoff.yaml.
     */
    public PinnedSsh(
            Path identity, AddressMap addresses, HostKeyPins pins, FirstContact firstContact, Duration timeout) {
        this(identity, addresses, pins, firstContact, timeout, Map.of());
    }

    /**
     * @param identity the runner's private key file (OpenSSH format)
     * @param addresses where an inventory address is really reached
     * @param pins the shared pin store
     * @param firstContact what {@link #open(String, String, String)} does with a host that has no trusted key
     * @param timeout connect and read timeout
     * @param required the fingerprints handoff.yaml requires, by host ({@link HostKeyPins#required})
     */
    public PinnedSsh(
            Path identity,
            AddressMap addresses,
            HostKeyPins pins,
            FirstContact firstContact,
            Duration timeout,
            Map<String, String> required) {
        this.identity = identity;
        this.addresses = addresses;
        this.pins = pins;
        this.firstContact = firstContact;
        this.timeout = timeout;
        this.required = Map.copyOf(required);
    }

    /** Where {@code address} is really connected to. */
    public AddressMap.HostPort resolve(String address) {
        return addresses.resolve(address);
    }

    /** Opens a connection to {@code host} at its inventory {@code address} as {@code user}, first contact as set. */
    public Connection open(String host, String user, String address) throws PinnedSshException {
        return open(host, user, address, firstContact);
    }

    /**
     * Opens a connection to {@code host} at its inventory {@code address} as {@code user}.
     *
     * @param firstContact {@link FirstContact#PIN} only for a connection of the host's first bootstrap
     */
    public Connection open(String host, String user, String address, FirstContact firstContact)
            throws PinnedSshException {
        AddressMap.HostPort target = addresses.resolve(address);
        String where = user + "@" + address
                + (target.host().equals(address) && target.port() == 22 ? "" : " (" + target + ")");
        AtomicReference<PinnedSshException.Kind> refusal = new AtomicReference<>();
        AtomicReference<String> expected = new AtomicReference<>();
        AtomicReference<String> storeError = new AtomicReference<>();
        AtomicReference<Pin> seen = new AtomicReference<>();
        SSHClient ssh = new SSHClient();
        ssh.setConnectTimeout((int) timeout.toMillis());
        ssh.setTimeout((int) timeout.toMillis());
        ssh.addHostKeyVerifier(new HostKeyVerifier() {
            @Override
            public boolean verify(String hostname, int port, PublicKey key) {
                Pin presented = HostKeyPins.pinOf(key);
                seen.set(presented);
                String inventoryKey = required.get(host);
                if (inventoryKey != null) {
                    if (inventoryKey.equals(presented.fingerprint())) {
                        return true;
                    }
                    expected.set(inventoryKey);
                    refusal.set(PinnedSshException.Kind.INVENTORY_KEY_MISMATCH);
                    return false;
                }
                try {
                    Optional<Pin> pinned = pins.pinned(host);
                    if (pinned.isEmpty() && firstContact == FirstContact.PIN) {
                        pins.pin(host, presented);
                        pinned = pins.pinned(host);
                    }
                    if (pinned.isEmpty()) {
                        refusal.set(PinnedSshException.Kind.FIRST_CONTACT_REFUSED);
                        return false;
                    }
                    if (pinned.get().matches(presented)) {
                        return true;
                    }
                    expected.set(pinned.get().fingerprint());
                    refusal.set(PinnedSshException.Kind.HOST_KEY_CHANGED);
                    return false;
                } catch (RuntimeException e) {
                    storeError.set(e.getMessage());
                    refusal.set(PinnedSshException.Kind.PIN_STORE_UNAVAILABLE);
                    return false;
                }
            }

            @Override
            public List<String> findExistingAlgorithms(String hostname, int port) {
                if (required.containsKey(host)) {
                    return List.of();
                }
                try {
                    return pins.pinned(host).map(Pin::keyType).map(List::of).orElse(List.of());
                } catch (RuntimeException e) {
                    return List.of(); // verify() names the store's failure
                }
            }
        });
        try {
            ssh.connect(target.host(), target.port());
            ssh.authPublickey(user, ssh.loadKeys(identity.toString()));
            return new Connection(ssh, seen.get(), where);
        } catch (IOException e) {
            closeQuietly(ssh);
            String presented = seen.get() == null ? null : seen.get().fingerprint();
            PinnedSshException.Kind kind = refusal.get() == null ? PinnedSshException.Kind.UNREACHABLE : refusal.get();
            String detail = switch (kind) {
                case FIRST_CONTACT_REFUSED ->
                    // the service pins at a first bootstrap (this.firstContact) but this connection may not
                    this.firstContact == FirstContact.PIN && firstContact == FirstContact.REFUSE
                            ? "this is not its first bootstrap"
                            : "first contact is REFUSE";
                case PIN_STORE_UNAVAILABLE -> storeError.get();
                default -> null;
            };
            throw new PinnedSshException(kind, host, where, expected.get(), presented, detail, e);
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
