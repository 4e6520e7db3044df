package dev.handoff.workload.driver;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.FirstContact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link SshjHostFiles} against the lab's simulated NixOS node (MINA sshd, SFTP confined to the node's sandbox root),
 * held to the same contract as real OpenSSH. Links are made as the node makes K3s's manifest links: relative, so they
 * resolve inside the sandbox (see {@code NixosNode.linkManifests}).
 */
class SshjHostFilesSimulatedNodeContractTest extends SshjHostFilesContract {
    private static final String ADDRESS = "simulated.contract.test";

    private NixosNode node;
    private SimulatedNixosHost host;
    private SshjHostFiles driver;

    @Override
    String start(Path work) {
        LabSshIdentity runner = LabSshIdentity.create(work.resolve("runner").resolve("id_ecdsa"));
        node = new NixosNode("simulated-contract", work.resolve("node"));
        host = SimulatedNixosHost.start(node, runner.publicKey(), 0, 0);
        driver = new SshjHostFiles(
                runner.privateKeyFile(),
                AddressMap.parse(ADDRESS + "=127.0.0.1:" + host.tailnetPort(), "test"),
                new MemoryPins(),
                FirstContact.PIN,
                Duration.ofSeconds(10),
                LIMIT);
        return "";
    }

    @Override
    Path local(String hostPath) {
        return node.file(hostPath);
    }

    @Override
    void link(String link, String target) throws IOException {
        Files.createDirectories(local(link).getParent());
        Files.createSymbolicLink(local(link), Path.of(link).getParent().relativize(Path.of(target)));
    }

    @Override
    HostFiles open() throws SshException {
        return driver.open("simulated-contract", "root", ADDRESS);
    }

    @Override
    void stop() {
        if (host != null) {
            host.close();
        }
    }
}
