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
    /** {@code wait}: a stage failed, or the deployment is stale or superseded (it will not get done). */
    static final int DEPLOYMENT_FAILED = 1;
    /** {@code wait}: the timeout passed before the deployment got done (as the scripts expect, 2). */
    static final int TIMED_OUT = 2;

    private ExitCodes() {}
}
