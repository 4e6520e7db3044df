package dev.handoff.sops;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The {@code creation_rules} of a repository's {@code .sops.yaml}: which age recipients sops encrypts a new or
 * re-keyed file to. As in sops, the first rule whose {@code path_regex} matches the file's path (relative to the
 * repository root) applies; a rule without {@code path_regex} matches every file.
 */
public final class CreationRules {
    /** The file sops reads its rules from. */
    public static final String FILE = ".sops.yaml";

    private final List<Rule> rules;

    /**
     * One creation rule.
     *
     * @param index its position in {@code creation_rules}, from 0
     * @param pathRegex its {@code path_regex}, if any
     * @param ageRecipients the age recipients of its {@code age} and {@code key_groups[].age}
     */
    public record Rule(int index, Optional<Pattern> pathRegex, List<String> ageRecipients) {
        /** Whether this rule applies to {@code path}. */
        public boolean matches(String path) {
            return pathRegex.map(p -> p.matcher(path).find()).orElse(true);
        }

        /** How a person recognises the rule. */
        public String describe() {
            return "creation_rules[" + index + "]"
                    + pathRegex.map(p -> " (path_regex " + p.pattern() + ")").orElse("");
        }
    }

    private CreationRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Parses the text of a {@code .sops.yaml}.
     *
     * @throws SopsFormatException naming the problem and what to do
     */
    public static CreationRules parse(String text) throws SopsFormatException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(1024 * 1024);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new SopsFormatException("invalid-sops-config", FILE + " is not valid YAML at line " + line);
        } catch (YAMLException e) {
            throw new SopsFormatException("invalid-sops-config", FILE + " is not valid YAML");
        }
        if (!(root instanceof Map<?, ?> map) || !(map.get("creation_rules") instanceof List<?> list)) {
            throw new SopsFormatException(
                    "invalid-sops-config", FILE + " has no creation_rules list; add one rule per path_regex");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> rule)) {
                throw new SopsFormatException(
                        "invalid-sops-config", FILE + ": creation_rules[" + i + "] is not a mapping");
            }
            Optional<Pattern> regex = Optional.empty();
            if (rule.get("path_regex") instanceof String s) {
                try {
                    regex = Optional.of(Pattern.compile(s));
                } catch (PatternSyntaxException e) {
                    throw new SopsFormatException(
                            "invalid-sops-config",
                            FILE + ": creation_rules[" + i + "].path_regex is not a valid regular expression");
                }
            }
            LinkedHashSet<String> recipients = new LinkedHashSet<>();
            addAge(rule.get("age"), recipients);
            if (rule.get("key_groups") instanceof List<?> groups) {
                for (Object group : groups) {
                    if (group instanceof Map<?, ?> g) {
                        addAge(g.get("age"), recipients);
                    }
                }
            }
            rules.add(new Rule(i, regex, List.copyOf(recipients)));
        }
        return new CreationRules(rules);
    }

    private static void addAge(Object age, LinkedHashSet<String> out) {
        if (age instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        } else if (age instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s && !s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
    }

    /** The rule sops applies to {@code path}, if any. */
    public Optional<Rule> ruleFor(String path) {
        return rules.stream().filter(r -> r.matches(path)).findFirst();
    }

    /** Every rule, in file order. */
    public List<Rule> rules() {
        return rules;
    }
}
