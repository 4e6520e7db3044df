package dev.handoff.lab.world.nixos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in colmena as converge-service runs it: it sees what Nix would see of a git flake, no more. */
class StandInColmenaTest {
    @TempDir
    Path dir;

    @Test
    void anUntrackedOrUncommittedFileIsInvisibleAsToAGitFlake() throws Exception {
        // Given: a committed configuration reading a facts file that exists only untracked in the checkout
        Path repo = dir.resolve("runtime");
        commit(repo, "flake.nix", "{ outputs = _: { }; }\n");
        commit(
                repo,
                "hosts/h1/configuration.nix",
                "{ ... }: { environment.etc.x.source = \"${handoff-facts}/hosts/h1/handoff.json\"; }\n");
        Files.createDirectories(repo.resolve("hosts/h1"));
        Files.writeString(repo.resolve("hosts/h1/handoff.json"), "{}");

        // When
        Answer eval = colmena(repo, "eval", "-E", "{ nodes, ... }: builtins.mapAttrs (n: v: v) nodes");

        // Then
        assertThat(eval.code()).isEqualTo(1);
        assertThat(eval.out()).contains("error: undefined variable 'handoff-facts'");
    }

    @Test
    void theBuiltSystemIsTheCommittedTreesAndNotTheWorkingFiles() throws Exception {
        // Given
        Path repo = dir.resolve("runtime");
        commit(repo, "flake.nix", "{ outputs = _: { }; }\n");
        commit(repo, "hosts/h1/configuration.nix", "{ ... }: { boot.kernelPackages = pkgs.linuxPackages_6_12; }\n");
        String before = built(colmena(repo, "build", "--on", "h1"));

        // When: the working file changes without a commit
        Files.writeString(repo.resolve("hosts/h1/configuration.nix"), "{ ... }: { }\n");
        String dirty = built(colmena(repo, "build", "--on", "h1"));
        commit(repo, "hosts/h1/configuration.nix", "{ ... }: { }\n");
        String after = built(colmena(repo, "build", "--on", "h1"));

        // Then
        assertThat(dirty).isEqualTo(before);
        assertThat(after).isNotEqualTo(before).matches("/nix/store/[a-z0-9]{32}-nixos-system-h1-.*");
    }

    private record Answer(int code, String out) {}

    private static String built(Answer answer) {
        assertThat(answer.code()).as(answer.out()).isZero();
        var m = java.util.regex.Pattern.compile("Built \"(/nix/store/[^\"]+)\"").matcher(answer.out());
        assertThat(m.find()).as(answer.out()).isTrue();
        return m.group(1);
    }

    private static Answer colmena(Path cwd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = StandInColmena.run(
                args, cwd, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), p -> p, false);
        return new Answer(code, out.toString(StandardCharsets.UTF_8));
    }

    private static void commit(Path repo, String path, String content) throws Exception {
        try (Git git = Files.isDirectory(repo.resolve(".git"))
                ? Git.open(repo.toFile())
                : Git.init()
                        .setDirectory(repo.toFile())
                        .setInitialBranch("main")
                        .call()) {
            Path file = repo.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            git.add().addFilepattern(".").call();
            git.commit()
                    .setMessage(path)
                    .setAuthor("t", "t@handoff.invalid")
                    .setCommitter("t", "t@handoff.invalid")
                    .setSign(false)
                    .call();
        }
    }
}
