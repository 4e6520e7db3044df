package dev.handoff.sops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test resources: the real sops-nix vectors (see vectors/sops-nix/README.md for their provenance). */
final class Vectors {
    private Vectors() {}

    static byte[] bytes(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors/sops-nix/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    static AgeIdentity identity() {
        return AgeIdentity.parse(text("age-keys.txt"));
    }
}
