package dev.handoff.control.ledger;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.messaging.ReceivedEvent;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;

/**
 * Rows in PostgreSQL's COPY text format: columns separated by a tab, {@code \N} for null, and a backslash, tab,
 * newline or carriage return inside a value written as its backslash escape, so that no value can end a column or a
 * row early.
 */
final class CopyText {
    private CopyText() {}

    /** The row of an event, in the column order of {@code LedgerStore}'s COPY, ending in a newline. */
    static byte[] eventRow(ReceivedEvent r) {
        EventEnvelope e = r.event();
        String data = e.data().toString();
        StringBuilder row = new StringBuilder(256 + data.length());
        value(row, e.id()).append('\t');
        value(row, e.type()).append('\t');
        value(row, e.source()).append('\t');
        value(row, e.subject()).append('\t');
        value(row, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(e.time())).append('\t');
        value(row, e.dataSchema()).append('\t');
        value(row, e.deploymentId()).append('\t');
        value(row, e.causationId()).append('\t');
        value(row, e.replayOf()).append('\t');
        value(row, r.topic()).append('\t');
        row.append(r.partition()).append('\t');
        row.append(r.offset()).append('\t');
        value(row, data).append('\t');
        value(row, r.traceId()).append('\n');
        return row.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Appends a value, escaped, or {@code \N} for null. */
    static StringBuilder value(StringBuilder out, String value) {
        if (value == null) {
            return out.append("\\N");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out;
    }
}
