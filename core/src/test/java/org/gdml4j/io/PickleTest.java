package org.gdml4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.gdml4j.io.IoAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The pickle subset: numpy's payloads of 0-d object arrays in the protocols numpy 1.x and 2.x write, our own
 * payload, and a clear refusal of everything else. The hex strings were produced by numpy 2.4 with
 * {@code pickle.dumps(array, protocol=p).hex()}.
 */
class PickleTest {
    /** np.array({'mae': 1.5, 'rmse': 2.0}, dtype=object), protocol 2: GLOBAL, BINPUT, bytes via _codecs.encode. */
    static final String DICT_P2 = "8002636e756d70792e5f636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a"
            + "6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e31710586"
            + "7106527107877108527109284b0129636e756d70790a64747970650a710a58020000004f38710b898887710c52710d284b035801000000"
            + "7c710e4e4e4e4affffffff4affffffff4b3f74710f62895d71107d71112858030000006d61657112473ff80000000000005804000000726d"
            + "736571134740000000000000007561747114622e";
    /** A 0-d object array holding {'mae': np.float64(0.25)}, protocol 3 (numpy 1.x's default): a numpy scalar value. */
    static final String NUMPY_SCALAR_P3 = "8003636e756d70792e5f636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e"
            + "756d70790a6e6461727261790a71014b008571024301627103877104527105284b0129636e756d70790a64747970650a710658020000004f"
            + "3871078988877108527109284b0358010000007c710a4e4e4e4affffffff4affffffff4b3f74710b62895d710c7d710d58030000006d6165"
            + "710e636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a710f68065802000000663871108988877111527112284b"
            + "0358010000003c71134e4e4e4affffffff4affffffff4b00747114624308000000000000d03f71158671165271177361747118622e";
    /** A 0-d object array holding the list [1, 2], protocol 4. */
    static final String LIST_P4 = "8004958e000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374"
            + "727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b012968038c0564747970659493948c"
            + "024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d945d94284b014b0265617494622e";
    /** np.array([1.0, 2.0]) (a float array, not an object array), protocol 4. */
    static final String FLOATS_P4 = "80049599000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374"
            + "727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b02859468038c05647479706594"
            + "93948c02663894898887945294284b038c013c944e4e4e4affffffff4affffffff4b00749462894310000000000000f03f00000000000000"
            + "40947494622e";

    @TempDir
    Path dir;

    private static Object read(String hex) {
        return PickleReader.readObjectArrayItem(HexFormat.of().parseHex(hex), "f.npz: key 'k'");
    }

    @Test
    void readsNumpyPayloadsOfEveryProtocol() {
        assertEquals(Map.of("mae", 1.5, "rmse", 2.0), read(DICT_P2));
        assertEquals(Map.of("mae", 0.25), read(NUMPY_SCALAR_P3));
        // numpy 1.x names the module numpy.core.multiarray; GLOBAL carries it as text, so it can be swapped in place
        String numpy1 = new String(HexFormat.of().parseHex(DICT_P2), StandardCharsets.ISO_8859_1)
                .replace("numpy._core.multiarray", "numpy.core.multiarray");
        assertEquals(Map.of("mae", 1.5, "rmse", 2.0),
                PickleReader.readObjectArrayItem(numpy1.getBytes(StandardCharsets.ISO_8859_1), "w"));
    }

    @Test
    void ourPayloadReadsBack() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rmse", Double.NaN);
        m.put("mäe", -1.0);
        IoAssertions.assertObjectEquals(m, PickleReader.readObjectArrayItem(PickleWriter.objectArrayPayload(m), "w"), "dict");
        assertNull(PickleReader.readObjectArrayItem(PickleWriter.objectArrayPayload(null), "w"));
    }

    @Test
    void rejectsOtherPayloadsNamingWhatWasFound() {
        assertMessage(assertThrows(SgdmlFormatException.class, () -> read(LIST_P4)),
                "f.npz: key 'k'", "unsupported pickled object payload (list)");
        assertMessage(assertThrows(SgdmlFormatException.class, () -> read(FLOATS_P4)), "numpy.ndarray of dtype 'f8'");
        assertMessage(fails("\u0080\u0002ccollections\nOrderedDict\n)R."), "(collections.OrderedDict)");
        assertMessage(fails("\u0080\u0002cnumpy\narray\n}(X\u0003\u0000\u0000\u0000maeK\u0001u\u0085R."),
                "dict value of 'mae' is a int, not a float");
        assertMessage(fails("\u0080\u0002cnumpy\narray\nX\u0002\u0000\u0000\u0000hi\u0085R."), "(str)");
        assertMessage(fails("\u0080\u0002cnumpy\narray\n}(X\u0003\u0000\u0000\u0000ma"), "malformed", "truncated");
        assertMessage(fails("\u0080\u0002I42\n."), "unsupported pickle opcode 0x49");
        assertMessage(fails("\u0080\u0002N."), "(None)");
        assertMessage(fails("\u0080\u0002t."), "MARK missing");
    }

    @Test
    void errorsInAnArchiveNameTheFileAndKey() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("f_err", IoAssertions.objectNpy(HexFormat.of().parseHex(LIST_P4)));
        entries.put("many", IoAssertions.rawNpy("|O", "(2,)", new byte[0]));
        Path file = IoAssertions.rawNpz(dir.resolve("odd.npz"), entries);
        try (NpzReader npz = NpzReader.open(file)) {
            assertMessage(assertThrows(SgdmlFormatException.class, () -> npz.read("f_err", Arena.ofAuto())),
                    "odd.npz: key 'f_err'", "unsupported pickled object payload (list)");
            assertMessage(assertThrows(SgdmlFormatException.class, () -> npz.read("many", Arena.ofAuto())),
                    "odd.npz: key 'many'", "object array of shape (2,)");
        }
    }

    private static SgdmlFormatException fails(String latin1) {
        return assertThrows(SgdmlFormatException.class,
                () -> PickleReader.readObjectArrayItem(latin1.getBytes(StandardCharsets.ISO_8859_1), "f.npz: key 'k'"));
    }
}
