package dev.handoff.lab.world.tofu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;

/**
 * Where a backend keeps the {@code default} workspace's state snapshot, and its lock: the {@code local} backend's
 * file with a POSIX lock ({@code statemgr.Filesystem}), or the {@code pg} backend's row with PostgreSQL advisory
 * locks ({@link PgStateStorage}).
 */
interface StateStorage extends AutoCloseable {
    /** The stored snapshot's text, or null when there is none. */
    String read() throws BackendError;

    /** Stores a snapshot. */
    void write(String text) throws BackendError;

    /** Takes the lock once, or fails with a {@link LockError}. */
    void tryLock(LockInfo info) throws LockError, BackendError;

    /** Releases the lock if held. */
    void unlock() throws BackendError;

    /** Whether the snapshot was written after an unchanged one should be skipped ({@code states/remote}). */
    boolean remote();

    @Override
    void close();

    /** A backend failure; its message is tofu's error text. */
    final class BackendError extends Exception {
        BackendError(String message) {
            super(message);
        }
    }

    /** {@code statemgr.LockError}: the cause and the lock's info. */
    final class LockError extends Exception {
        final LockInfo info;

        LockError(String cause, LockInfo info) {
            super(cause);
            this.info = info;
        }

        /** Retried until the timeout when it names a lock ({@code LockError.Retriable}). */
        boolean retriable() {
            return info != null && !info.id().isEmpty();
        }

        /** {@code LockError.Error()}: the cause, then the lock info. */
        String text() {
            return getMessage() + (info == null ? "" : "\n" + info.text());
        }
    }

    /** {@code statemgr.LockInfo}. */
    record LockInfo(
            String id, String operation, String info, String who, String version, Instant created, String path) {
        static LockInfo create(String operation) {
            return new LockInfo(
                    UUID.randomUUID().toString(), operation, "", currentUser(), StandInTofu.VERSION, Instant.now(), "");
        }

        LockInfo withPath(String p) {
            return new LockInfo(id, operation, info, who, version, created, p);
        }

        /** {@code LockInfo.String()}. */
        String text() {
            return "Lock Info:\n  ID:        " + id + "\n  Path:      " + path + "\n  Operation: " + operation
                    + "\n  Who:       " + who + "\n  Version:   " + version + "\n  Created:   " + goTime(created)
                    + "\n  Info:      " + info + "\n";
        }

        /** {@code LockInfo.Marshal()}: Go's JSON of the struct. */
        String marshal() {
            Map<String, Object> m = Json.struct();
            m.put("ID", id);
            m.put("Operation", operation);
            m.put("Info", info);
            m.put("Who", who);
            m.put("Version", version);
            m.put("Created", rfc3339Nano(created));
            m.put("Path", path);
            return Json.compact(m);
        }

        static LockInfo unmarshal(String json) {
            Map<?, ?> m = (Map<?, ?>) Json.parse(json);
            Instant created;
            try {
                created = Instant.parse(String.valueOf(m.get("Created")));
            } catch (RuntimeException e) {
                created = Instant.EPOCH;
            }
            return new LockInfo(
                    str(m.get("ID")),
                    str(m.get("Operation")),
                    str(m.get("Info")),
                    str(m.get("Who")),
                    str(m.get("Version")),
                    created,
                    str(m.get("Path")));
        }

        private static String str(Object o) {
            return o == null ? "" : String.valueOf(o);
        }

        /** Go's {@code time.Time.String()} for a UTC time. */
        static String goTime(Instant t) {
            String base = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                    .withZone(ZoneOffset.UTC)
                    .format(t);
            return base + fraction(t) + " +0000 UTC";
        }

        static String rfc3339Nano(Instant t) {
            String base = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
                    .withZone(ZoneOffset.UTC)
                    .format(t);
            return base + fraction(t) + "Z";
        }

        private static String fraction(Instant t) {
            if (t.getNano() == 0) {
                return "";
            }
            String f = String.format("%09d", t.getNano());
            return "." + f.replaceAll("0+$", "");
        }

        private static String currentUser() {
            String user = System.getProperty("user.name", "");
            String host;
            try {
                host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                } catch (IOException e2) {
                    host = "";
                }
            }
            return user + "@" + host;
        }
    }

    /** The {@code local} backend: a file, locked with {@code fcntl} as {@code statemgr.Filesystem} locks it. */
    final class Local implements StateStorage {
        private final Path path;
        private final String displayPath;
        private FileChannel channel;
        private FileLock lock;
        private boolean created;

        Local(Path path, String displayPath) {
            this.path = path;
            this.displayPath = displayPath;
        }

        Path path() {
            return path;
        }

        private Path lockInfoPath() {
            String name = path.getFileName().toString();
            return path.resolveSibling("." + (name.startsWith(".") ? name.substring(1) : name) + ".lock.info");
        }

        @Override
        public String read() {
            try {
                if (!Files.exists(path)) {
                    return null;
                }
                String text = Files.readString(path, StandardCharsets.UTF_8);
                return text.isEmpty() ? null : text;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(String text) {
            try {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                if (channel != null) {
                    channel.truncate(0);
                    channel.position(0);
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                } else {
                    Files.createDirectories(path.toAbsolutePath().getParent());
                    Files.write(path, bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes the backup next to the state ({@code <path>.backup}). */
        void backup(String text) {
            try {
                Files.writeString(path.resolveSibling(path.getFileName() + ".backup"), text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void tryLock(LockInfo info) throws LockError {
            try {
                if (channel == null) {
                    created = !Files.exists(path);
                    Path parent = path.toAbsolutePath().getParent();
                    Files.createDirectories(parent);
                    channel = FileChannel.open(
                            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                FileLock l;
                try {
                    l = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                }
                if (l == null) {
                    LockInfo holder = null;
                    if (Files.exists(lockInfoPath())) {
                        try {
                            holder = LockInfo.unmarshal(Files.readString(lockInfoPath()));
                        } catch (RuntimeException e) {
                            holder = null;
                        }
                    }
                    throw new LockError("resource temporarily unavailable", holder);
                }
                lock = l;
                LockInfo written = info.withPath(displayPath);
                Files.writeString(lockInfoPath(), written.marshal(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void unlock() {
            try {
                if (lock != null) {
                    Files.deleteIfExists(lockInfoPath());
                    lock.release();
                    lock = null;
                }
                if (channel != null) {
                    channel.close();
                    channel = null;
                    if (created && Files.exists(path) && Files.size(path) == 0) {
                        Files.delete(path);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean remote() {
            return false;
        }

        @Override
        public void close() {
            unlock();
        }
    }
}
