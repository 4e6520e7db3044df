package dev.handoff.lab.world.fleet;

import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.secrets.LabSecrets;
import dev.handoff.sops.CreationRules;
import dev.handoff.sops.SopsEncryptor;
import dev.handoff.sops.SopsFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;

/**
 * What the fleet's hosts need in the lab's repositories and inventory: in {@code ops/nix-k3s-edge-cluster} a
 * {@code hosts/fleet-NNNN/configuration.nix} per host (the edge host's configuration under the host's name), in
 * {@code ops/infrastructure-secrets} a creation rule for {@code hosts/fleet-NNNN.yaml} and each host's SOPS file
 * (the edge host's lab-only secrets, encrypted for the shared lab-only host key and the operator), and an inventory
 * entry per host that lists both repositories and the runtime backup contract. Files already there are kept; what was
 * added is committed and pushed to the forge without a webhook (the lab's setup, not a deployment).
 */
public final class FleetRepositories {
    static final String SECRETS_REPOSITORY = "ops/infrastructure-secrets";
    private static final String EDGE_CONFIGURATION =
            "lab/repos/nix-k3s-edge-cluster/hosts/cloud-edge-1/configuration.nix";
    private static final String RULE_MARK = "^hosts/fleet-[0-9]+\\.yaml$";
    private static final String HOST_RECIPIENT = "age1qzyldt42sjax5h3hkdwd77q6sj6268rm6q2md34mwx40vmasyqqq5mfwx0";
    private static final String OPERATOR_RECIPIENT = "age1hyt3fhxh8fsgqtmlfc2v6dwds80zelmw8f50l2cykdmuxvlmwuxs59eczy";

    private FleetRepositories() {}

    /**
     * Adds whatever hosts {@code fleet-0001} … {@code fleet-<count>} lack to the working copies of the runtime and
     * secrets repositories and pushes each changed one to the forge.
     *
     * @return how many files were added
     */
    public static int ensure(LabForge forge, int count) {
        int added = 0;
        LabRepository runtime = repository(FleetWorld.RUNTIME_REPOSITORY);
        Path runtimeWork = forge.workingCopy(runtime);
        String configuration = resource(EDGE_CONFIGURATION);
        int runtimeAdded = 0;
        for (int i = 1; i <= count; i++) {
            String host = FleetWorld.name(i);
            Path file = runtimeWork.resolve("hosts").resolve(host).resolve("configuration.nix");
            if (!Files.exists(file)) {
                write(file, configuration.replace("cloud-edge-1", host));
                runtimeAdded++;
            }
        }
        if (runtimeAdded > 0) {
            forge.commitAndPush(runtime, "Fleet: configurations of " + runtimeAdded + " simulated hosts");
        }
        added += runtimeAdded;

        LabRepository secrets = repository(SECRETS_REPOSITORY);
        Path secretsWork = forge.workingCopy(secrets);
        int secretsAdded = ensureCreationRule(secretsWork);
        try {
            CreationRules rules = CreationRules.parse(
                    Files.readString(secretsWork.resolve(CreationRules.FILE), StandardCharsets.UTF_8));
            SopsEncryptor encryptor = new SopsEncryptor(new SecureRandom());
            byte[] plaintext = LabSecrets.plaintext(FleetWorld.AGE_KEY_HOST);
            for (int i = 1; i <= count; i++) {
                String path = "hosts/" + FleetWorld.name(i) + ".yaml";
                Path file = secretsWork.resolve(path);
                if (Files.exists(file)) {
                    continue;
                }
                List<String> recipients = rules.ruleFor(path).orElseThrow().ageRecipients();
                write(file, encryptor.encryptYaml(path, plaintext, recipients, Instant.now()));
                secretsAdded++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the fleet's SOPS files in " + secretsWork, e);
        } catch (SopsFormatException e) {
            throw new IllegalStateException("the fleet's secrets cannot be encrypted: " + e.getMessage(), e);
        }
        if (secretsAdded > 0) {
            forge.commitAndPush(secrets, "Fleet: secrets of the simulated hosts");
        }
        return added + secretsAdded;
    }

    /** The inventory entries of hosts {@code fleet-0001} … {@code fleet-<count>}, to append under {@code hosts:}. */
    public static String inventory(int count) {
        StringBuilder yaml = new StringBuilder(
                "  # the simulated fleet (./handoff up --fleet N): one runtime repository, steady access only\n");
        for (int i = 1; i <= count; i++) {
            String host = FleetWorld.name(i);
            yaml.append("  ")
                    .append(host)
                    .append(":\n")
                    .append("    role: edge\n")
                    .append("    repositories: [")
                    .append(SECRETS_REPOSITORY)
                    .append(", ")
                    .append(FleetWorld.RUNTIME_REPOSITORY)
                    .append("]\n")
                    .append("    access: { steady: { user: root, address: ")
                    .append(FleetWorld.steadyAddress(host))
                    .append(" } }\n")
                    .append("    secrets: { files: [hosts/")
                    .append(host)
                    .append(".yaml], recipient: ")
                    .append(HOST_RECIPIENT)
                    .append(", required: [tailscale/auth_key, restic/password] }\n")
                    .append("    workloads: [rustdesk]\n")
                    .append("    system: aarch64-linux\n")
                    .append("    backups:\n")
                    .append(
                            "      runtime: { repository: restic/repos/runtime, passwordFile:"
                                    + " restic/credentials/runtime.password, maxAge: 26h, checkEvery: 1d, checkSubset: 100% }\n");
        }
        return yaml.toString();
    }

    private static int ensureCreationRule(Path secretsWork) {
        Path file = secretsWork.resolve(CreationRules.FILE);
        try {
            String rules = Files.readString(file, StandardCharsets.UTF_8);
            if (rules.contains(RULE_MARK)) {
                return 0;
            }
            Files.writeString(
                    file,
                    rules.replace(
                            "creation_rules:\n",
                            "creation_rules:\n  - path_regex: " + RULE_MARK + "\n    key_groups:\n      - age:\n"
                                    + "          # the lab's simulated fleet share the edge host's key - lab-only\n"
                                    + "          - " + HOST_RECIPIENT + "\n          # operator - lab-only\n"
                                    + "          - " + OPERATOR_RECIPIENT + "\n"),
                    StandardCharsets.UTF_8);
            return 1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add the fleet's creation rule to " + file, e);
        }
    }

    private static LabRepository repository(String fullName) {
        return LabRepository.ALL.stream()
                .filter(r -> r.fullName().equals(fullName))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the lab has no repository " + fullName));
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = FleetRepositories.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
