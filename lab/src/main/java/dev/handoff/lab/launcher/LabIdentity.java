package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which lab this is: a random id kept in {@code <lab>/lab-id} (made at the lab's first start, gone with the folder)
 * and the lab's folder. Every lab database carries it as its comment, so that a lab knows its databases from those
 * another lab folder left on the same PostgreSQL server.
 *
 * @param id 32 lower-case hex digits
 * @param folder the lab folder ({@code HANDOFF_HOME}), absolute
 */
public record LabIdentity(String id, Path folder) {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern COMMENT = Pattern.compile("Handoff lab ([0-9a-f]{32}) in (.+)");

    public LabIdentity {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a lab id is 32 lower-case hex digits, not '" + id + "'");
        }
        folder = folder.toAbsolutePath().normalize();
    }

    /** The lab's identity, its id made and written to {@link LabHome#labId()} if the lab has none yet. */
    public static LabIdentity of(LabHome home) {
        Path file = home.labId();
        try {
            if (Files.isRegularFile(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (ID.matcher(id).matches()) {
                    return new LabIdentity(id, home.root());
                }
            }
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            LabIdentity identity = new LabIdentity(HexFormat.of().formatHex(random), home.root());
            Files.createDirectories(file.getParent());
            Files.writeString(file, identity.id() + "\n", StandardCharsets.UTF_8);
            return identity;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the lab's id " + file, e);
        }
    }

    /** What a database of this lab carries as its comment: {@code Handoff lab <id> in <folder>}. */
    public String databaseComment() {
        return "Handoff lab " + id + " in " + folder;
    }

    /** The lab a database comment names, if it is a lab's comment. */
    public static Optional<LabIdentity> fromDatabaseComment(String comment) {
        if (comment == null) {
            return Optional.empty();
        }
        Matcher m = COMMENT.matcher(comment.trim());
        return m.matches() ? Optional.of(new LabIdentity(m.group(1), Path.of(m.group(2)))) : Optional.empty();
    }
}
