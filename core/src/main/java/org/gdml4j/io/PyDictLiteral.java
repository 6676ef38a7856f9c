package org.gdml4j.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.gdml4j.error.InvalidInputException;

/**
 * Parser for the Python dict literal in a .npy header, e.g. {@code {'descr': '<f8', 'fortran_order': False,
 * 'shape': (5, 4, 3), }}.
 *
 * <p>Only the value forms numpy writes there are accepted: quoted strings, {@code True}/{@code False} and tuples of
 * integers (old Python 2 files may carry an {@code L} suffix on them). Values become {@link String},
 * {@link Boolean} and {@code List<Long>}. A structured dtype (a list as {@code descr}) is reported as unsupported.
 */
final class PyDictLiteral {
    private final String text;
    private int pos;

    private PyDictLiteral(String text) {
        this.text = text;
    }

    /** @throws InvalidInputException with a problem text naming what was found */
    static Map<String, Object> parse(String text) {
        PyDictLiteral p = new PyDictLiteral(text);
        Map<String, Object> result = p.dict();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.fail("trailing characters after the header dict");
        }
        return result;
    }

    private Map<String, Object> dict() {
        expect('{');
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            map.put(key, value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw fail("expected ',' or '}'");
            }
        }
    }

    private Object value() {
        char c = peek();
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '(') {
            return tuple();
        }
        if (c == '[') {
            throw new InvalidInputException("structured (record) dtypes are not supported");
        }
        if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw fail("unexpected value");
    }

    private List<Long> tuple() {
        expect('(');
        List<Long> items = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek() == ')') {
                pos++;
                return items;
            }
            items.add(integer());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != ')') {
                throw fail("expected ',' or ')' in the shape tuple");
            }
        }
    }

    private long integer() {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw fail("expected a non-negative integer");
        }
        long value;
        try {
            value = Long.parseLong(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw fail("integer out of range");
        }
        if (pos < text.length() && text.charAt(pos) == 'L') {
            pos++;
        }
        return value;
    }

    private String string() {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw fail("expected a quoted string");
        }
        int end = text.indexOf(quote, pos + 1);
        if (end < 0) {
            throw fail("unterminated string");
        }
        String s = text.substring(pos + 1, end);
        if (s.indexOf('\\') >= 0) {
            // numpy never escapes anything in the keys or dtype strings it writes
            throw fail("escape sequences are not supported");
        }
        pos = end + 1;
        return s;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw fail("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private InvalidInputException fail(String what) {
        String shown = text.strip();
        if (shown.length() > 120) {
            shown = shown.substring(0, 120) + "...";
        }
        return new InvalidInputException("malformed .npy header (" + what + " at character " + pos + "): " + shown);
    }
}
