package dev.handoff.infra.driver;

import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A path built from data that arrived in an event or a request (a deployment id, a host, a repository or stack name)
 * below a folder this service owns. The data is never trusted to be a plain name: a value such as {@code ../..}, an
 * absolute path, or a symbolic link on the way that leads elsewhere is refused before anything is created or deleted,
 * because the same path is later deleted recursively or overwritten.
 */
public final class ContainedPath {
    private ContainedPath() {}

    /** A value would lead outside its base folder; nothing was created or deleted. */
    public static final class Escape extends IOException {
        private final String value;

        Escape(String what, String value, Path base, String why) {
            super(what + " '" + shown(value) + "' " + why + " (base " + base + "); refused, nothing was created or"
                    + " deleted");
            this.value = value;
        }

        /** The refused value as it arrived. */
        public String value() {
            return value;
        }

        /**
         * The refusal as the reason a run fails: {@code unsafe-path}, not retryable (the same data is refused again).
         *
         * @param subject what the refused value names, e.g. {@code ce_deploymentid} or the stack
         */
        public StageFailure failure(String subject) {
            return new StageFailure(
                    "unsafe-path",
                    getMessage(),
                    false,
                    List.of(new StageFailed.Detail("unsafe-path", subject, shown(value))));
        }
    }

    /**
     * {@code base} with {@code parts} below it, strictly below {@code base}: neither the base itself nor anything
     * outside it, also after following every symbolic link that already exists on the way.
     *
     * @param what what the parts are, for the message, e.g. {@code deployment id}
     * @throws Escape when a part is empty, absolute, or leads to the base or outside it
     */
    public static Path below(Path base, String what, String... parts) throws Escape {
        Path resolved = within(base, what, parts);
        if (resolved.equals(base.toAbsolutePath().normalize())) {
            throw new Escape(what, String.join("/", parts), base, "names the folder itself, not something in it");
        }
        return resolved;
    }

    /**
     * As {@link #below} but the base itself is allowed (a stack at the root of a repository is {@code .}).
     *
     * @throws Escape when a part is empty, absolute, or leads outside the base
     */
    public static Path within(Path base, String what, String... parts) throws Escape {
        Path root = base.toAbsolutePath().normalize();
        Path candidate = root;
        for (String part : parts) {
            candidate = candidate.resolve(relative(base, what, part));
        }
        candidate = candidate.normalize();
        if (!candidate.startsWith(root)) {
            throw new Escape(what, String.join("/", parts), base, "leads outside its folder");
        }
        checkLinks(root, candidate, what, String.join("/", parts), base);
        return candidate;
    }

    private static Path relative(Path base, String what, String part) throws Escape {
        if (part == null || part.isEmpty() || part.indexOf('\0') >= 0) {
            throw new Escape(what, String.valueOf(part), base, "is empty or not a file name");
        }
        Path p;
        try {
            p = Path.of(part);
        } catch (InvalidPathException e) {
            throw new Escape(what, part, base, "is not a file name");
        }
        if (p.isAbsolute() || p.getRoot() != null) {
            throw new Escape(what, part, base, "is an absolute path");
        }
        return p;
    }

    /**
     * The deepest part of {@code candidate} that exists must really (links followed) be inside the real base: a link
     * planted in the folder must not take a delete or a write somewhere else.
     */
    private static void checkLinks(Path root, Path candidate, String what, String value, Path base) throws Escape {
        Path existing = candidate;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !existing.startsWith(root)) {
            return; // the base does not exist yet: nothing on the way can be a link
        }
        try {
            Path realRoot = root.toRealPath();
            if (!existing.toRealPath().startsWith(realRoot)) {
                throw new Escape(what, value, base, "leads outside its folder through a symbolic link at " + existing);
            }
        } catch (NoSuchFileException e) {
            throw new Escape(what, value, base, "passes a symbolic link that leads nowhere at " + existing);
        } catch (Escape e) {
            throw e;
        } catch (IOException e) {
            throw new Escape(what, value, base, "cannot be checked: " + e.getMessage());
        }
    }

    /** The value for a message: printable ASCII only, and not too long. */
    private static String shown(String value) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(value.length(), 120);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return value.length() > end ? out.append('…').toString() : out.toString();
    }
}
