package dev.handoff.lab.world.nixos;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Nix-style store hashes: 32 characters of Nix's base32 alphabet from a SHA-256, for deterministic store paths. */
public final class StoreHash {
    private static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";

    private StoreHash() {}

    /** The store hash of {@code text}. */
    public static String of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The store hash of {@code bytes}. */
    public static String of(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder out = new StringBuilder(32);
            for (int i = 0; i < 32; i++) {
                out.append(ALPHABET.charAt((digest[i] & 0xff) % 32));
            }
            return out.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
