package dev.handoff.lab.world.tofu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.lab.forge.RepositoryTemplates;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A copy of a lab repository template's stacks in a temporary folder, and the stand-in tofu run on them: as a process
 * through the script {@link TofuWorld#install} writes (what infra-service runs), with a minimal environment, or in
 * this JVM through {@link StandInTofu#run}.
 */
final class TofuStacks implements AutoCloseable {
    /** infra-service's command lines, as it runs them. */
    static final String[] INIT = {"init", "-input=false", "-no-color", "-lockfile=readonly"};

    static final String[] PLAN = {
        "plan", "-out=handoff.tfplan", "-detailed-exitcode", "-input=false", "-no-color", "-lock-timeout=5s"
    };
    static final String[] SHOW = {"show", "-json", "handoff.tfplan"};
    static final String[] APPLY = {"apply", "-input=false", "-no-color", "-lock-timeout=5s", "handoff.tfplan"};
    static final String[] OUTPUT = {"output", "-json"};

    static final String SUBNET = "ocid1.subnet.oc1.eu-frankfurt-1.labpublic";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run printed and returned. */
    record Result(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    final Path root;
    final Path world;
    final Path script;
    final Map<String, String> env = new LinkedHashMap<>();

    private TofuStacks(Path root, Path world, Path script) {
        this.root = root;
        this.world = world;
        this.script = script;
    }

    /** The stacks of {@code lab/repos/<template>} with a world of their own. */
    static TofuStacks of(String template) {
        try {
            Path root = Files.createTempDirectory("tofu-stacks");
            Path world = root.resolve("world");
            RepositoryTemplates.copy(RepositoryTemplates.ROOT + template, root.resolve("repo"));
            Path script = TofuWorld.install(world);
            TofuStacks stacks = new TofuStacks(root, world, script);
            stacks.env.put("PATH", System.getenv("PATH"));
            stacks.env.put("HOME", root.toString());
            return stacks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stack folder of the repository, e.g. {@code network}. */
    Path stack(String name) {
        return root.resolve("repo").resolve("stacks").resolve(name);
    }

    /** Runs the installed script as a process in {@code dir} with {@link #env} plus {@code extra}. */
    Result tofu(Path dir, Map<String, String> extra, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().putAll(extra);
        try {
            Path outFile = Files.createTempFile(root, "out", ".txt");
            Path errFile = Files.createTempFile(root, "err", ".txt");
            pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
            Process p = pb.start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("tofu " + String.join(" ", args) + " did not end");
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(outFile, StandardCharsets.UTF_8),
                    Files.readString(errFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Result tofu(Path dir, String... args) {
        return tofu(dir, Map.of(), args);
    }

    /** Starts the script without waiting (for concurrency and hang tests). */
    Process start(Path dir, Map<String, String> extra, Path out, Path err, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().putAll(extra);
        return pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** Runs {@link StandInTofu#run} in this JVM with {@link #env} plus {@code extra}. */
    Result inProcess(Path dir, Map<String, String> extra, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> all = new LinkedHashMap<>(env);
        all.putAll(extra);
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int code = new StandInTofu(dir, world, all, new ByteArrayInputStream(new byte[0]), o, e).run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Result inProcess(Path dir, String... args) {
        return inProcess(dir, Map.of(), args);
    }

    /** init, plan, apply in this JVM; asserts each step as infra-service would see it succeed. */
    void applyInProcess(Path dir, Map<String, String> extra) {
        Result init = inProcess(dir, extra, INIT);
        assertThat(init.exit()).as("%s", init).isZero();
        Result plan = inProcess(dir, extra, PLAN);
        assertThat(plan.exit()).as("%s", plan).isIn(0, 2);
        Result apply = inProcess(dir, extra, APPLY);
        assertThat(apply.exit()).as("%s", apply).isZero();
    }

    /** The state file of a local-backend stack, parsed. */
    JsonNode localState(Path dir) {
        try {
            return JSON.readTree(Files.readString(dir.resolve("terraform.tfstate"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Edits a file of a stack. */
    static void edit(Path file, java.util.function.UnaryOperator<String> change) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String changed = change.apply(text);
            assertThat(changed).as("an edit of " + file).isNotEqualTo(text);
            Files.writeString(file, changed, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void append(Path file, String text) {
        edit(file, t -> t + text);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The resource change of an address in a plan document. */
    static JsonNode change(JsonNode plan, String address) {
        for (JsonNode c : plan.path("resource_changes")) {
            if (c.path("address").asText().equals(address)) {
                return c;
            }
        }
        throw new AssertionError("no resource change " + address + " in " + plan);
    }

    static List<String> actions(JsonNode plan, String address) {
        List<String> out = new ArrayList<>();
        change(plan, address).path("change").path("actions").forEach(a -> out.add(a.asText()));
        return out;
    }

    static List<String> outputActions(JsonNode plan, String output) {
        List<String> out = new ArrayList<>();
        plan.path("output_changes").path(output).path("actions").forEach(a -> out.add(a.asText()));
        return out;
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder
        }
    }
}
