package dev.handoff.secrets.stage;

import dev.handoff.common.event.v1.SecretFacts;
import dev.handoff.common.event.v1.SecretFacts.MacStatus;
import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.secrets.stage.RepositorySnapshot.FileCheck;
import dev.handoff.sops.CreationRules;
import dev.handoff.sops.SopsFile;
import dev.handoff.sops.SopsFinding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether a host's secrets at a commit are fit to converge it: every configured file exists and is a
 * well-formed SOPS file, is encrypted for the host's recipient, whose creation rule in {@code .sops.yaml} lists that
 * recipient too (else the next {@code sops updatekeys} would drop it), every required key path exists, and (with a
 * validation identity) every value and the MAC verify. Collects every finding, not only the first. No I/O.
 */
public final class SecretsVerdict {
    private static final Pattern KEY_PATH = Pattern.compile("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$");

    /**
     * The most details one verdict carries; the rest are counted in a final {@code more-findings} detail. The codec
     * caps each file ({@link SopsFile#MAX_FINDINGS_PER_FILE}), but a host may list many files, and the verdict must
     * stay far below Kafka's record size.
     */
    public static final int MAX_DETAILS = 200;

    private SecretsVerdict() {}

    /**
     * @param host the host from the inventory
     * @param snapshot what the drivers read at the commit
     */
    public static Verdict decide(Inventory.Host host, RepositorySnapshot snapshot) {
        String commit = snapshot.commit();
        String at = snapshot.repository() + "@" + commit.substring(0, Math.min(12, commit.length()));
        Optional<Inventory.HostSecrets> configured = host.secrets();
        if (configured.isEmpty()) {
            Detail detail = new Detail(
                    "no-secrets-configured",
                    host.name(),
                    "host " + host.name() + " uses " + snapshot.repository() + " but handoff.yaml has no hosts."
                            + host.name() + ".secrets; add files, recipient and required, or remove the repository"
                            + " from hosts." + host.name() + ".repositories");
            return new Verdict.Failed(detail.code(), detail.message(), false, List.of(detail));
        }
        Inventory.HostSecrets secrets = configured.get();
        String recipient = secrets.recipient();
        List<Detail> details = new ArrayList<>();
        List<SopsFile> readable = new ArrayList<>();
        boolean rulesReported = false;
        for (FileCheck check : snapshot.files()) {
            String path = check.path();
            if (check.file().isEmpty()) {
                details.add(new Detail(
                        "missing-file",
                        path,
                        path + " does not exist at " + at + "; add it (sops " + path + ") or remove it from hosts."
                                + host.name() + ".secrets.files"));
                continue;
            }
            SopsFile file = check.file().get();
            file.findings().forEach(f -> details.add(detail(f)));
            if (file.metadata().isEmpty()) {
                continue;
            }
            readable.add(file);
            if (!file.recipients().contains(recipient)) {
                details.add(new Detail(
                        "missing-recipient",
                        path,
                        path + " is not encrypted for " + host.name() + "'s recipient " + recipient
                                + " (its age recipients: " + file.recipients() + "), so the host cannot decrypt it at"
                                + " activation. Add the recipient to its creation rule in .sops.yaml and run sops"
                                + " updatekeys " + path));
            }
            if (snapshot.creationRules().isEmpty()) {
                if (!rulesReported) {
                    details.add(new Detail(
                            "invalid-sops-config",
                            CreationRules.FILE,
                            snapshot.creationRulesProblem().orElse(CreationRules.FILE + " is missing") + " at " + at));
                    rulesReported = true;
                }
            } else {
                Optional<CreationRules.Rule> rule =
                        snapshot.creationRules().get().ruleFor(path);
                if (rule.isEmpty()) {
                    details.add(new Detail(
                            "no-creation-rule",
                            CreationRules.FILE,
                            CreationRules.FILE + " has no creation rule whose path_regex matches " + path
                                    + "; add one listing " + recipient));
                } else if (!rule.get().ageRecipients().contains(recipient)) {
                    details.add(new Detail(
                            "creation-rule-missing-recipient",
                            CreationRules.FILE,
                            CreationRules.FILE + " " + rule.get().describe() + " for " + path + " does not list "
                                    + host.name() + "'s recipient " + recipient
                                    + ": the next sops updatekeys would remove it. Add it to the rule"));
                }
            }
            check.verification().ifPresent(v -> v.findings().forEach(f -> details.add(detail(f))));
        }
        for (String required : secrets.required()) {
            if (readable.stream().noneMatch(f -> f.has(required))) {
                details.add(new Detail(
                        "missing-required-key",
                        required,
                        "required key " + required + " of " + host.name() + " is in none of " + secrets.files() + " at "
                                + at + "; add it with sops " + secrets.files().get(0)));
            }
        }
        if (!details.isEmpty()) {
            Detail first = details.get(0);
            String message = "secrets of " + host.name() + " at " + at + " failed " + details.size() + " check"
                    + (details.size() == 1 ? "" : "s") + ": " + first.message()
                    + (details.size() > 1 ? " (and " + (details.size() - 1) + " more in details)" : "");
            return new Verdict.Failed(first.code(), message, false, capped(host.name(), details));
        }
        List<SecretFacts.SecretFile> files = new ArrayList<>();
        for (FileCheck check : snapshot.files()) {
            SopsFile file = check.file().orElseThrow();
            boolean verified = check.verification().map(v -> v.macVerified()).orElse(false);
            files.add(new SecretFacts.SecretFile(
                    file.path(),
                    file.sha256(),
                    file.metadata().flatMap(m -> m.lastModifiedInstant()).orElse(Instant.EPOCH),
                    file.recipients(),
                    file.keyPaths().stream()
                            .filter(p -> KEY_PATH.matcher(p).matches() && p.length() <= 200)
                            .toList(),
                    verified ? MacStatus.VERIFIED : MacStatus.NOT_CHECKED));
        }
        return new Verdict.Completed(
                new SecretFacts(host.name(), snapshot.repository(), commit, recipient, List.copyOf(files)));
    }

    private static List<Detail> capped(String host, List<Detail> details) {
        if (details.size() <= MAX_DETAILS) {
            return List.copyOf(details);
        }
        List<Detail> kept = new ArrayList<>(details.subList(0, MAX_DETAILS));
        int omitted = details.size() - MAX_DETAILS;
        kept.add(new Detail(
                "more-findings",
                host,
                omitted + " more findings for " + host + " are not listed (only the first " + MAX_DETAILS
                        + " are); fix these and check again"));
        return List.copyOf(kept);
    }

    private static Detail detail(SopsFinding finding) {
        return new Detail(finding.code(), finding.subject(), finding.message());
    }
}
