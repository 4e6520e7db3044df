package dev.handoff.bench.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile values that infra-service turns into paths below its work folder (deployment ids, stack paths, file names of
 * a checkout): traversal, absolute paths, NUL, the names of links planted in the base ({@code link-out} leads outside,
 * {@code loop} to itself), and seeded combinations of them.
 */
public final class PathInputs {
    private static final List<String> PARTS = List.of(
            "stacks",
            "edge",
            "..",
            ".",
            "link-out",
            "link-in",
            "loop",
            "dangling",
            "a",
            "b",
            "",
            "/",
            "\0",
            "~",
            "%2e%2e",
            "\u202E..",
            "...",
            "..\\..",
            "x".repeat(300));

    private PathInputs() {}

    /** {@code count} path values, the same for the same seed. */
    public static List<Hostile<String>> generate(long seed, int count) {
        Random random = new Random(seed);
        List<Hostile<String>> out = new ArrayList<>();
        out.add(new Hostile<>("uuid", "6f9619ff-8b86-4011-b42d-00cf4fc964ff"));
        out.add(new Hostile<>("stack path", "stacks/edge"));
        for (String nasty : Mutations.NASTY) {
            out.add(new Hostile<>("nasty " + LogCapture.shorten(nasty), nasty));
        }
        out.add(new Hostile<>("through a link out", "link-out/x"));
        out.add(new Hostile<>("through a link out, then back", "link-out/../base/x"));
        out.add(new Hostile<>("link in", "link-in/x"));
        out.add(new Hostile<>("loop", "loop/x"));
        out.add(new Hostile<>("dangling", "dangling"));
        out.add(new Hostile<>("the base itself", "."));
        out.add(new Hostile<>("deep", "a/".repeat(2000) + "b"));
        while (out.size() < count) {
            int n = 1 + random.nextInt(5);
            StringBuilder path = new StringBuilder(random.nextInt(8) == 0 ? "/" : "");
            for (int i = 0; i < n; i++) {
                path.append(i == 0 ? "" : "/").append(PARTS.get(random.nextInt(PARTS.size())));
            }
            out.add(new Hostile<>("combined", path.toString()));
        }
        return out;
    }
}
