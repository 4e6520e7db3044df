package dev.handoff.bench.chaos;

import dev.handoff.bench.chaos.ChaosModel.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A steady stream of {@code ./handoff push}es, the four repositories in turn, one every {@code 60 / perMinute}
 * seconds (a push that takes longer delays the next), each webhook's answer recorded. A push of the infra repository
 * grows the data volume by 1 GB first, so that its deployment applies; the others are empty commits (converge
 * activates each one all the same).
 */
final class Pusher implements Runnable {
    static final List<String> REPOSITORIES = List.of(
            "ops/edge-cluster-infra",
            "ops/infrastructure-secrets",
            "ops/nix-k3s-edge-cluster",
            "ops/infrastructure-nixos");

    private final ChaosLab lab;
    private final Duration every;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean pushing = new AtomicBoolean();
    private volatile long pushStarted;
    private Thread thread;
    private int next;

    Pusher(ChaosLab lab, int perMinute) {
        this.lab = lab;
        this.every = Duration.ofMillis(60_000L / Math.max(1, perMinute));
    }

    synchronized void start() {
        thread = new Thread(this, "chaos-pusher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops after the push under way, and waits for it. */
    void stop() throws InterruptedException {
        stop.set(true);
        synchronized (stop) {
            stop.notifyAll();
        }
        if (thread != null) {
            thread.join(Duration.ofMinutes(6).toMillis());
        }
    }

    /** Whether a push has been under way for at least {@code atLeast} (its webhook is about to go, or going). */
    boolean pushingFor(Duration atLeast) {
        return pushing.get() && System.nanoTime() - pushStarted >= atLeast.toNanos();
    }

    /** What every push so far got. */
    synchronized List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** One push of the next repository, now (also used for the warm-up). */
    Delivery pushNext(String message) throws InterruptedException {
        String repository;
        synchronized (this) {
            repository = REPOSITORIES.get(next++ % REPOSITORIES.size());
        }
        return push(repository, message);
    }

    Delivery push(String repository, String message) throws InterruptedException {
        if (repository.equals(REPOSITORIES.get(0))) {
            try {
                lab.growDataVolume();
            } catch (java.io.IOException e) {
                System.out.println("chaos:   cannot edit the infra repository: " + e.getMessage());
            }
        }
        pushStarted = System.nanoTime();
        pushing.set(true);
        try {
            Delivery d = lab.push(repository, message);
            synchronized (this) {
                deliveries.add(d);
            }
            return d;
        } finally {
            pushing.set(false);
        }
    }

    @Override
    public void run() {
        int n = 0;
        while (!stop.get()) {
            long began = System.nanoTime();
            try {
                Delivery d = pushNext("chaos push " + (++n));
                if (!d.accepted()) {
                    System.out.println("chaos:   push of " + d.repository() + ": " + d.detail());
                }
                long wait = every.toNanos() - (System.nanoTime() - began);
                synchronized (stop) {
                    if (wait > 0 && !stop.get()) {
                        stop.wait(Math.max(1, wait / 1_000_000));
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
