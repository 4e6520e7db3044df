package dev.handoff.bench.chaos;

import dev.handoff.lab.LabDatabase;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The moments a fault is injected at, chosen from what the chain is doing: a line a service logs, a child process a
 * service runs (the stand-in tofu's apply, restic's restore), or a query of the ledger.
 */
final class Moments {
    /** Something to wait for. */
    interface Moment {
        String describe();

        boolean reached();
    }

    private final ChaosLab lab;
    private final LabDatabase ledger;

    Moments(ChaosLab lab, LabDatabase ledger) {
        this.lab = lab;
        this.ledger = ledger;
    }

    /**
     * Polls {@code moment} every 100 ms until it is reached or {@code bound} passes.
     *
     * @return the moment's description, or it with "not seen within …" when the bound passed first (the fault is
     *     then injected at that moment anyway)
     */
    static String await(Moment moment, Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < end) {
            if (moment.reached()) {
                return moment.describe();
            }
            Thread.sleep(100);
        }
        return moment.describe() + " (not seen within " + bound.toSeconds() + " s: injected then)";
    }

    /** A new line of {@code service}'s log (after this call) matching {@code pattern}. */
    Moment logLine(String service, Pattern pattern, String describe) {
        Path log = lab.home().logs().resolve(service + ".log");
        long[] from = {size(log)};
        return new Moment() {
            @Override
            public String describe() {
                return describe;
            }

            @Override
            public boolean reached() {
                long now = size(log);
                if (now <= from[0]) {
                    return false;
                }
                try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                    f.seek(from[0]);
                    byte[] b = new byte[(int) Math.min(now - from[0], 4 << 20)];
                    f.readFully(b);
                    String text = new String(b, StandardCharsets.UTF_8);
                    int lastNl = text.lastIndexOf('\n');
                    if (lastNl < 0) {
                        return false;
                    }
                    from[0] += text.substring(0, lastNl + 1).getBytes(StandardCharsets.UTF_8).length;
                    return pattern.matcher(text.substring(0, lastNl + 1)).find();
                } catch (IOException e) {
                    return false;
                }
            }
        };
    }

    /** A running process whose ancestor is {@code service}'s JVM and whose command line holds every word given. */
    Moment childProcess(String service, List<String> words, String describe) {
        return new Moment() {
            @Override
            public String describe() {
                return describe;
            }

            @Override
            public boolean reached() {
                Optional<Long> pid = lab.servicePid(service);
                if (pid.isEmpty()) {
                    return false;
                }
                try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                    return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                            .anyMatch(p -> {
                                String cmd = cmdline(p);
                                return words.stream().allMatch(cmd::contains) && descends(p, pid.get());
                            });
                } catch (IOException e) {
                    return false;
                }
            }
        };
    }

    /** A row of {@code sql} in the ledger. */
    Moment ledger(String sql, String describe) {
        return of(describe, () -> Observed.exists(ledger, sql));
    }

    /** A trigger of {@code stage} in the ledger (the last 2 minutes) that no end of the stage answers yet. */
    Moment stagePending(String stage, String previousSubject, String describe) {
        String subject = ChaosChecks.STAGE_SUBJECT.get(stage);
        String sql = "select 1 from event e where e.stored_at > clock_timestamp() - interval '2 minutes' and"
                + " ((e.type = 'handoff.commit.pushed' and e.data->>'stage' = '" + stage + "')"
                + (previousSubject == null ? "" : " or e.type = 'handoff." + previousSubject + ".completed'")
                + ") and not exists (select 1 from event f where f.causation_id = e.id and f.type in ('handoff."
                + subject + ".completed', 'handoff." + subject + ".failed', 'handoff." + subject + ".superseded'))"
                + " limit 1";
        return ledger(sql, describe);
    }

    static Moment of(String describe, BooleanSupplier reached) {
        return new Moment() {
            @Override
            public String describe() {
                return describe;
            }

            @Override
            public boolean reached() {
                return reached.getAsBoolean();
            }
        };
    }

    private static boolean descends(Path proc, long ancestor) {
        Path p = proc;
        for (int depth = 0; depth < 6; depth++) {
            long parent = parent(p);
            if (parent <= 1) {
                return false;
            }
            if (parent == ancestor) {
                return true;
            }
            p = Path.of("/proc", Long.toString(parent));
        }
        return false;
    }

    private static long parent(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String cmdline(Path proc) {
        try {
            return new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
