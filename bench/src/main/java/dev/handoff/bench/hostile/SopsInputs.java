package dev.handoff.bench.hostile;

import dev.handoff.sops.AgeIdentity;
import dev.handoff.sops.SopsEncryptor;
import dev.handoff.sops.SopsFormatException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile SOPS files: valid files encrypted by the {@code sops} module's writer for the suite's validation identity
 * (one value is the planted secret), then seeded edits — values, ivs, tags, types and the MAC garbled, metadata
 * removed, stanzas swapped, another recipient only — plus plaintext files holding the secret, the classic documents
 * and hostile file names. age's ephemeral keys make each run's ciphertext differ; the edits are the same.
 */
public final class SopsInputs {
    /** The identity the suite verifies with, and another recipient: the lab's lab-only keys (they protect nothing). */
    private static final AgeIdentity VALIDATION = labKey("cloud-edge-1");

    private static final AgeIdentity OTHER = labKey("operator");

    private static final String PLAINTEXT = """
            tailscale:
                auth_key: %s
            restic:
                password: "correct horse: battery"
            ports_unencrypted:
                ssh: 22
            flags:
                - true
                - 1.50
                - 7
            """.formatted(PlantedSecret.VALUE);

    /** One SOPS file as a service reads it. */
    public record SopsInput(String path, byte[] content) {}

    private SopsInputs() {}

    /** The identity secrets-service would verify with. */
    public static AgeIdentity validationIdentity() {
        return VALIDATION;
    }

    private static AgeIdentity labKey(String name) {
        String resource = "lab/keys/" + name + ".agekey";
        try (java.io.InputStream in = SopsInputs.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no lab age key " + resource + " on the class path (handoff-lab)");
            }
            return AgeIdentity.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the lab age key " + resource, e);
        }
    }

    /** {@code count} files, the same edits for the same seed. */
    public static List<Hostile<SopsInput>> generate(long seed, int count) {
        Random random = new Random(seed);
        String valid = encrypt(List.of(validationIdentity().recipients().get(0)), seed);
        String bothRecipients = encrypt(
                List.of(
                        validationIdentity().recipients().get(0),
                        OTHER.recipients().get(0)),
                seed + 1);
        String otherOnly = encrypt(List.of(OTHER.recipients().get(0)), seed + 2);
        List<Hostile<SopsInput>> out = new ArrayList<>();
        out.add(new Hostile<>("valid", yaml("hosts/cloud-edge-1.yaml", valid)));
        out.add(new Hostile<>("valid, two recipients", yaml("hosts/cloud-edge-1.yaml", bothRecipients)));
        out.add(new Hostile<>("encrypted for another recipient only", yaml("hosts/x.yaml", otherOnly)));
        out.add(new Hostile<>("plaintext secret", yaml("hosts/plain.yaml", PLAINTEXT)));
        out.add(new Hostile<>(
                "plaintext secret in JSON",
                yaml("hosts/plain.json", "{\"db\": {\"password\": \"" + PlantedSecret.VALUE + "\"}}")));
        out.add(new Hostile<>(
                "secret beside encrypted values",
                yaml("hosts/mixed.yaml", valid.replace("restic:\n", "leak: " + PlantedSecret.VALUE + "\nrestic:\n"))));
        for (Hostile<String> classic : Mutations.classicDocuments()) {
            out.add(new Hostile<>(classic.label(), yaml("hosts/c.yaml", classic.value())));
            out.add(new Hostile<>(classic.label() + " (.json)", yaml("hosts/c.json", classic.value())));
        }
        out.add(new Hostile<>("50 MiB", new SopsInput("hosts/big.yaml", new byte[50 << 20])));
        for (String name : List.of(
                "../../etc/shadow.yaml", "/etc/passwd", "hosts/\0.yaml", "hosts/x.yaml\u202Egpj", "", "hosts/.env")) {
            out.add(new Hostile<>("file name " + LogCapture.shorten(name), yaml(name, valid)));
        }
        while (out.size() < count) {
            String base = random.nextInt(3) == 0 ? bothRecipients : valid;
            out.add(edit(base, random));
        }
        return out;
    }

    private static Hostile<SopsInput> edit(String file, Random random) {
        String nasty = Mutations.nasty(random);
        return switch (random.nextInt(10)) {
            case 0, 1 -> new Hostile<>("edited", yaml("hosts/e.yaml", Mutations.mutate(file, random)));
            case 2 ->
                new Hostile<>(
                        "bytes flipped", new SopsInput("hosts/e.yaml", Mutations.mutate(Mutations.utf8(file), random)));
            case 3 ->
                new Hostile<>(
                        "ENC field garbled",
                        yaml(
                                "hosts/e.yaml",
                                replaceNth(
                                        file,
                                        "(data|iv|tag|type):[^,\\]]*",
                                        random,
                                        m -> m.substring(0, m.indexOf(':') + 1)
                                                + nasty.replace(",", "").replace("]", ""))));
            case 4 ->
                new Hostile<>(
                        "type changed",
                        yaml(
                                "hosts/e.yaml",
                                replaceNth(
                                        file,
                                        "type:[a-z]+",
                                        random,
                                        m -> "type:"
                                                + List.of("int", "float", "bool", "time", "comment", "bytes", "str")
                                                        .get(random.nextInt(7)))));
            case 5 ->
                new Hostile<>("metadata line removed", yaml("hosts/e.yaml", removeLine(file, "^    [a-z_]+:", random)));
            case 6 ->
                new Hostile<>(
                        "mac garbled",
                        yaml(
                                "hosts/e.yaml",
                                file.replaceFirst(
                                        "mac: ENC\\[[^\\]]*\\]",
                                        java.util.regex.Matcher.quoteReplacement("mac: " + quoted(nasty)))));
            case 7 ->
                new Hostile<>(
                        "lastmodified changed",
                        yaml(
                                "hosts/e.yaml",
                                file.replaceFirst(
                                        "lastmodified: \"[^\"]*\"",
                                        java.util.regex.Matcher.quoteReplacement("lastmodified: " + quoted(nasty)))));
            case 8 ->
                new Hostile<>(
                        "armored key edited",
                        yaml(
                                "hosts/e.yaml",
                                replaceNth(file, "[A-Za-z0-9+/=]{20,}", random, m -> Mutations.mutate(m, random))));
            default ->
                new Hostile<>(
                        "value replaced",
                        yaml("hosts/e.yaml", replaceNth(file, "ENC\\[[^\\]]*\\]", random, m -> quoted(nasty))));
        };
    }

    private static String quoted(String s) {
        return InventoryInputs.yamlString(s);
    }

    private static String replaceNth(
            String text, String regex, Random random, java.util.function.Function<String, String> change) {
        var matches =
                java.util.regex.Pattern.compile(regex).matcher(text).results().toList();
        if (matches.isEmpty()) {
            return text;
        }
        var m = matches.get(random.nextInt(matches.size()));
        return text.substring(0, m.start()) + change.apply(m.group()) + text.substring(m.end());
    }

    private static String removeLine(String text, String regex, Random random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(regex + ".*")) {
                candidates.add(i);
            }
        }
        if (!candidates.isEmpty()) {
            lines.remove((int) candidates.get(random.nextInt(candidates.size())));
        }
        return String.join("\n", lines);
    }

    private static SopsInput yaml(String path, String text) {
        return new SopsInput(path, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String encrypt(List<String> recipients, long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return new SopsEncryptor(random)
                    .encryptYaml(
                            "plain.yaml",
                            PLAINTEXT.getBytes(StandardCharsets.UTF_8),
                            recipients,
                            Instant.parse("2026-11-25T10:00:00Z"));
        } catch (NoSuchAlgorithmException | SopsFormatException e) {
            throw new IllegalStateException("cannot make the suite's SOPS file: " + e, e);
        }
    }
}
