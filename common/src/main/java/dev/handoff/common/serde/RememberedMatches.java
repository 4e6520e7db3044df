package dev.handoff.common.serde;

import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schemas' {@code pattern}s and {@code propertyNames} patterns, matched by the JDK's engine as the validator
 * does by default, with each pattern remembering its answers for the short strings it saw last.
 *
 * <p>The contract's guards run unanchored alternations ({@code noKeyMaterial}, {@code noSecretFieldNames}) on every
 * string and every field name at every depth: most of a validation's time (a replay of 10,000 records, the ledger's
 * ingest). The strings they meet repeat from event to event (field names, hosts, repositories, commits, recipients,
 * fingerprints), so an answer once computed is looked up instead of searched again. The answer is the engine's own,
 * so validation is unchanged. Memory stays bounded: at most {@value #REMEMBERED} strings of at most
 * {@value #LONGEST} characters per pattern; a full memory starts again empty.
 */
final class RememberedMatches implements RegularExpressionFactory {
    /** Strings remembered per pattern. */
    static final int REMEMBERED = 2_048;
    /** Longer strings are always searched: they rarely repeat, and they would make the memory large. */
    static final int LONGEST = 160;

    static final RememberedMatches INSTANCE = new RememberedMatches();

    private RememberedMatches() {}

    @Override
    public RegularExpression getRegularExpression(String regex) {
        return new Remembering(JDKRegularExpressionFactory.getInstance().getRegularExpression(regex));
    }

    /** One pattern and its remembered answers. */
    static final class Remembering implements RegularExpression {
        private final RegularExpression engine;
        private final Map<String, Boolean> answers = new ConcurrentHashMap<>();

        Remembering(RegularExpression engine) {
            this.engine = engine;
        }

        @Override
        public boolean matches(String value) {
            if (value.length() > LONGEST) {
                return engine.matches(value);
            }
            Boolean known = answers.get(value);
            if (known != null) {
                return known;
            }
            boolean answer = engine.matches(value);
            if (answers.size() >= REMEMBERED) {
                answers.clear();
            }
            answers.put(value, answer);
            return answer;
        }

        int remembered() {
            return answers.size();
        }
    }
}
