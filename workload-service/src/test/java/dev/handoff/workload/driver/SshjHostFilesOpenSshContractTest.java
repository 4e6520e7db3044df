package dev.handoff.workload.driver;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.openssh.OpenSshServer;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link SshjHostFiles} against Debian's real OpenSSH ({@code sshd} + {@code sftp-server}), which lists a folder with
 * lstat attributes: the host's layout is made under a temporary folder with real absolute links, as nixpkgs'
 * {@code ln -sfn /nix/store/… /var/lib/rancher/k3s/server/manifests/<name>.yaml} makes them. The host key is pinned
 * beforehand and first contact refused, so the driver's pin check meets a real sshd too.
 */
class SshjHostFilesOpenSshContractTest extends SshjHostFilesContract {
    private static final String ADDRESS = "openssh.contract.test";

    private OpenSshServer server;
    private SshjHostFiles driver;

    @Override
    String start(Path work) {
        LabSshIdentity runner = LabSshIdentity.create(work.resolve("runner").resolve("id_ecdsa"));
        server = OpenSshServer.start(work.resolve("sshd"), runner.publicKey());
        MemoryPins pins = new MemoryPins();
        pins.pin("openssh-contract", HostKeyPins.pinOf(server.hostKey()));
        driver = new SshjHostFiles(
                runner.privateKeyFile(),
                AddressMap.parse(ADDRESS + "=127.0.0.1:" + server.port(), "test"),
                pins,
                FirstContact.REFUSE,
                Duration.ofSeconds(10),
                LIMIT);
        return work.resolve("host").toString();
    }

    @Override
    Path local(String hostPath) {
        return Path.of(hostPath);
    }

    @Override
    void link(String link, String target) throws IOException {
        Files.createDirectories(Path.of(link).getParent());
        Files.createSymbolicLink(Path.of(link), Path.of(target));
    }

    @Override
    HostFiles open() throws SshException {
        return driver.open("openssh-contract", server.user(), ADDRESS);
    }

    @Override
    void stop() {
        if (server != null) {
            server.close();
        }
    }
}
