package dev.handoff.backup.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it is logged or published: every known secret (a password, a repository URL
 * read from a file) and any {@code user:password@} of a URL. restic masks the password of a REST URL itself; this is
 * the second belt.
 */
public final class Redactor {
    private static final Pattern USERINFO = Pattern.compile("(://)[^/@\\s]+@");

    private final List<String> secrets = new ArrayList<>();

    /** Learns {@code secret} (ignored when blank or shorter than 4 characters, to keep text readable). */
    public Redactor learn(String secret) {
        if (secret != null) {
            String s = secret.strip();
            if (s.length() >= 4 && !secrets.contains(s)) {
                secrets.add(s);
            }
        }
        return this;
    }

    /** {@code text} without any learnt secret or URL credentials. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "(redacted)");
        }
        return USERINFO.matcher(out).replaceAll("$1***@");
    }

    /** A repository URL for display: without {@code user:password@}. */
    public static String withoutCredentials(String url) {
        return USERINFO.matcher(url.strip()).replaceAll("$1");
    }
}
