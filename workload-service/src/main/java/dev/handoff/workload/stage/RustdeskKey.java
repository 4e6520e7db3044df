package dev.handoff.workload.stage;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.event.v1.Workload;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The RustDesk profile: a workload running {@code rustdesk/rustdesk-server} keeps its key pair in its hostPath data
 * dir, and clients pin the public key, so the key's fingerprint must stay what it was at the previous verification,
 * unless a rotation is declared in Git: the annotation {@value #ROTATION_ANNOTATION} on the workload, set to a new
 * value. No I/O.
 */
public final class RustdeskKey {
    /** The annotation that declares a key rotation: any value other than the one recorded with the current key. */
    public static final String ROTATION_ANNOTATION = "handoff.dev/rustdesk-key-rotation";

    /** The check's name in the event. */
    public static final String CHECK = "rustdesk-key";

    private static final Pattern IMAGE = Pattern.compile("(^|/)rustdesk/rustdesk-server([:@].*)?$");

    /**
     * A RustDesk data dir of the host and the object that owns it (for findings).
     *
     * @param dataDir the hostPath, e.g. {@code /var/lib/rustdesk}
     * @param owner the first declared object that mounts it
     * @param rotation the declared rotation value, or null
     */
    public record DataDir(String dataDir, DeclaredObject owner, String rotation) {
        /** Where the public key is. */
        public String publicKeyPath() {
            return dataDir + "/id_ed25519.pub";
        }
    }

    /**
     * The key last verified.
     *
     * @param fingerprint its {@code SHA256:} fingerprint
     * @param rotation the rotation value declared when it was recorded, or null
     * @param verifiedAt when
     */
    public record Known(String fingerprint, String rotation, Instant verifiedAt) {}

    /**
     * The judgement on one data dir.
     *
     * @param check the check for the event
     * @param finding the finding when it failed
     * @param keep whether to record the fingerprint as the host's key
     */
    public record Judgement(Workload.Check check, Optional<Detail> finding, boolean keep) {}

    private RustdeskKey() {}

    /** The RustDesk data dirs among {@code declared}: hostPaths mounted by containers of the RustDesk server image. */
    public static List<DataDir> dataDirs(List<DeclaredObject> declared) {
        Map<String, DataDir> dirs = new LinkedHashMap<>();
        for (DeclaredObject o : declared) {
            for (DeclaredObject.Container c : o.containers()) {
                if (c.image() == null || !IMAGE.matcher(c.image()).find()) {
                    continue;
                }
                for (String mount : c.mounts()) {
                    String path = o.hostPaths().get(mount);
                    if (path != null) {
                        String rotation = o.annotations().get(ROTATION_ANNOTATION);
                        DataDir before = dirs.get(path);
                        if (before == null) {
                            dirs.put(path, new DataDir(path, o, rotation));
                        } else if (before.rotation() == null && rotation != null) {
                            dirs.put(path, new DataDir(path, before.owner(), rotation));
                        }
                    }
                }
            }
        }
        return new ArrayList<>(dirs.values());
    }

    /** {@code SHA256:<base64>} of the public key: of the decoded key when the file is base64, else of its bytes. */
    public static String fingerprint(byte[] publicKeyFile) {
        String text = new String(publicKeyFile, StandardCharsets.US_ASCII).trim();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException notBase64) {
            key = text.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return "SHA256:"
                    + Base64.getEncoder()
                            .withoutPadding()
                            .encodeToString(MessageDigest.getInstance("SHA-256").digest(key));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Judges the key found in {@code dir} ({@code fingerprint} empty: no key file) against {@code known}. */
    public static Judgement judge(DataDir dir, Optional<String> fingerprint, Optional<Known> known) {
        String subject = dir.owner().subject();
        if (fingerprint.isEmpty()) {
            String message = dir.publicKeyPath() + " does not exist: the RustDesk server has no key pair yet, or its"
                    + " data dir is not the declared hostPath";
            return new Judgement(
                    new Workload.Check(CHECK, false, message),
                    Optional.of(new Detail("rustdesk-key-missing", subject, message)),
                    false);
        }
        String now = fingerprint.get();
        if (known.isEmpty()) {
            return pass(dir.publicKeyPath() + " " + now + " (first verification: recorded)");
        }
        Known before = known.get();
        if (before.fingerprint().equals(now)) {
            return pass(dir.publicKeyPath() + " " + now + " unchanged since " + before.verifiedAt());
        }
        if (dir.rotation() != null && !dir.rotation().equals(before.rotation())) {
            return pass(dir.publicKeyPath() + " " + now + " replaces " + before.fingerprint() + ": rotation \""
                    + dir.rotation() + "\" declared (" + ROTATION_ANNOTATION + ")");
        }
        String message = dir.publicKeyPath() + " changed from " + before.fingerprint() + " to " + now
                + " without a declared rotation: RustDesk clients pinning the old key will refuse the server. Restore"
                + " the key pair from the runtime backup, or, if the new key is intended, set the annotation "
                + ROTATION_ANNOTATION + " on " + subject + " to a new value in Git";
        return new Judgement(
                new Workload.Check(CHECK, false, message),
                Optional.of(new Detail("rustdesk-key-changed", subject, message)),
                false);
    }

    private static Judgement pass(String detail) {
        return new Judgement(new Workload.Check(CHECK, true, detail), Optional.empty(), true);
    }
}
