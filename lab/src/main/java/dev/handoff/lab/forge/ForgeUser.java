package dev.handoff.lab.forge;

/**
 * A user of the lab's forge, as Forgejo describes one in webhook payloads ({@code pusher}, {@code sender},
 * {@code repository.owner}).
 *
 * @param id the numeric user id
 * @param login the login name
 * @param fullName the display name
 * @param email the e-mail address
 */
public record ForgeUser(long id, String login, String fullName, String email) {

    /** The organisation that owns the lab repositories. */
    public static final ForgeUser OPS = new ForgeUser(1, "ops", "Operations", "ops@forge.lab.localhost");
}
