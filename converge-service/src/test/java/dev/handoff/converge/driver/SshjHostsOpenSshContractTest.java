package dev.handoff.converge.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.world.openssh.ContractHost;
import java.nio.file.Path;
import java.security.PublicKey;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link SshjHosts} against Debian's real OpenSSH ({@code /usr/sbin/sshd} with {@code /usr/lib/openssh/sftp-server},
 * see {@code OpenSshServer}) and, with the same test bodies, against the lab's simulated NixOS node: exit codes and
 * output of commands, staging a file over SFTP (mkdirs, chmod 0700 of its folder, a 0600 temporary file renamed over
 * the old one with {@code posix-rename@openssh.com}, nothing written when the content is the same) and the host key
 * pin. On the real server a host path is a real absolute path under a temporary folder; on the node it is the same
 * path in its sandbox. OpenSSH not installed fails these tests with {@code apt-get install -y openssh-server}.
 *
 * <p>The simulated node answers only the commands it models; the exit codes of a shell ({@code false}, {@code exit
 * 3}, stdout and stderr apart) are checked against the real server only. Differences found between the node's SFTP
 * (Apache MINA sshd) and OpenSSH's sftp-server, which the node now answers as OpenSSH does ({@code SimulatedNixosHost}
 * through the lab's {@code OpenSshSftpSubsystem}):
 *
 * <ul>
 *   <li>a link with an absolute target was followed from the test machine's own root, out of the node's sandbox: a
 *       key folder linked to {@code /persist/sops-nix} failed to stage ("File/Directory already exists"), a key
 *       linked to the same content was rewritten, and a link to {@code /etc/hostname} read the test machine's file;
 *   <li>{@code readlink} of such a link answered {@code /../../../etc/f} instead of the target as written;
 *   <li>errors carried SFTP v4+ status codes and MINA's texts to v3 clients ({@code File/Directory already exists},
 *       {@code Directory not empty}, {@code Accessed location is not a directory}, {@code General failure}) where
 *       sftp-server answers {@code Failure}, {@code No such file} or {@code Bad message}; MINA also offered SFTP v4-6.
 * </ul>
 *
 * {@code posix-rename@openssh.com} over an existing file, chmod, the 0600 mode asked at open, mkdirs on an existing
 * folder, stat and lstat of a relative link and directory listings with lstat attributes already agreed.
 */
class SshjHostsOpenSshContractTest {
    @Nested
    class AgainstOpenSsh extends SshjHostsContract {
        @Override
        ContractHost start(Path dir, PublicKey runnerKey) {
            return ContractHost.openSsh(dir, runnerKey);
        }

        @Test
        void exitCodesAndOutputComeBackAsTheShellGivesThem() throws Exception {
            try (HostSession session = open()) {
                assertThat(session.run("false").exitCode()).isEqualTo(1);
                assertThat(session.run("exit 3").exitCode()).isEqualTo(3);
                CommandResult both = session.run("echo to-stdout; echo to-stderr >&2; exit 4");
                assertThat(both).isEqualTo(new CommandResult(4, "to-stdout\n", "to-stderr\n"));
            }
        }
    }

    @Nested
    class AgainstTheSimulatedNode extends SshjHostsContract {
        @Override
        ContractHost start(Path dir, PublicKey runnerKey) {
            return ContractHost.simulatedNode(dir, HOST, runnerKey);
        }
    }
}
