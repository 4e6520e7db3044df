package dev.handoff.lab.world.tofu;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A saved plan. Like OpenTofu's plan file ({@code internal/plans/planfile}) it is a zip archive holding the planned
 * changes ({@code tfplan}, JSON here instead of protobuf), the prior state snapshot with the lineage and serial it was
 * planned against ({@code tfstate}), the previous run state ({@code tfstate-prev}), the configuration
 * ({@code tfconfig/}) and the dependency locks ({@code .terraform.lock.hcl}).
 */
final class Plan {
    /** A resource instance change; values carry {@link Values#UNKNOWN} and {@link Values.Sensitive} marks. */
    record ResourceChange(
            String address,
            String previousAddress,
            String type,
            String name,
            String provider,
            List<String> actions,
            Object before,
            Object after,
            String actionReason,
            String importingId,
            long schemaVersion) {
        boolean noOp() {
            return actions.equals(List.of("no-op"));
        }

        boolean moved() {
            return previousAddress != null;
        }
    }

    /** A root output change; {@code sensitive} is the output's declaration. */
    record OutputChange(String name, List<String> actions, Object before, Object after, boolean sensitive) {}

    String backendType = "local";
    Map<String, Object> backendConfig = new TreeMap<>();
    /** Variable values (with sensitive marks), declared ones only. */
    Map<String, Object> variables = new TreeMap<>();

    final List<ResourceChange> resourceChanges = new ArrayList<>();
    final Map<String, OutputChange> outputChanges = new TreeMap<>();
    /** The state the plan applies to: the snapshot's lineage and serial, moves applied. */
    TofuState prior;
    /** The state as it was before planning (moves not applied). */
    TofuState previousRun;

    Map<String, String> configFiles = new TreeMap<>();
    String lockFile;
    Instant timestamp = Instant.now();
    boolean errored;

    /** {@code plans.Plan.CanApply}: anything to do at all (moves and imports count). */
    boolean applyable() {
        for (ResourceChange c : resourceChanges) {
            if (!c.noOp() || c.moved() || c.importingId() != null) {
                return true;
            }
        }
        return outputChanges.values().stream().anyMatch(o -> !o.actions().equals(List.of("no-op")));
    }

    // ---------------------------------------------------------------- file

    private static final String UNKNOWN_KEY = "__tofu_stand_in_unknown__";
    private static final String SENSITIVE_KEY = "__tofu_stand_in_sensitive__";

    void write(Path file) {
        Map<String, Object> doc = Json.struct();
        doc.put("format", "handoff-lab-stand-in-tofu-plan/1");
        doc.put("terraform_version", StandInTofu.VERSION);
        doc.put("backend_type", backendType);
        doc.put("backend_config", backendConfig);
        Map<String, Object> vars = Json.sorted();
        variables.forEach((k, v) -> vars.put(k, encode(v)));
        doc.put("variables", vars);
        List<Object> rcs = new ArrayList<>();
        for (ResourceChange c : resourceChanges) {
            Map<String, Object> m = Json.struct();
            m.put("address", c.address());
            m.put("previous_address", c.previousAddress());
            m.put("type", c.type());
            m.put("name", c.name());
            m.put("provider", c.provider());
            m.put("actions", c.actions());
            m.put("before", encode(c.before()));
            m.put("after", encode(c.after()));
            m.put("action_reason", c.actionReason());
            m.put("importing_id", c.importingId());
            m.put("schema_version", c.schemaVersion());
            rcs.add(m);
        }
        doc.put("resource_changes", rcs);
        Map<String, Object> ocs = Json.sorted();
        outputChanges.forEach((k, o) -> {
            Map<String, Object> m = Json.struct();
            m.put("actions", o.actions());
            m.put("before", encode(o.before()));
            m.put("after", encode(o.after()));
            m.put("sensitive", o.sensitive());
            ocs.put(k, m);
        });
        doc.put("output_changes", ocs);
        doc.put("timestamp", timestamp.toString());
        doc.put("errored", errored);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "tfplan", Json.compact(doc));
            entry(zip, "tfstate", prior.write());
            entry(zip, "tfstate-prev", previousRun.write());
            entry(zip, "tfconfig/modules.json", "[{\"Key\":\"\",\"Source\":\"\",\"Dir\":\".\"}]");
            for (Map.Entry<String, String> f : configFiles.entrySet()) {
                entry(zip, "tfconfig/m-/" + f.getKey(), f.getValue());
            }
            if (lockFile != null) {
                entry(zip, ProviderLocks.FILE, lockFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.write(file, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(0);
        zip.putNextEntry(e);
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    /** Why a file is not a plan, in Go's words. */
    static final class NotAPlan extends Exception {
        NotAPlan(String message) {
            super(message);
        }
    }

    /** Reads a plan file ({@code path} as given on the command line, for messages). */
    static Plan read(Path dir, String path) throws NotAPlan {
        Path file = dir.resolve(path);
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                return null;
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NotAPlan("stat " + path + ": no such file or directory");
        } catch (IOException e) {
            throw new NotAPlan("open " + path + ": " + e.getMessage());
        }
        Map<String, String> entries = new LinkedHashMap<>();
        if (bytes.length < 4 || bytes[0] != 'P' || bytes[1] != 'K') {
            throw new NotAPlan("zip: not a valid zip file");
        }
        try (InputStream in = new ByteArrayInputStream(bytes);
                ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                entries.put(e.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new NotAPlan("zip: not a valid zip file");
        }
        String tfplan = entries.get("tfplan");
        if (tfplan == null) {
            throw new NotAPlan("the given plan file does not have a plan");
        }
        Map<?, ?> doc;
        try {
            doc = (Map<?, ?>) Json.parse(tfplan);
        } catch (RuntimeException ex) {
            throw new NotAPlan("failed to read plan from plan file: unsupported plan file format");
        }
        if (!"handoff-lab-stand-in-tofu-plan/1".equals(doc.get("format"))) {
            throw new NotAPlan("failed to read plan from plan file: unsupported plan file format");
        }
        Plan p = new Plan();
        p.backendType = String.valueOf(doc.get("backend_type"));
        Map<String, Object> bc = new TreeMap<>();
        ((Map<?, ?>) doc.get("backend_config")).forEach((k, v) -> bc.put((String) k, v));
        p.backendConfig = bc;
        ((Map<?, ?>) doc.get("variables")).forEach((k, v) -> p.variables.put((String) k, decode(v)));
        for (Object o : (List<?>) doc.get("resource_changes")) {
            Map<?, ?> m = (Map<?, ?>) o;
            p.resourceChanges.add(new ResourceChange(
                    (String) m.get("address"),
                    (String) m.get("previous_address"),
                    (String) m.get("type"),
                    (String) m.get("name"),
                    (String) m.get("provider"),
                    ((List<?>) m.get("actions")).stream().map(String::valueOf).toList(),
                    decode(m.get("before")),
                    decode(m.get("after")),
                    (String) m.get("action_reason"),
                    (String) m.get("importing_id"),
                    ((BigDecimal) m.get("schema_version")).longValue()));
        }
        ((Map<?, ?>) doc.get("output_changes")).forEach((k, o) -> {
            Map<?, ?> m = (Map<?, ?>) o;
            p.outputChanges.put(
                    (String) k,
                    new OutputChange(
                            (String) k,
                            ((List<?>) m.get("actions"))
                                    .stream().map(String::valueOf).toList(),
                            decode(m.get("before")),
                            decode(m.get("after")),
                            Boolean.TRUE.equals(m.get("sensitive"))));
        });
        p.timestamp = Instant.parse(String.valueOf(doc.get("timestamp")));
        p.errored = Boolean.TRUE.equals(doc.get("errored"));
        try {
            p.prior = TofuState.read(entries.get("tfstate"));
            p.previousRun = TofuState.read(entries.get("tfstate-prev"));
        } catch (TofuState.Unreadable ex) {
            throw new NotAPlan("failed to read state from plan file: " + ex.getMessage());
        }
        entries.forEach((k, v) -> {
            if (k.startsWith("tfconfig/m-/")) {
                p.configFiles.put(k.substring("tfconfig/m-/".length()), v);
            }
        });
        p.lockFile = entries.get(ProviderLocks.FILE);
        return p;
    }

    /** Values with unknowns and marks as plain JSON. */
    static Object encode(Object v) {
        if (v == Values.UNKNOWN) {
            return Map.of(UNKNOWN_KEY, true);
        }
        if (v instanceof Values.Sensitive s) {
            Map<String, Object> m = Json.struct();
            m.put(SENSITIVE_KEY, encode(s.value()));
            return m;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(encode(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, encode(x)));
            return out;
        }
        return v;
    }

    static Object decode(Object v) {
        if (v instanceof Map<?, ?> m) {
            if (m.size() == 1 && m.containsKey(UNKNOWN_KEY)) {
                return Values.UNKNOWN;
            }
            if (m.size() == 1 && m.containsKey(SENSITIVE_KEY)) {
                return new Values.Sensitive(decode(m.get(SENSITIVE_KEY)));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, decode(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(decode(x)));
            return out;
        }
        return v;
    }
}
