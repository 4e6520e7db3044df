package dev.handoff.sops;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark (a main class, run by {@code bench/run-sops}): verifies 1,000 SOPS files of 50 values each with
 * decryption (inspect, open the data key with an age identity, decrypt every value, check the MAC) and prints
 * files/s on one thread and on every core. Target: at least 200 files/s on 2 cores.
 */
public final class SopsVerifyBench {
    // Test-only identity (the lab's operator key, which protects nothing).
    private static final String IDENTITY = "AGE-SECRET-KEY-1GZEVQQYFRKXGY8E4C4778STG6ANLZSCDDF2QSS22AVZ4JC7HCRMS8YG54F";

    private SopsVerifyBench() {}

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int values = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        AgeIdentity identity = AgeIdentity.parse(IDENTITY);
        String other = AgeIdentity.parse("AGE-SECRET-KEY-1YQ0NCY80J3LKZSU46ZCXXDTCVL5Z23K0UVDRY757DM2Y4YRCWLZSCA7E9M")
                .recipients()
                .get(0);
        SopsEncryptor encryptor = new SopsEncryptor(new SecureRandom());
        List<byte[]> corpus = new ArrayList<>(files);
        for (int f = 0; f < files; f++) {
            StringBuilder plain = new StringBuilder();
            for (int v = 0; v < values; v++) {
                if (v % 10 == 0) {
                    plain.append("group").append(v / 10).append(":\n");
                }
                plain.append("    key")
                        .append(v)
                        .append(": value-")
                        .append(f)
                        .append('-')
                        .append(v)
                        .append("-0123456789abcdef\n");
            }
            corpus.add(encryptor
                    .encryptYaml(
                            "f" + f,
                            plain.toString().getBytes(StandardCharsets.UTF_8),
                            List.of(other, identity.recipients().get(0)),
                            Instant.now())
                    .getBytes(StandardCharsets.UTF_8));
        }
        long bytes = corpus.stream().mapToLong(b -> b.length).sum();
        System.out.printf(
                "SOPS verify benchmark: %d files x %d values (%d KiB in all), age X25519, %d cores%n",
                files, values, bytes / 1024, Runtime.getRuntime().availableProcessors());
        run("warm-up    1 thread ", corpus, identity, 1);
        run("measured   1 thread ", corpus, identity, 1);
        int cores = Runtime.getRuntime().availableProcessors();
        run("measured   " + cores + " threads", corpus, identity, cores);
    }

    private static void run(String label, List<byte[]> corpus, AgeIdentity identity, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i++) {
                byte[] content = corpus.get(i);
                String path = "hosts/h" + i + ".yaml";
                results.add(pool.submit(() -> {
                    SopsFile file = SopsFile.inspect(path, content, SopsFile.DEFAULT_MAX_BYTES);
                    return file.findings().isEmpty()
                            && SopsDecryption.verify(file, identity).macVerified();
                }));
            }
            int verified = 0;
            for (Future<Boolean> r : results) {
                verified += r.get() ? 1 : 0;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (verified != corpus.size()) {
                throw new IllegalStateException(verified + " of " + corpus.size() + " files verified");
            }
            System.out.printf(
                    "%s: %d files verified in %.2f s = %.0f files/s (%.0f values/s)%n",
                    label, verified, seconds, verified / seconds, verified * 50 / seconds);
        } finally {
            pool.shutdown();
        }
    }
}
