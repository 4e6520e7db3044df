package dev.handoff.sops;

/**
 * A file that cannot be read as a SOPS document. The message names the problem and a line, never the input text.
 */
public final class SopsFormatException extends Exception {
    private final String code;

    /**
     * @param code stable kebab-case code, e.g. {@code invalid-yaml}, {@code duplicate-key}
     * @param message the problem, without quoting the input
     */
    public SopsFormatException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The finding code. */
    public String code() {
        return code;
    }
}
