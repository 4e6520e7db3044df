package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.StateStorage.BackendError;
import dev.handoff.lab.world.tofu.StateStorage.LockError;
import dev.handoff.lab.world.tofu.StateStorage.LockInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A backend's state as tofu's {@code statemgr} handles it: opened, locked, read and persisted. */
final class StateAccess {
    private static final String LOCK_ERROR_MESSAGE = "Error message: %s\n\nOpenTofu acquires a state lock to protect"
            + " the state from being written\nby multiple users at the same time. Please resolve the issue above and"
            + " try\nagain. For most commands, you can disable locking with the \"-lock=false\"\nflag, but this is not"
            + " recommended.";

    private StateAccess() {}

    /** Opens the backend's storage ({@code pg}: connects and prepares the schema as its {@code configure} does). */
    static StateStorage open(TofuRun run, String type, Map<String, Object> cfg) {
        if (type.equals("local")) {
            String path = cfg.get("path") == null ? StandInTofu.STATE : String.valueOf(cfg.get("path"));
            return new StateStorage.Local(run.dir.resolve(path), path);
        }
        String conn = cfg.get("conn_str") != null
                ? String.valueOf(cfg.get("conn_str"))
                : run.env.getOrDefault("PG_CONN_STR", "");
        String schema = cfg.get("schema_name") != null
                ? String.valueOf(cfg.get("schema_name"))
                : run.env.getOrDefault("PG_SCHEMA_NAME", PgStateStorage.DEFAULT_SCHEMA);
        try {
            return PgStateStorage.open(conn, schema, run.env, "default");
        } catch (BackendError e) {
            throw new Failure(Diag.error(e.getMessage(), ""));
        }
    }

    /** {@code clistate.Locker.Lock}: retried as {@code statemgr.LockWithContext} retries, up to the timeout. */
    static void lock(TofuRun run, StateStorage storage, String operation, Duration timeout)
            throws InterruptedException {
        LockInfo info = LockInfo.create(operation);
        long start = System.nanoTime();
        long deadline = start + Math.max(0, timeout.toNanos());
        long threshold = start + Duration.ofMillis(400).toNanos();
        boolean announced = false;
        long delay = Duration.ofSeconds(1).toNanos();
        while (true) {
            LockError failure;
            try {
                storage.tryLock(info);
                return;
            } catch (LockError e) {
                failure = e;
            } catch (BackendError e) {
                failure = new LockError(e.getMessage(), info);
            }
            long now = System.nanoTime();
            if (!failure.retriable() || now >= deadline) {
                throw lockFailure(failure);
            }
            long wakeAt = Math.min(now + delay, deadline);
            while (System.nanoTime() < wakeAt) {
                long next = wakeAt;
                if (!announced) {
                    next = Math.min(next, threshold);
                }
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
                if (!announced && System.nanoTime() >= threshold) {
                    run.out.println("Acquiring state lock. This may take a few moments...");
                    announced = true;
                }
            }
            if (now + delay >= deadline) {
                throw lockFailure(failure);
            }
            delay = Math.min(delay * 2, Duration.ofSeconds(16).toNanos());
        }
    }

    private static Failure lockFailure(LockError e) {
        return new Failure(Diag.error("Error acquiring the state lock", String.format(LOCK_ERROR_MESSAGE, e.text())));
    }

    static void unlock(TofuRun run, StateStorage storage) {
        try {
            storage.unlock();
        } catch (BackendError e) {
            run.diagnostics(
                    List.of(Diag.error(
                            "Error releasing the state lock",
                            "Error message: " + e.getMessage()
                                    + "\n\nOpenTofu acquires a lock when accessing your state"
                                    + " to prevent others\nrunning OpenTofu to potentially modify the state at the same"
                                    + " time. An\nerror occurred while releasing this lock. This could mean that the"
                                    + " lock\ndid or did not release properly. If the lock didn't release"
                                    + " properly,\nOpenTofu may not be able to run future commands since it'll appear as"
                                    + " if\nthe lock is held.\n\nIn this scenario, please call the \"force-unlock\""
                                    + " command to unlock the\nstate manually. This is a very dangerous operation since"
                                    + " if it is done\nerroneously it could result in two people modifying state at the"
                                    + " same time.\nOnly call this command if you're certain that the unlock above failed"
                                    + " and\nthat no one else is holding a lock.")),
                    Map.of());
        }
    }

    /** The stored snapshot, or null. */
    static TofuState read(StateStorage storage) {
        String text;
        try {
            text = storage.read();
        } catch (BackendError e) {
            throw new Failure(Diag.error(e.getMessage(), ""));
        }
        try {
            return TofuState.read(text);
        } catch (TofuState.Unreadable e) {
            throw new Failure(Diag.error("Failed to load state", e.getMessage()));
        }
    }

    static String raw(StateStorage storage) {
        try {
            return storage.read();
        } catch (BackendError e) {
            throw new Failure(Diag.error(e.getMessage(), ""));
        }
    }

    /**
     * Persists an apply's new content with the backend's semantics: {@code statemgr.Filesystem} bumps the serial when
     * the content changed (writing a {@code .backup} of the previous snapshot), {@code states/remote} skips an
     * unchanged snapshot and starts a new lineage at serial 1.
     */
    static TofuState persist(StateStorage storage, TofuState read, String readRaw, TofuState content) {
        TofuState next = content.copy();
        boolean same = read != null && read.content().equals(content.content());
        if (storage.remote()) {
            if (read == null || read.lineage.isEmpty()) {
                next.lineage = UUID.randomUUID().toString();
                next.serial = 1;
            } else if (same) {
                return read;
            } else {
                next.lineage = read.lineage;
                next.serial = read.serial + 1;
            }
        } else {
            next.lineage = read != null ? read.lineage : UUID.randomUUID().toString();
            next.serial = (read != null ? read.serial : 0) + (same ? 0 : 1);
            if (read != null && !same && readRaw != null && storage instanceof StateStorage.Local local) {
                local.backup(readRaw);
            }
        }
        write(storage, next);
        return next;
    }

    static void write(StateStorage storage, TofuState state) {
        try {
            storage.write(state.write());
        } catch (BackendError e) {
            throw new Failure(Diag.error("Failed to persist state", e.getMessage()));
        }
    }
}
