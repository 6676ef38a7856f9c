package org.gdml4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tiny pickle interpreter for the payload of a 0-d numpy object array, the only pickles sGDML files contain
 * ({@code md5_test = None}, {@code f_err}/{@code e_err} = a dict of str to float).
 *
 * <p>numpy stores an object array as a pickle of the whole ndarray: a call of {@code _reconstruct}, then a
 * {@code __setstate__} ({@code BUILD}) with the tuple (version, shape, dtype, fortran flag, list of items).
 * The interpreter never calls anything: {@code GLOBAL} and {@code REDUCE} only build descriptive records, and the
 * finished object graph is then matched against that one shape. Anything else is reported, naming the Python
 * class found, so a stranger pickle can never execute code nor be silently misread.
 */
final class PickleReader {
    private static final Set<String> MULTIARRAY = Set.of("numpy.core.multiarray", "numpy._core.multiarray");
    private static final Object MARK = new Object();

    /** A reference to a Python global ({@code module.name}); never resolved to code. */
    private record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }

        boolean isMultiarray(String function) {
            return MULTIARRAY.contains(module) && name.equals(function);
        }
    }

    /** A Python tuple; a record so that memoised tuples compare by value. */
    private record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** The result of {@code callable(*args)}, plus the state a later {@code BUILD} gave it. */
    private static final class Instance {
        final Global callable;
        final Tuple args;
        Object state;

        Instance(Global callable, Tuple args) {
            this.callable = callable;
            this.args = args;
        }
    }

    private final byte[] in;
    private final String where;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;

    private PickleReader(byte[] in, String where) {
        this.in = in;
        this.where = where;
    }

    /**
     * Decodes the pickled payload of a 0-d object array.
     *
     * @return {@code null} for None, or an unmodifiable {@code Map<String, Double>}
     */
    static Object readObjectArrayItem(byte[] pickle, String where) {
        PickleReader vm = new PickleReader(pickle, where);
        Object top;
        try {
            top = vm.run();
        } catch (IndexOutOfBoundsException | ClassCastException e) {
            throw vm.malformed("inconsistent opcode sequence");
        }
        return vm.item(vm.arrayItem(top));
    }

    private Object run() {
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80 -> u8(); // PROTO: any version; the opcodes themselves say what is needed
                case 0x95 -> bytes(8); // FRAME: a read-ahead hint only
                case '.' -> {
                    if (stack.size() != 1) {
                        throw malformed("stack holds " + stack.size() + " values at STOP");
                    }
                    return stack.getFirst();
                }
                case 'c' -> push(new Global(line(), line()));
                case 0x93 -> {
                    String name = (String) pop();
                    push(new Global((String) pop(), name));
                }
                case 0x8c -> push(utf8(u8()));
                case 'X' -> push(utf8(length(4)));
                case 0x8d -> push(utf8(length(8)));
                case 'C' -> push(bytes(u8()));
                case 'B' -> push(bytes(length(4)));
                case 0x8e -> push(bytes(length(8)));
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'q' -> memo.put((long) u8(), peek());
                case 'r' -> memo.put(length(4) & 0xFFFFFFFFL, peek());
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(length(4) & 0xFFFFFFFFL));
                case '(' -> push(MARK);
                case ')' -> push(new Tuple(List.of()));
                case 't' -> push(new Tuple(popToMark()));
                case 0x85 -> push(tupleOfTop(1));
                case 0x86 -> push(tupleOfTop(2));
                case 0x87 -> push(tupleOfTop(3));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popToMark()));
                case 'a' -> {
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 'e' -> {
                    List<Object> values = popToMark();
                    list(peek()).addAll(values);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putPairs(map, popToMark());
                    push(map);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    dict(peek()).put(key, value);
                }
                case 'u' -> {
                    List<Object> pairs = popToMark();
                    putPairs(dict(peek()), pairs);
                }
                case 'R', 0x81 -> { // REDUCE callable(*args); NEWOBJ cls.__new__(cls, *args): both only recorded
                    Tuple args = (Tuple) pop();
                    push(new Instance(global(pop()), args));
                }
                case 'b' -> {
                    Object state = pop();
                    if (!(peek() instanceof Instance target)) {
                        throw unsupported(typeName(peek()));
                    }
                    target.state = state;
                }
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (u8() | u8() << 8));
                case 'J' -> push((long) length(4));
                case 0x8a -> push(long1(u8()));
                default -> throw malformed(String.format("unsupported pickle opcode 0x%02x at byte %d", op, pos - 1));
            }
        }
    }

    /** Unwraps the ndarray numpy pickled into the one Python value it holds. */
    private Object arrayItem(Object top) {
        if (!(top instanceof Instance array)) {
            throw unsupported(typeName(top));
        }
        if (array.callable.isMultiarray("_reconstruct") && array.state instanceof Tuple state && state.size() == 5) {
            String dtype = dtypeName(state.get(2));
            if (!"O8".equals(dtype)) {
                throw unsupported("numpy.ndarray of dtype '" + dtype + "'");
            }
            Tuple shape = (Tuple) state.get(1);
            if (shape.size() != 0) {
                throw unsupported("object array of shape " + shape.items() + "; only 0-d ones are supported");
            }
            List<Object> items = list(state.get(4));
            if (items.size() != 1) {
                throw malformed("a 0-d array with " + items.size() + " items");
            }
            return items.getFirst();
        }
        // the shortest form, which our own writer emits: numpy.array(value)
        if (array.callable.module().equals("numpy") && array.callable.name().equals("array") && array.args.size() == 1) {
            return array.args.get(0);
        }
        throw unsupported(array.callable.qualified());
    }

    /** Converts the item to the Java value sGDML's object fields need: None or a dict of str to float. */
    private Object item(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw unsupported(typeName(value));
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw unsupported("dict with a " + typeName(e.getKey()) + " key");
            }
            out.put(key, floatValue(key, e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }

    /** A Python float, or a numpy float64 scalar (what {@code np.mean} returns), as a double. */
    private double floatValue(String key, Object v) {
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Instance s && s.callable.isMultiarray("scalar") && s.args.size() == 2
                && "f8".equals(dtypeName(s.args.get(0))) && s.args.get(1) instanceof byte[] raw && raw.length == 8) {
            return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getDouble();
        }
        throw unsupported("dict value of '" + key + "' is a " + typeName(v) + ", not a float");
    }

    /** The type code of a pickled {@code numpy.dtype(code, False, True)}, little-endian only. */
    private String dtypeName(Object o) {
        if (o instanceof Instance d && d.callable.module().equals("numpy") && d.callable.name().equals("dtype")
                && d.args.size() >= 1 && d.args.get(0) instanceof String code) {
            if (d.state instanceof Tuple st && st.size() > 1 && ">".equals(st.get(1))) {
                return ">" + code;
            }
            return code;
        }
        throw unsupported(typeName(o) + " where a numpy.dtype was expected");
    }

    private static String typeName(Object o) {
        return switch (o) {
            case null -> "None";
            case Instance i -> i.callable.qualified();
            case Global g -> g.qualified();
            case Tuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case String s -> "str";
            case byte[] b -> "bytes";
            case Double d -> "float";
            case Long l -> "int";
            case Boolean b -> "bool";
            default -> o.getClass().getSimpleName();
        };
    }

    private Global global(Object o) {
        if (o instanceof Global g) {
            return g;
        }
        throw unsupported("call of a " + typeName(o));
    }

    private void putPairs(Map<Object, Object> map, List<Object> pairs) {
        if (pairs.size() % 2 != 0) {
            throw malformed("odd number of dict items");
        }
        for (int i = 0; i < pairs.size(); i += 2) {
            map.put(pairs.get(i), pairs.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof List<?> l && !(o instanceof Tuple)) {
            return (List<Object>) l;
        }
        throw unsupported(typeName(o) + " where a list was expected");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw unsupported(typeName(o) + " where a dict was expected");
    }

    private Tuple tupleOfTop(int n) {
        if (stack.size() < n) {
            throw malformed("stack underflow");
        }
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        Tuple t = new Tuple(Collections.unmodifiableList(new ArrayList<>(top)));
        top.clear();
        return t;
    }

    private List<Object> popToMark() {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw malformed("MARK missing");
        }
        List<Object> top = stack.subList(mark + 1, stack.size());
        List<Object> items = Collections.unmodifiableList(new ArrayList<>(top));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || stack.getLast() == MARK) {
            throw malformed("stack underflow");
        }
        return stack.removeLast();
    }

    private Object peek() {
        if (stack.isEmpty() || stack.getLast() == MARK) {
            throw malformed("stack underflow");
        }
        return stack.getLast();
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw malformed("memo entry " + index + " missing");
        }
        return memo.get(index);
    }

    private int u8() {
        if (pos >= in.length) {
            throw malformed("truncated pickle");
        }
        return in[pos++] & 0xFF;
    }

    /** A little-endian length or BININT of {@code n} bytes (4 or 8), as a signed int. */
    private int length(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) u8() << (8 * i);
        }
        if (n == 4) {
            return (int) v;
        }
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw malformed("pickled object too large");
        }
        return (int) v;
    }

    private long long1(int n) {
        if (n > 8) {
            throw malformed("integer wider than 64 bits");
        }
        byte[] b = bytes(n);
        long v = n > 0 && b[n - 1] < 0 ? -1L : 0L;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    private byte[] bytes(int n) {
        if (n < 0 || n > in.length - pos) {
            throw malformed("truncated pickle");
        }
        byte[] out = java.util.Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return out;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            pos++;
        }
        if (pos >= in.length) {
            throw malformed("truncated pickle");
        }
        return new String(in, start, pos++ - start, StandardCharsets.UTF_8);
    }

    private SgdmlFormatException unsupported(String what) {
        return SgdmlFormatException.at(where, "unsupported pickled object payload (" + what
                + "); sGDML files only hold None or a dict of str to float in object arrays");
    }

    private SgdmlFormatException malformed(String what) {
        return SgdmlFormatException.at(where, "malformed pickled object payload: " + what);
    }
}
