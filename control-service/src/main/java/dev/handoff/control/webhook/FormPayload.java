package dev.handoff.control.webhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * A webhook whose content type is "form" in Forgejo: the body is {@code application/x-www-form-urlencoded} with the
 * push's JSON as its {@code payload} field ({@code payload=<url-encoded JSON>}), and Forgejo signs that JSON, not the
 * form body.
 */
final class FormPayload {
    private FormPayload() {}

    /** Whether {@code contentType} is a form body. */
    static boolean isForm(String contentType) {
        return contentType != null
                && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** The decoded {@code payload} field of a form body, if it has one (exactly one). */
    static Optional<byte[]> payload(byte[] body) {
        try {
            return field(new String(body, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> field(String form) {
        String found = null;
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!decode(name).equals("payload")) {
                continue;
            }
            if (found != null || eq < 0) {
                return Optional.empty();
            }
            found = pair.substring(eq + 1);
        }
        if (found == null) {
            return Optional.empty();
        }
        return Optional.of(decode(found).getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
