package dev.handoff.sops;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text forms of Go's standard library that sops reads and hashes, so that this codec accepts and hashes exactly
 * what {@code sops} does: {@code strconv.Atoi}, {@code ParseFloat}, {@code ParseBool}, {@code FormatFloat(f, 'f', -1,
 * 64)}, {@code time.Parse(time.RFC3339, …)} with {@code Format(time.RFC3339)} and {@code MarshalText}, and
 * {@code base64.StdEncoding}. Java's own parsers are more lenient (optional base64 padding, {@code 1.0d},
 * case-insensitive times) and Java 17's {@code Double.toString} is not always the shortest round trip.
 */
final class GoFormats {
    private static final String DIGITS = "[0-9](?:_?[0-9])*";
    private static final String HEX_DIGITS = "[0-9a-fA-F](?:_?[0-9a-fA-F])*";
    private static final Pattern DECIMAL_FLOAT = Pattern.compile(
            "^[+-]?(?:" + DIGITS + "(?:\\.(?:" + DIGITS + ")?)?|\\." + DIGITS + ")(?:[eE][+-]?" + DIGITS + ")?$");
    private static final Pattern HEX_FLOAT = Pattern.compile("^[+-]?0[xX]_?(?:" + HEX_DIGITS + "(?:\\.(?:" + HEX_DIGITS
            + ")?)?|\\." + HEX_DIGITS + ")[pP][+-]?" + DIGITS + "$");
    private static final Pattern INFINITY = Pattern.compile("^[+-]?(?i:inf|infinity)$");
    private static final Pattern NAN = Pattern.compile("^(?i:nan)$");
    private static final Pattern DECIMAL_INT = Pattern.compile("^[+-]?[0-9]+$");
    private static final Pattern RFC3339 = Pattern.compile("^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{1,2}):([0-9]{2}):"
            + "([0-9]{2})(?:[.,]([0-9]+))?(Z|([+-])([0-9]{2}):([0-9]{2}))$");

    private GoFormats() {}

    /** {@code strconv.Atoi} on a 64-bit platform: optional sign, decimal digits only, within {@code long}. */
    static Optional<Long> atoi(String text) {
        if (!DECIMAL_INT.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code strconv.ParseFloat(text, 64)}: decimal or hexadecimal (with a {@code p} exponent) floating-point syntax,
     * digits optionally separated by single underscores, {@code inf}/{@code infinity}/{@code nan} in any case. A
     * finite number too large for a double is an error in Go (not infinity, as in Java).
     */
    static Optional<Double> parseFloat(String text) {
        if (INFINITY.matcher(text).matches()) {
            return Optional.of(text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        if (NAN.matcher(text).matches()) {
            return Optional.of(Double.NaN);
        }
        if (!DECIMAL_FLOAT.matcher(text).matches() && !HEX_FLOAT.matcher(text).matches()) {
            return Optional.empty();
        }
        double value = Double.parseDouble(text.replace("_", ""));
        return Double.isInfinite(value) ? Optional.empty() : Optional.of(value);
    }

    /** {@code strconv.ParseBool}. */
    static Optional<Boolean> parseBool(String text) {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> Optional.of(true);
            case "0", "f", "F", "FALSE", "false", "False" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /**
     * {@code strconv.FormatFloat(value, 'f', -1, 64)}: the fewest decimal digits that read back as {@code value}
     * (nearest to it when several do), written without an exponent; {@code NaN}, {@code +Inf}, {@code -Inf},
     * {@code -0} as Go writes them.
     */
    static String formatFloat(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        boolean negative = (Double.doubleToRawLongBits(value) & Long.MIN_VALUE) != 0;
        double magnitude = Math.abs(value);
        String digits = magnitude == 0 ? "0" : shortest(magnitude).toPlainString();
        return negative ? "-" + digits : digits;
    }

    /** The shortest decimal that parses back to {@code value} (> 0); of two such, the one nearer to it. */
    private static BigDecimal shortest(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal down = exact.round(new MathContext(precision, RoundingMode.FLOOR));
            BigDecimal up = exact.round(new MathContext(precision, RoundingMode.CEILING));
            boolean downOk = down.doubleValue() == value;
            boolean upOk = up.doubleValue() == value;
            if (downOk && upOk) {
                return exact.round(new MathContext(precision, RoundingMode.HALF_EVEN))
                        .stripTrailingZeros();
            }
            if (downOk || upOk) {
                return (downOk ? down : up).stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    /**
     * {@code base64.StdEncoding.DecodeString} (not {@code Strict()}, as sops uses it): padding required, CR and LF
     * ignored, nothing else outside the alphabet, unused trailing bits not checked.
     */
    static Optional<byte[]> base64(String text) {
        String compact = text.indexOf('\r') < 0 && text.indexOf('\n') < 0 ? text : text.replaceAll("[\r\n]", "");
        if (compact.length() % 4 != 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(compact));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code time.Parse(time.RFC3339, text)}, or empty where Go fails. */
    static Optional<GoTime> parseRfc3339(String text) {
        Matcher m = RFC3339.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        int year = Integer.parseInt(m.group(1));
        int month = Integer.parseInt(m.group(2));
        int day = Integer.parseInt(m.group(3));
        int hour = Integer.parseInt(m.group(4));
        int minute = Integer.parseInt(m.group(5));
        int second = Integer.parseInt(m.group(6));
        if (month < 1
                || month > 12
                || day < 1
                || day > YearMonth.of(year, month).lengthOfMonth()
                || hour > 23
                || minute > 59
                || second > 59) {
            return Optional.empty();
        }
        int nanos = 0;
        if (m.group(7) != null) {
            String fraction = (m.group(7) + "000000000").substring(0, 9);
            nanos = Integer.parseInt(fraction);
        }
        int offset = 0;
        if (!m.group(8).equals("Z")) {
            int offsetHours = Integer.parseInt(m.group(10));
            int offsetMinutes = Integer.parseInt(m.group(11));
            if (offsetHours > 24 || offsetMinutes > 60) {
                return Optional.empty();
            }
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (m.group(9).equals("-") ? -1 : 1);
        }
        return Optional.of(new GoTime(LocalDateTime.of(year, month, day, hour, minute, second, nanos), offset));
    }

    /**
     * A time as Go holds it after parsing: the wall clock as written and its offset from UTC.
     *
     * @param wallClock the date and time as written, in the offset's zone
     * @param offsetSeconds the offset from UTC
     */
    record GoTime(LocalDateTime wallClock, int offsetSeconds) {
        /** The instant. */
        Instant instant() {
            return wallClock.toInstant(ZoneOffset.UTC).minusSeconds(offsetSeconds);
        }

        /** {@code Format(time.RFC3339)}: whole seconds, the same offset, {@code Z} for a zero offset. */
        String formatRfc3339() {
            return dateTime() + zone();
        }

        /** {@code MarshalText()}: RFC 3339 with the fraction's trailing zeros (and a zero fraction) left out. */
        String formatRfc3339Nano() {
            String fraction = "";
            if (wallClock.getNano() != 0) {
                fraction = "." + String.format("%09d", wallClock.getNano()).replaceAll("0+$", "");
            }
            return dateTime() + fraction + zone();
        }

        private String dateTime() {
            return String.format(
                    "%04d-%02d-%02dT%02d:%02d:%02d",
                    wallClock.getYear(),
                    wallClock.getMonthValue(),
                    wallClock.getDayOfMonth(),
                    wallClock.getHour(),
                    wallClock.getMinute(),
                    wallClock.getSecond());
        }

        private String zone() {
            if (offsetSeconds == 0) {
                return "Z";
            }
            int abs = Math.abs(offsetSeconds);
            return String.format("%s%02d:%02d", offsetSeconds < 0 ? "-" : "+", abs / 3600, abs % 3600 / 60);
        }
    }
}
