package dev.handoff.lab.launcher;

import dev.handoff.lab.LabPostgres;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lab's databases on its PostgreSQL server, one per service ({@link ServiceModule#database(Map)}), each carrying
 * the lab's {@link LabIdentity} as its comment. Their names are the same for every lab folder (unless
 * {@code HANDOFF_LAB_DATABASE_PREFIX} is set), so at each start the lab checks that they are its own: databases
 * another lab folder used since (its deployment history, its hosts' state) are dropped and made anew for this lab,
 * with a plain message; databases another lab is running on are refused, saying how to stop it or keep apart.
 */
final class LabDatabases {
    private final LabPostgres postgres;
    private final Map<String, String> env;
    private final LabIdentity lab;
    private final PrintStream out;

    LabDatabases(LabPostgres postgres, Map<String, String> env, LabIdentity lab, PrintStream out) {
        this.postgres = postgres;
        this.env = env;
        this.lab = lab;
        this.out = out;
    }

    /** Whose an existing database is, as this lab sees it. */
    enum Owner {
        /** This lab's. */
        THIS_LAB,
        /** No lab's id: a lab from before databases carried one, and this lab has its Kafka log: taken over. */
        UNMARKED_KEPT,
        /** No lab's id, and this lab is new (no Kafka log): an earlier lab's leftovers, dropped. */
        UNMARKED_LEFT_OVER,
        /** Another lab folder's: dropped and made anew, unless that lab is running. */
        OTHER_LAB
    }

    /**
     * The rule, without I/O.
     *
     * @param comment the database's comment, if any
     * @param labHasKafkaLog whether this lab's Kafka storage exists (it ran here before)
     */
    static Owner owner(Optional<String> comment, LabIdentity lab, boolean labHasKafkaLog) {
        Optional<LabIdentity> marked = comment.flatMap(LabIdentity::fromDatabaseComment);
        if (marked.isPresent()) {
            return marked.get().id().equals(lab.id()) ? Owner.THIS_LAB : Owner.OTHER_LAB;
        }
        return labHasKafkaLog ? Owner.UNMARKED_KEPT : Owner.UNMARKED_LEFT_OVER;
    }

    /**
     * Makes sure every existing lab database is this lab's before a service opens one.
     *
     * @param fresh drop them all ({@code --fresh})
     * @param labHasKafkaLog whether this lab's Kafka storage existed before this start
     * @throws IllegalStateException if another lab runs on them, saying how to stop it or keep the labs apart
     */
    void claim(boolean fresh, boolean labHasKafkaLog) {
        List<String> names =
                ServiceModule.ALL.stream().map(s -> s.database(env)).toList();
        if (fresh) {
            names.forEach(postgres::dropDatabase);
            out.println("Fresh start: the services' lab databases dropped");
            return;
        }
        Map<String, LabIdentity> others = new LinkedHashMap<>();
        List<String> leftOver = new ArrayList<>();
        for (String name : names) {
            if (!postgres.exists(name)) {
                continue;
            }
            Optional<String> comment = postgres.comment(name);
            switch (owner(comment, lab, labHasKafkaLog)) {
                case THIS_LAB -> {}
                case UNMARKED_KEPT -> postgres.comment(name, lab.databaseComment());
                case UNMARKED_LEFT_OVER -> leftOver.add(name);
                case OTHER_LAB ->
                    others.put(
                            name,
                            comment.flatMap(LabIdentity::fromDatabaseComment).orElseThrow());
            }
        }
        for (LabIdentity other : new java.util.LinkedHashSet<>(others.values())) {
            Optional<LabState> running =
                    LabState.read(new LabHome(other.folder()).labState()).filter(LabState::alive);
            if (running.isPresent()) {
                throw otherLabRunning(
                        List.copyOf(others.keySet()),
                        other,
                        " (pid " + running.get().pid() + ")");
            }
        }
        for (Map.Entry<String, LabIdentity> database : others.entrySet()) {
            try {
                postgres.dropUnused(database.getKey());
            } catch (LabPostgres.DatabaseInUseException e) {
                throw otherLabRunning(List.of(e.database()), database.getValue(), "");
            }
        }
        leftOver.forEach(postgres::dropUnused);
        if (!others.isEmpty()) {
            out.println("PostgreSQL: the databases " + String.join(", ", others.keySet()) + " belonged to the lab in "
                    + String.join(
                            ", ",
                            new java.util.LinkedHashSet<>(others.values().stream()
                                    .map(o -> o.folder().toString())
                                    .toList()))
                    + ", which used this server after this lab last ran; they are made anew for this lab (its"
                    + " deployment history starts again, nothing of the other lab's hosts carries over). To keep each"
                    + " lab's databases, give one of them names of its own: "
                    + ServiceModule.DATABASE_PREFIX_VARIABLE + "=<name> ./handoff up");
        }
        if (!leftOver.isEmpty()) {
            out.println("New lab: dropped the databases an earlier lab left on this server ("
                    + String.join(", ", leftOver) + "); its history and host-key pins belong to its hosts");
        }
    }

    /** The service's database, created (and marked as this lab's) if it does not exist yet. */
    LabPostgres.DatabaseAndState open(ServiceModule service) {
        LabPostgres.DatabaseAndState database = postgres.database(service.database(env));
        if (database.created()) {
            postgres.comment(database.database().name(), lab.databaseComment());
        }
        return database;
    }

    private IllegalStateException otherLabRunning(List<String> databases, LabIdentity other, String pid) {
        return new IllegalStateException("PostgreSQL: the lab databases " + String.join(", ", databases) + " ("
                + postgres.description() + ") belong to the lab in " + other.folder() + ", which is running" + pid
                + ". Stop it first (" + LabHome.VARIABLE + "=" + other.folder() + " ./handoff down), or give this lab"
                + " databases of its own: " + ServiceModule.DATABASE_PREFIX_VARIABLE + "=<name> ./handoff up");
    }
}
