package dev.handoff.infra.stage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A Terramate tag filter, as {@code after = ["tag:prod:networking"]} and {@code before} take it: {@code :} is AND,
 * {@code ,} is OR, and AND binds tighter ({@code a:b,c} is {@code (a && b) || c}); no grouping, no negation.
 *
 * <p>Follows Terramate's {@code config/filter} and {@code config/tag} (not only its docs): every tag of the filter must
 * be a valid tag name, an empty filter selects nothing, and an empty tag inside an AND group ({@code a::b}) makes the
 * group select nothing.
 */
public final class TagFilter {
    private final List<List<String>> anyOf;

    private TagFilter(List<List<String>> anyOf) {
        this.anyOf = anyOf;
    }

    /**
     * The filter written after {@code tag:}.
     *
     * @throws IllegalArgumentException naming the first invalid tag and why it is invalid
     */
    public static TagFilter parse(String filter) {
        List<List<String>> anyOf = new ArrayList<>();
        for (String or : filter.split(",", -1)) {
            List<String> allOf = List.of(or.split(":", -1));
            for (String tag : allOf) {
                invalidity(tag).ifPresent(why -> {
                    throw new IllegalArgumentException(why);
                });
            }
            if (!or.isEmpty()) {
                anyOf.add(allOf);
            }
        }
        return new TagFilter(List.copyOf(anyOf));
    }

    /** Whether a stack with these tags matches. */
    public boolean matches(Collection<String> tags) {
        return anyOf.stream().anyMatch(allOf -> allOf.stream().allMatch(t -> !t.isEmpty() && tags.contains(t)));
    }

    /**
     * Why {@code tag} is not a valid Terramate tag name, if it is not: it may hold only {@code [a-z0-9_./-]} and must
     * start and end with {@code [a-z0-9]} (Terramate's {@code tag.Validate}; the empty string passes it).
     */
    public static Optional<String> invalidity(String tag) {
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            boolean lowerAlnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (i == 0 && !lowerAlnum) {
                return Optional.of('"' + tag + "\": tags must start with a lowercase letter or a digit ([0-9a-z])");
            }
            if (i == tag.length() - 1 && !lowerAlnum) {
                return Optional.of('"' + tag + "\": tags must end with a lowercase letter or a digit ([0-9a-z])");
            }
            if (!lowerAlnum && c != '-' && c != '_' && c != '.' && c != '/') {
                return Optional.of('"' + tag + "\": tags may hold only lowercase letters, digits and - _ . /");
            }
        }
        return Optional.empty();
    }
}
