package dev.handoff.sops;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM as sops uses it for values and the MAC: 32-byte IV, 128-bit tag, the key path as AAD. */
final class ValueCipher {
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM missing from the JDK", e);
        }
    });

    private ValueCipher() {}

    /** The plaintext of {@code value}, or empty when the key, AAD or ciphertext do not authenticate. */
    static Optional<byte[]> decrypt(byte[] dataKey, EncryptedValue value, String aad) {
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, value.iv()));
            cipher.updateAAD(aad.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] input = new byte[value.data().length + value.tag().length];
            System.arraycopy(value.data(), 0, input, 0, value.data().length);
            System.arraycopy(value.tag(), 0, input, value.data().length, value.tag().length);
            return Optional.of(cipher.doFinal(input));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Encrypts {@code plaintext} with a fresh random IV. */
    static EncryptedValue encrypt(byte[] dataKey, byte[] plaintext, String aad, String type, SecureRandom random) {
        try {
            byte[] iv = new byte[32];
            random.nextBytes(iv);
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, iv));
            cipher.updateAAD(aad.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] out = cipher.doFinal(plaintext);
            byte[] data = java.util.Arrays.copyOfRange(out, 0, out.length - 16);
            byte[] tag = java.util.Arrays.copyOfRange(out, out.length - 16, out.length);
            return new EncryptedValue(data, iv, tag, type);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }
}
