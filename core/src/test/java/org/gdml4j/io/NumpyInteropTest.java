package org.gdml4j.io;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;

import org.gdml4j.testsupport.Python;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.gdml4j.io.IoAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** numpy reads what we write and we read what numpy writes (skipped, with a printed reason, without numpy). */
class NumpyInteropTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needNumpy() {
        Python.assumeNumpy();
    }

    @Test
    void numpyReadsWhatWeWrite() {
        NpzWriter.write(dir.resolve("deflated.npz"), NpzRoundTripTest.everyKind());
        NpzWriter.write(dir.resolve("stored.npz"), NpzRoundTripTest.everyKind(), NpzWriter.Compression.STORED);
        String out = Python.run(dir, """
                import numpy as np, math
                for name in ['deflated.npz', 'stored.npz']:
                    z = np.load(name, allow_pickle=True)
                    assert list(z.files) == ['f8', 'f4', 'i8', 'i4', 'i2', 'u1', 'b1', 'unicode', 'bytes', 'scalar_f8',
                        'scalar_i8', 'scalar_b1', 'empty', 'fortran', 'none', 'dict', 'empty_dict'], z.files
                    f8 = z['f8']
                    assert f8.dtype == np.dtype('<f8') and f8.shape == (2, 3)
                    assert f8[0, 0] == 1.5 and f8[0, 1] == -2.25 and math.isnan(f8[0, 2]) and f8[1, 0] == -np.inf
                    assert z['f4'].dtype == np.float32 and z['f4'][1] == np.float32(-3e38)
                    assert z['i8'].dtype == np.int64 and z['i8'].tolist() == [[-2**63, -1], [0, 2**63 - 1]]
                    assert z['i4'].dtype == np.int32 and z['i4'].tolist() == [-2**31, 5, 2**31 - 1]
                    assert z['i2'].dtype == np.int16 and z['i2'].tolist() == [-32768, 3, 32767]
                    assert z['u1'].dtype == np.uint8 and z['u1'].tolist() == [0, 1, 255]
                    assert z['b1'].dtype == np.bool_ and z['b1'].tolist() == [True, False, True]
                    u = z['unicode']
                    assert u.dtype.kind == 'U' and u.shape == () and type(u.item()) is str and u.item() == 'Ångström ✓ 𝜎'
                    s = z['bytes']
                    assert s.dtype == np.dtype('S32') and s.item() == b'983bbefb7243e10698ba85913d62dd65'
                    assert z['scalar_f8'].shape == () and z['scalar_f8'].item() == -83347.72786300191
                    assert z['scalar_i8'].dtype == np.int64 and z['scalar_i8'].item() == 10
                    assert z['scalar_b1'].dtype == np.bool_ and z['scalar_b1'].item() is True
                    assert z['empty'].shape == (0, 3)
                    f = z['fortran']
                    assert f.flags.f_contiguous and f.tolist() == [[1, 2, 3], [4, 5, 6]]
                    n = z['none']
                    assert n.dtype == object and n.shape == () and n.item() is None
                    d = z['dict'].item()
                    assert list(d) == ['mae', 'rmse'] and math.isnan(d['mae']) and d['rmse'] == 0.125
                    assert z['empty_dict'].item() == {}
                print('numpy read everything')
                """);
        assertTrue(out.contains("numpy read everything"), out);
    }

    /** A model we write loads in numpy like sGDML's own: same keys, dtypes, shapes, layout and values. */
    @Test
    void numpySeesOurModelAsSgdmlsModel() {
        try (Arena arena = Arena.ofConfined()) {
            Path ref = TestData.fixture("ethanol-sym-m30-cg", "model.npz");
            Model model = Model.load(ref, arena);
            Model rebuilt = Model.builder().fromTask(Task.load(TestData.fixture("ethanol-sym-m30-cg", "task.npz"), arena))
                    .trainingDescriptors(model.trainingDescriptors()).descriptorAlphas(model.descriptorAlphas())
                    .alphasF(model.alphasF()).trilPermsLin(model.trilPermsLin()).c(model.c()).std(model.std())
                    .cg(model.cgInfo().orElseThrow()).build("rebuilt");
            rebuilt.write(dir.resolve("ours.npz"));
            String out = Python.run(dir, """
                    import numpy as np, math
                    ref = np.load(%s, allow_pickle=True)
                    ours = np.load('ours.npz', allow_pickle=True)
                    assert list(ref.files) == list(ours.files), (ref.files, ours.files)
                    for k in ref.files:
                        a, b = ref[k], ours[k]
                        assert a.dtype == b.dtype and a.shape == b.shape, (k, a.dtype, b.dtype, a.shape, b.shape)
                        assert a.flags.f_contiguous == b.flags.f_contiguous, k
                        if a.dtype == object:
                            x, y = a.item(), b.item()
                            assert (x is None and y is None) or (list(x) == list(y) and all(
                                (math.isnan(x[i]) and math.isnan(y[i])) or x[i] == y[i] for i in x)), k
                        else:
                            assert np.array_equal(a, b), k
                    assert math.isnan(ours['f_err'].item()['mae'])
                    print('same model')
                    """.formatted("'" + ref.toAbsolutePath() + "'"));
            assertTrue(out.contains("same model"), out);
        }
    }

    @Test
    void weReadWhatNumpyWrites() {
        Python.run(dir, """
                import numpy as np
                arrays = dict(
                    f8=np.array([[1.5, -2.0], [3.25, np.nan]]), f4=np.array([0.5, -1.5], dtype=np.float32),
                    i8=np.array([-5, 2**40]), i4=np.array([-7, 7], dtype=np.int32), i2=np.array([-300], dtype=np.int16),
                    i1=np.array([-128, 127], dtype=np.int8), u1=np.array([200], dtype=np.uint8),
                    u2=np.array([65535], dtype=np.uint16), u4=np.array([2**32 - 1], dtype=np.uint32),
                    u8=np.array([2**63 - 1], dtype=np.uint64), b1=np.array([True, False]),
                    text=np.array('ethanol ✓'), texts=np.array(['ab', 'c']), raw=np.array(b'0123456789abcdef'),
                    fortran=np.asfortranarray(np.arange(6.0).reshape(2, 3)), zero_d=np.array(3.5),
                    none=np.array(None), errors=np.array({'mae': 1.0, 'rmse': np.float64(2.0)}))
                np.savez_compressed('compressed.npz', **arrays)
                np.savez('stored.npz', **arrays)
                for version in [(1, 0), (2, 0), (3, 0)]:
                    with open('v%d.npy' % version[0], 'wb') as f:
                        np.lib.format.write_array(f, np.arange(12.0).reshape(3, 4), version=version)
                with open('v3text.npy', 'wb') as f:
                    np.lib.format.write_array(f, np.array(['ünïcode']), version=(3, 0))
                listed = np.empty((), dtype=object)
                listed[()] = [1, 2]
                np.save('list.npy', listed, allow_pickle=True)
                np.save('big_endian.npy', np.arange(3, dtype='>f8'))
                np.save('complex.npy', np.zeros(2, dtype=complex))
                """);
        try (Arena arena = Arena.ofConfined()) {
            for (String name : new String[] {"compressed.npz", "stored.npz"}) {
                try (NpzReader npz = NpzReader.open(dir.resolve(name))) {
                    double[] f8 = npz.read("f8", arena).toDoubleArray();
                    assertEquals(3.25, f8[2]);
                    assertTrue(Double.isNaN(f8[3]));
                    assertArrayEquals(new double[] {0.5, -1.5}, npz.read("f4", arena).toDoubleArray());
                    assertArrayEquals(new long[] {-5, 1L << 40}, npz.read("i8", arena).toLongArray());
                    assertArrayEquals(new int[] {-7, 7}, npz.read("i4", arena).toIntArray());
                    assertArrayEquals(new int[] {-300}, npz.read("i2", arena).toIntArray());
                    assertArrayEquals(new int[] {-128, 127}, npz.read("i1", arena).toIntArray());
                    assertArrayEquals(new int[] {200}, npz.read("u1", arena).toIntArray());
                    assertArrayEquals(new long[] {65535}, npz.read("u2", arena).toLongArray());
                    assertArrayEquals(new long[] {4294967295L}, npz.read("u4", arena).toLongArray());
                    assertArrayEquals(new long[] {Long.MAX_VALUE}, npz.read("u8", arena).toLongArray());
                    assertArrayEquals(new long[] {1, 0}, npz.read("b1", arena).toLongArray());
                    assertEquals("ethanol ✓", npz.read("text", arena).string());
                    NpyArray texts = npz.read("texts", arena);
                    assertEquals(DType.unicode(2), texts.dtype());
                    assertEquals("ab", texts.stringAt(0));
                    assertEquals("c", texts.stringAt(1));
                    assertEquals("0123456789abcdef", npz.read("raw", arena).string());
                    NpyArray fortran = npz.read("fortran", arena);
                    assertTrue(fortran.fortranOrder());
                    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, fortran.toDoubleArray());
                    assertEquals(0, npz.read("zero_d", arena).ndim());
                    assertEquals(3.5, npz.read("zero_d", arena).scalarDouble());
                    assertNull(npz.read("none", arena).objectValue());
                    assertEquals(Map.of("mae", 1.0, "rmse", 2.0), npz.read("errors", arena).objectValue());
                }
            }
            for (String v : new String[] {"v1", "v2", "v3"}) {
                NpyArray a = NpyReader.read(dir.resolve(v + ".npy"), arena);
                assertArrayEquals(new long[] {3, 4}, a.shape(), v);
                assertEquals(11.0, a.toDoubleArray()[11], v);
            }
            assertEquals("ünïcode", NpyReader.read(dir.resolve("v3text.npy"), arena).stringAt(0));
            assertMessage(assertThrows(SgdmlFormatException.class, () -> NpyReader.read(dir.resolve("list.npy"), arena)),
                    "list.npy", "unsupported pickled object payload (list)");
            assertMessage(assertThrows(SgdmlFormatException.class, () -> NpyReader.read(dir.resolve("big_endian.npy"), arena)),
                    "big_endian.npy", "big-endian dtype '>f8'");
            assertMessage(assertThrows(SgdmlFormatException.class, () -> NpyReader.read(dir.resolve("complex.npy"), arena)),
                    "complex.npy", "unsupported dtype '<c16'");
        }
    }
}
