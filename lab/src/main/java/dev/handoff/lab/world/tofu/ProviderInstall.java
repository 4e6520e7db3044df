package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code tofu init}'s provider step: versions selected against the lock file, installed, the lock file written. */
final class ProviderInstall {
    private final TofuRun run;
    private final Map<String, String> reqs;
    private final ProviderLocks previous;
    private final boolean upgrade;
    private final boolean readonly;

    /** Errors found while selecting end the step; warnings wait for the end of init, where tofu prints them. */
    private final List<Diag> diags = new ArrayList<>();

    /** {@code reqs}: provider address to version constraints (null for none), from configuration and state. */
    ProviderInstall(TofuRun run, Map<String, String> reqs, ProviderLocks previous, boolean upgrade, boolean readonly) {
        this.run = run;
        this.reqs = reqs;
        this.previous = previous;
        this.upgrade = upgrade;
        this.readonly = readonly;
    }

    /** Selects, installs and records the providers; returns the warnings init prints before its success message. */
    List<Diag> install() {
        Map<String, String> selected = select();
        // tofu reports every provider it could not resolve at once, before installing any
        if (diags.stream().anyMatch(Diag::error)) {
            throw new Failure(diags);
        }
        recordLocks(fetch(selected));
        return diags;
    }

    /** The version for each lockable provider: the locked one unless {@code -upgrade}, else the newest allowed. */
    private Map<String, String> select() {
        Map<String, String> selected = new TreeMap<>();
        for (Map.Entry<String, String> req : reqs.entrySet()) {
            String address = req.getKey();
            String display = TofuConfig.forDisplay(address);
            String constraints = ProviderLocks.normalize(req.getValue());
            if (!ProviderLocks.lockable(address)) {
                run.out.println("- " + address + " is built in to OpenTofu");
                continue;
            }
            ProviderLocks.Lock locked = previous.locks.get(address);
            if (locked != null && !upgrade) {
                run.out.println("- Reusing previous version of " + display + " from the dependency lock file");
                if (!ProviderLocks.allows(constraints, locked.version())) {
                    diags.add(Diag.error(
                            "Failed to resolve provider packages",
                            "Could not resolve provider " + display + ": locked provider " + display + " "
                                    + locked.version() + " does not match configured version constraint " + constraints
                                    + "; must use tofu init -upgrade to allow selection of new versions"));
                    continue;
                }
                selected.put(address, locked.version());
                continue;
            }
            if (constraints != null) {
                run.out.println("- Finding " + display + " versions matching " + Json.quote(constraints) + "...");
            } else {
                run.out.println("- Finding latest version of " + display + "...");
            }
            if (!ProviderLocks.known(address)) {
                diags.add(Diag.error(
                        "Failed to query available provider packages",
                        "Could not retrieve the list of available versions for provider " + display + ": provider"
                                + " registry " + TofuConfig.REGISTRY + " does not have a provider named " + address
                                + "\n\nAll modules should specify their required_providers so that external consumers"
                                + " will get the correct providers when using a module. To see which modules are"
                                + " currently depending on " + display + ", run the following command:\n    tofu"
                                + " providers\n\nIf you believe this provider is missing from the registry, please"
                                + " submit a issue on the OpenTofu Registry"
                                + " https://github.com/opentofu/registry/issues/new/choose"));
                continue;
            }
            String version = ProviderLocks.newest(address, constraints);
            if (version == null) {
                diags.add(Diag.error(
                        "Failed to resolve provider packages",
                        "Could not resolve provider " + display + ": no available releases match the given constraints "
                                + constraints));
                continue;
            }
            selected.put(address, version);
        }
        return selected;
    }

    /** "Installs" the selected packages into the data folder; returns the locks that record them. */
    private ProviderLocks fetch(Map<String, String> selected) {
        ProviderLocks next = new ProviderLocks();
        boolean fetched = false;
        for (Map.Entry<String, String> s : selected.entrySet()) {
            String display = TofuConfig.forDisplay(s.getKey());
            Path pkg = run.dataDir()
                    .resolve("providers")
                    .resolve(s.getKey())
                    .resolve(s.getValue())
                    .resolve(StandInTofu.PLATFORM);
            if (Files.isDirectory(pkg)) {
                run.out.println("- Using previously-installed " + display + " v" + s.getValue());
            } else {
                run.out.println("- Installing " + display + " v" + s.getValue() + "...");
                try {
                    Files.createDirectories(pkg);
                    String type = s.getKey().substring(s.getKey().lastIndexOf('/') + 1);
                    Files.writeString(
                            pkg.resolve("terraform-provider-" + type + "_v" + s.getValue()),
                            "#!/bin/sh\n# The Handoff lab's stand-in provider package: nothing to run.\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                run.out.println("- Installed " + display + " v" + s.getValue() + " (signed, key ID "
                        + ProviderLocks.keyId(s.getKey()) + ")");
                fetched = true;
            }
            ProviderLocks.Lock locked = previous.locks.get(s.getKey());
            java.util.TreeSet<String> hashes = new java.util.TreeSet<>(ProviderLocks.hashes(s.getKey(), s.getValue()));
            if (locked != null && locked.version().equals(s.getValue())) {
                hashes.addAll(locked.hashes());
            }
            next.locks.put(
                    s.getKey(),
                    new ProviderLocks.Lock(
                            s.getKey(),
                            s.getValue(),
                            ProviderLocks.normalize(reqs.get(s.getKey())),
                            List.copyOf(hashes)));
        }
        if (fetched) {
            run.out.println(
                    "\nProviders are signed by their developers.\nIf you'd like to know more about provider signing,"
                            + " you can read about it here:\nhttps://opentofu.org/docs/cli/plugins/signing/");
        }
        return next;
    }

    /** Writes the lock file when the selections changed, or with {@code -lockfile=readonly} refuses or warns. */
    private void recordLocks(ProviderLocks next) {
        if (!next.sameAs(previous)) {
            if (readonly) {
                if (!next.sameProviders(previous)) {
                    throw new Failure(Diag.error(
                            "Provider dependency changes detected",
                            "Changes to the required provider dependencies were detected, but the lock file is"
                                    + " read-only. To use and record these requirements, run \"tofu init\""
                                    + " without the \"-lockfile=readonly\" flag."));
                }
                diags.add(Diag.warning(
                        "Provider lock file not updated",
                        "Changes to the provider selections were detected, but not saved in the .terraform.lock.hcl"
                                + " file. To record these selections, run \"tofu init\" without the"
                                + " \"-lockfile=readonly\" flag."));
            } else {
                if (previous.empty()) {
                    run.out.println(
                            "\nOpenTofu has created a lock file .terraform.lock.hcl to record the provider\nselections"
                                    + " it made above. Include this file in your version control repository\nso that OpenTofu can"
                                    + " guarantee to make the same selections by default when\nyou run \"tofu init\" in the"
                                    + " future.");
                } else {
                    run.out.println(
                            "\nOpenTofu has made some changes to the provider dependency selections recorded\nin the"
                                    + " .terraform.lock.hcl file. Review those changes and commit them to your\nversion control"
                                    + " system if they represent changes you intended to make.");
                }
                try {
                    Files.writeString(run.dir.resolve(ProviderLocks.FILE), next.write(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
