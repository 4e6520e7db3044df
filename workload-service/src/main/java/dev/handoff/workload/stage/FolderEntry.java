package dev.handoff.workload.stage;

/**
 * One entry of a folder on a host, as listed over SFTP, with a symbolic link followed: K3s's manifests folder on NixOS
 * holds links into {@code /nix/store} ({@code services.k3s.manifests}), not files.
 *
 * @param name the entry's name in its folder
 * @param kind what the name resolves to (for a link: what its target is)
 * @param linkTarget for a symbolic link, the absolute path it points to (a relative target is resolved against the
 *     folder); null for anything else
 * @param problem for {@link Kind#UNRESOLVED}, why the link does not resolve (e.g. "does not exist"); else null
 */
public record FolderEntry(String name, Kind kind, String linkTarget, String problem) {
    /** What an entry is, after following a symbolic link. */
    public enum Kind {
        /** a regular file */
        FILE,
        /** a folder */
        DIRECTORY,
        /** a device, socket, pipe */
        OTHER,
        /** a symbolic link whose target cannot be followed: it does not exist (dangling), loops, or is denied */
        UNRESOLVED
    }

    /** A regular file, or anything else that is not a link. */
    public static FolderEntry plain(String name, Kind kind) {
        return new FolderEntry(name, kind, null, null);
    }

    /** A symbolic link to {@code target}, which is a {@code kind}. */
    public static FolderEntry link(String name, String target, Kind kind) {
        return new FolderEntry(name, kind, target, null);
    }

    /** A symbolic link to {@code target}, which cannot be followed because of {@code problem}. */
    public static FolderEntry unresolved(String name, String target, String problem) {
        return new FolderEntry(name, Kind.UNRESOLVED, target, problem);
    }

    /** Whether the entry is a symbolic link. */
    public boolean isLink() {
        return linkTarget != null;
    }

    /** Whether reading the entry gives a regular file's content (a file, or a link to one). */
    public boolean readable() {
        return kind == Kind.FILE;
    }
}
