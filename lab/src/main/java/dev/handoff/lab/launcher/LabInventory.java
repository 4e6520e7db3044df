package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lab's {@code handoff.yaml}: the template {@code lab/handoff.yaml} from the class path with its
 * {@value #FORGE_PLACEHOLDER} placeholder replaced by the {@code file://} URL of the lab's forge folder.
 */
public final class LabInventory {
    public static final String TEMPLATE = "lab/handoff.yaml";
    public static final String FORGE_PLACEHOLDER = "${FORGE}";

    private LabInventory() {}

    /** The inventory text for a forge at {@code forgeUrl} ({@code file:///…/forge}, no trailing slash). */
    public static String render(String forgeUrl) {
        try (InputStream in = LabInventory.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("the inventory template " + TEMPLATE + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(FORGE_PLACEHOLDER, forgeUrl);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the inventory template " + TEMPLATE, e);
        }
    }

    /** Writes the inventory for {@code forgeUrl} to {@code file}, replacing what was there. */
    public static void write(Path file, String forgeUrl) {
        write(file, forgeUrl, "");
    }

    /**
     * As {@link #write(Path, String)} with {@code moreHosts} (entries of the {@code hosts:} map, indented by two, such
     * as the fleet's) after the template's hosts.
     */
    public static void write(Path file, String forgeUrl, String moreHosts) {
        try {
            Files.createDirectories(file.getParent());
            String text = render(forgeUrl);
            Files.writeString(
                    file, text.endsWith("\n") ? text + moreHosts : text + "\n" + moreHosts, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab inventory " + file, e);
        }
    }
}
