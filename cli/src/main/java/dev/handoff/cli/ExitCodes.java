package dev.handoff.cli;

/** handoffctl's exit codes; scripts may rely on them. */
final class ExitCodes {
    /** Done. */
    static final int OK = 0;
    /** control-service answered, and said no (a refused replay, an unknown deployment, a server error). */
    static final int REFUSED = 1;
    /** The command line is wrong. */
    static final int USAGE = 2;
    /** control-service could not be reached. */
    static final int UNREACHABLE = 3;
    /** No token, an unknown token, or a token whose role is too low. */
    static final int AUTH = 4;

    private ExitCodes() {}
}
