package org.gdml4j.testsupport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.Set;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;

/**
 * A host-less backend with the CUDA backend's limits, for machines without a GPU: no host views of its memory (so the
 * kernel operator is the staged one, as on a GPU), and every operation that {@code CudaBackend} does not offer is
 * refused the way it refuses it ({@code pstrf}, {@code gesdd}; FP64 only for the reductions, LAPACK, {@code symv} and
 * the element-wise and structural passes; matrix transfers without conversion). Everything else is the host-less
 * backend's, which computes with the CPU backend: a pipeline that passes here uses only what the CUDA backend offers,
 * and gives the CPU backend's bits.
 */
public final class CudaShapedBackend {
    /** Operations whose every floating-point operand must be FP64 on the CUDA backend. */
    private static final Set<String> FP64_ONLY = Set.of("dot", "symv", "potrf", "syevd", "geqrf", "orgqr", "axpby", "multiply",
            "sum", "maxAbs", "triangle", "symmetrize", "add", "addSquares", "maxIndex", "gatherRows", "setElements", "rowSquares",
            "columnDots", "dots");

    private CudaShapedBackend() {
    }

    public static Backend create() {
        HostlessBackend inner = new HostlessBackend();
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            String name = method.getName();
            switch (name) {
                case "hostCompute":
                    return Optional.empty();
                case "name":
                    return "cuda-shaped (test; " + inner.name() + ")";
                case "pstrf", "gesdd":
                    throw new UnsupportedOperationException(name + " is not offered by the CUDA backend");
                case "upload", "download":
                    if (args[0] instanceof Matrix a && args[1] instanceof Matrix b && a.precision() != b.precision()) {
                        throw new IllegalArgumentException(name + ": " + a + " and " + b + " (the CUDA backend does not convert)");
                    }
                    break;
                default:
                    if (FP64_ONLY.contains(name)) {
                        for (Object o : args) {
                            requireFp64(name, o);
                        }
                    }
            }
            try {
                return method.invoke(inner, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static void requireFp64(String op, Object o) {
        if (o instanceof Matrix m && m.precision() != Precision.FP64 || o instanceof Vector v && v.precision() != Precision.FP64) {
            throw new UnsupportedOperationException(op + " on the CUDA backend takes FP64 operands, got " + o);
        }
        if (o instanceof Vector[] vs) {
            for (Vector v : vs) {
                requireFp64(op, v);
            }
        }
    }
}
