package dev.handoff.support.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sshj against the lab's simulated NixOS host: first contact, a pinned key, a changed key, a refused first contact. */
class PinnedSshTest {
    private static final String ADDRESS = "edge-1.tailnet.ts.net";

    @TempDir
    Path dir;

    private SimulatedNixosHost host;
    private LabSshIdentity runner;
    private final HostKeyPins pins = HostKeyPins.inMemory();

    @BeforeEach
    void start() {
        runner = LabSshIdentity.loadOrCreate(dir.resolve("runner").resolve("id_ecdsa"));
        host = SimulatedNixosHost.start(new NixosNode("edge-1", dir.resolve("node")), runner.publicKey(), 0, 0);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void aHostMetForTheFirstTimeIsPinnedAndThenRecognised() throws Exception {
        // Given
        PinnedSsh ssh = ssh(FirstContact.PIN);

        // When
        PinnedSsh.Connection first = ssh.open("edge-1", "root", ADDRESS);
        first.client().close();
        PinnedSsh.Connection second = ssh.open("edge-1", "root", ADDRESS);
        second.client().close();

        // Then
        assertThat(pins.pinned("edge-1")).contains(first.presented());
        assertThat(first.presented().fingerprint()).startsWith("SHA256:");
        assertThat(second.presented()).isEqualTo(first.presented());
        assertThat(first.where()).isEqualTo("root@" + ADDRESS + " (127.0.0.1:" + host.tailnetPort() + ")");
    }

    @Test
    void aChangedHostKeyIsRefusedNamingBothFingerprintsAndThePinStays() throws Exception {
        // Given: the host is pinned, then presents another key
        PinnedSsh ssh = ssh(FirstContact.PIN);
        ssh.open("edge-1", "root", ADDRESS).client().close();
        HostKeyPins.Pin pinned = pins.pinned("edge-1").orElseThrow();
        host.changeHostKey();

        // When
        PinnedSshException e =
                catchThrowableOfType(PinnedSshException.class, () -> ssh.open("edge-1", "root", ADDRESS));

        // Then
        assertThat(e.kind()).isEqualTo(PinnedSshException.Kind.HOST_KEY_CHANGED);
        assertThat(e.pinned()).isEqualTo(pinned.fingerprint());
        assertThat(e.presented()).startsWith("SHA256:").isNotEqualTo(pinned.fingerprint());
        assertThat(e.getMessage()).contains("edge-1", "HOST KEY CHANGED", ADDRESS);
        assertThat(pins.pinned("edge-1")).contains(pinned);
    }

    @Test
    void firstContactRefusedPinsNothing() {
        // When
        PinnedSshException e = catchThrowableOfType(
                PinnedSshException.class, () -> ssh(FirstContact.REFUSE).open("edge-1", "root", ADDRESS));

        // Then
        assertThat(e.kind()).isEqualTo(PinnedSshException.Kind.FIRST_CONTACT_REFUSED);
        assertThat(e.presented()).startsWith("SHA256:");
        assertThat(pins.pinned("edge-1")).isEmpty();
    }

    @Test
    void anUnreachableHostNamesWhereItWasTried() {
        // Given: nothing listens there any more
        host.close();

        // When
        PinnedSshException e = catchThrowableOfType(
                PinnedSshException.class, () -> ssh(FirstContact.PIN).open("edge-1", "root", ADDRESS));

        // Then
        assertThat(e.kind()).isEqualTo(PinnedSshException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("edge-1", "cannot open SSH to root@" + ADDRESS);
        assertThat(pins.pinned("edge-1")).isEmpty();
    }

    @Test
    void aBadAddressMappingNamesTheSettingAndThePair() {
        assertThatThrownBy(() -> AddressMap.parse("a=127.0.0.1:22,b=nohost", "handoff.test.addresses"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("handoff.test.addresses")
                .hasMessageContaining("'b=nohost'")
                .hasMessageContaining("address=host:port");
        assertThat(AddressMap.parse("", "x").resolve("h.example")).isEqualTo(new AddressMap.HostPort("h.example", 22));
    }

    @Test
    void aHostWithoutATrustedKeyIsRefusedOutsideItsFirstBootstrapNamingTheFingerprintAndTheTrustCommand() {
        // Given: the service pins at first bootstrap, but this connection is not one
        PinnedSsh ssh = ssh(FirstContact.PIN);

        // When
        PinnedSshException e = catchThrowableOfType(
                PinnedSshException.class, () -> ssh.open("edge-1", "root", ADDRESS, FirstContact.REFUSE));

        // Then
        assertThat(e.kind()).isEqualTo(PinnedSshException.Kind.FIRST_CONTACT_REFUSED);
        assertThat(e.getMessage())
                .contains("edge-1", "handoffctl hosts trust edge-1 " + e.presented(), "access.hostKey");
        assertThat(pins.pinned("edge-1")).isEmpty();
    }

    @Test
    void anOperatorsFingerprintOnlyDecisionLetsTheHostIn() throws Exception {
        // Given: the operator gave only the fingerprint of the key the host presents
        String presented = HostKeyPins.pinOf(host.hostKey()).fingerprint();
        pins.pin("edge-1", new HostKeyPins.Pin(null, null, presented, HostKeyPins.Source.OPERATOR));

        // When
        PinnedSsh.Connection c = ssh(FirstContact.REFUSE).open("edge-1", "root", ADDRESS);
        c.client().close();

        // Then
        assertThat(c.presented().fingerprint()).isEqualTo(presented);
    }

    @Test
    void aFingerprintInHandoffYamlOverridesThePinAndAnotherKeyIsRefusedNamingBothAndTheFix() {
        // Given: the key the host presents is pinned, but handoff.yaml requires another one
        String required = "SHA256:/UTVGWR1feIqqbwDWDGrSNNcFV8OYqFhsgH4MToi4Uo";
        pins.pin("edge-1", HostKeyPins.pinOf(host.hostKey()));
        PinnedSsh ssh = new PinnedSsh(
                runner.privateKeyFile(),
                AddressMap.parse(ADDRESS + "=127.0.0.1:" + host.tailnetPort(), "handoff.test.addresses"),
                pins,
                FirstContact.PIN,
                Duration.ofSeconds(5),
                java.util.Map.of("edge-1", required));

        // When
        PinnedSshException e =
                catchThrowableOfType(PinnedSshException.class, () -> ssh.open("edge-1", "root", ADDRESS));

        // Then
        assertThat(e.kind()).isEqualTo(PinnedSshException.Kind.INVENTORY_KEY_MISMATCH);
        assertThat(e.getMessage())
                .contains(
                        "edge-1",
                        required,
                        HostKeyPins.pinOf(host.hostKey()).fingerprint(),
                        "hosts.edge-1.access.hostKey",
                        "handoff.yaml");
    }

    @Test
    void theFingerprintHandoffYamlRequiresLetsTheHostInWithoutAPin() throws Exception {
        // Given
        PinnedSsh ssh = new PinnedSsh(
                runner.privateKeyFile(),
                AddressMap.parse(ADDRESS + "=127.0.0.1:" + host.tailnetPort(), "handoff.test.addresses"),
                pins,
                FirstContact.REFUSE,
                Duration.ofSeconds(5),
                java.util.Map.of("edge-1", HostKeyPins.pinOf(host.hostKey()).fingerprint()));

        // When
        ssh.open("edge-1", "root", ADDRESS).client().close();

        // Then
        assertThat(pins.pinned("edge-1")).isEmpty();
    }

    private PinnedSsh ssh(FirstContact firstContact) {
        return new PinnedSsh(
                runner.privateKeyFile(),
                AddressMap.parse(ADDRESS + "=127.0.0.1:" + host.tailnetPort(), "handoff.test.addresses"),
                pins,
                firstContact,
                Duration.ofSeconds(5));
    }
}
