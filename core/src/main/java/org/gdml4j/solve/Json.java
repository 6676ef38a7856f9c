package org.gdml4j.solve;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Just enough JSON writing for reports and logs (numbers, strings, lists, maps); no parsing. */
public final class Json {
    private Json() {
    }

    /** Appends {@code "name": value,} to an object being built. */
    public static void field(StringBuilder sb, String name, Object value) {
        string(sb, name);
        sb.append(':');
        value(sb, value);
        sb.append(',');
    }

    public static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Double d) {
            sb.append(Double.isFinite(d) ? Double.toString(d) : "null"); // shortest round-trip form; JSON has no NaN
        } else if (v instanceof Float f) {
            value(sb, f.doubleValue());
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            for (Map.Entry<?, ?> e : m.entrySet()) {
                field(sb, String.valueOf(e.getKey()), e.getValue());
            }
            if (!m.isEmpty()) {
                sb.setLength(sb.length() - 1);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (Object o : l) {
                value(sb, o);
                sb.append(',');
            }
            if (!l.isEmpty()) {
                sb.setLength(sb.length() - 1);
            }
            sb.append(']');
        } else {
            string(sb, v.toString());
        }
    }

    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
