/*
 * gdml4j: the C declarations the CPU backend binds to (input of jextract, see docs/native-notes.md §5).
 * The headers themselves come from the org.bytedeco:openblas jar in the local Maven repository
 * (OpenBLAS's cblas.h, which also declares the openblas_* control functions, and LAPACK's lapack.h).
 */
#include <cblas.h>
#include <lapack.h>
