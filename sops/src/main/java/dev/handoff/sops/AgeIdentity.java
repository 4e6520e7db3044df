package dev.handoff.sops;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.armor.ArmoredEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * An age X25519 identity (one or more {@code AGE-SECRET-KEY-1…} lines of an age key file) that can open the data key
 * of SOPS files encrypted to it. Its {@code toString} shows only the public recipients.
 */
public final class AgeIdentity {
    private static final String PREFIX = "AGE-SECRET-KEY-1";

    private final List<RecipientStanzaReader> readers;
    private final List<String> recipients;

    private AgeIdentity(List<RecipientStanzaReader> readers, List<String> recipients) {
        this.readers = List.copyOf(readers);
        this.recipients = List.copyOf(recipients);
    }

    /** Reads an age key file (comments and blank lines ignored). */
    public static AgeIdentity read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of an age key file.
     *
     * @throws IllegalArgumentException when it holds no valid identity (the message never quotes the key)
     */
    public static AgeIdentity parse(String keyFile) {
        List<RecipientStanzaReader> readers = new ArrayList<>();
        List<String> recipients = new ArrayList<>();
        int lineNo = 0;
        for (String line : keyFile.split("\\R")) {
            lineNo++;
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (!trimmed.startsWith(PREFIX)) {
                throw new IllegalArgumentException("line " + lineNo
                        + " is not an age identity (AGE-SECRET-KEY-1…); only X25519 keys are supported");
            }
            try {
                readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(trimmed));
                Key publicKey = new X25519KeyFactory()
                        .translateKey(new SecretKeySpec(trimmed.getBytes(StandardCharsets.US_ASCII), "X25519"));
                recipients.add(new String(publicKey.getEncoded(), StandardCharsets.US_ASCII).trim());
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("line " + lineNo + " is not a valid age identity");
            }
        }
        if (readers.isEmpty()) {
            throw new IllegalArgumentException("no age identity (AGE-SECRET-KEY-1…) found");
        }
        return new AgeIdentity(readers, recipients);
    }

    /** The public recipients ({@code age1…}) of the identities. */
    public List<String> recipients() {
        return recipients;
    }

    /**
     * Opens a data key: the armored age file in a SOPS {@code age[].enc} entry.
     *
     * @return the data key, or empty when none of the identities can open it (or it is not an age file)
     */
    public Optional<byte[]> open(String armored) {
        byte[] input = armored.getBytes(StandardCharsets.US_ASCII);
        try (ReadableByteChannel channel = new ArmoredDecryptingChannelFactory()
                .newDecryptingChannel(Channels.newChannel(new ByteArrayInputStream(input)), readers)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(32);
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                out.write(buffer.array(), 0, buffer.limit());
                buffer.clear();
                if (out.size() > 1024) {
                    return Optional.empty();
                }
            }
            return Optional.of(out.toByteArray());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Encrypts {@code dataKey} to an age {@code recipient} as an ASCII-armored age file, as sops stores it. */
    public static String seal(byte[] dataKey, String recipient) {
        try {
            RecipientStanzaWriter writer = X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (WritableByteChannel channel = new ArmoredEncryptingChannelFactory()
                    .newEncryptingChannel(Channels.newChannel(out), List.of(writer))) {
                channel.write(ByteBuffer.wrap(dataKey));
            }
            return out.toString(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot encrypt to age recipient " + recipient + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "AgeIdentity" + recipients;
    }
}
