#!/usr/bin/env bash
# Regenerates the committed FFM bindings in native-bindings/ from the headers and filters in this folder.
#
#   JEXTRACT=/path/to/jextract  jextract-config/regenerate.sh
#
# Needs a jextract launcher you provide (built from github.com/openjdk/jextract outside this repository;
# see docs/native-notes.md §5), the org.bytedeco:openblas jar in the local Maven repository (any `mvn` build of
# this project fetches it) for cblas.h/lapack.h, and the CUDA toolkit headers (default /usr/local/cuda).
# It never runs during a Maven build. Afterwards `git diff --stat native-bindings` must be empty unless
# the headers or filters changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
JEXTRACT=${JEXTRACT:-jextract}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
openblas_version=$(sed -n 's:.*<openblas.version>\(.*\)</openblas.version>.*:\1:p' "$root/pom.xml")
jar="${MAVEN_REPO:-$HOME/.m2/repository}/org/bytedeco/openblas/$openblas_version/openblas-$openblas_version-linux-x86_64.jar"
[ -f "$jar" ] || { echo "missing $jar: run 'mvn -q -DskipTests package' once" >&2; exit 1; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unzip -q -j "$jar" 'org/bytedeco/openblas/linux-x86_64/include/*' -d "$tmp/include"
out="$root/native-bindings/src/main/java"

rm -rf "$out/org/gdml4j/nativ/blas/generated"
"$JEXTRACT" -I "$tmp/include" --output "$out" @"$here/openblas/openblas.args" "$here/openblas/blas_lapack.h"

rm -rf "$out/org/gdml4j/nativ/cuda/generated"
"$JEXTRACT" -I "$CUDA_HOME/include" --output "$out" @"$here/cuda/cuda.args" "$here/cuda/cuda_min.h"

# jextract writes no trailing marker of its own version; record which headers these files came from.
printf 'OpenBLAS headers: %s\nCUDA headers: %s\n' "$openblas_version" "$(sed -n 's/^#define CUDA_VERSION \([0-9]*\).*/\1/p' "$CUDA_HOME/include/cuda.h")" \
  > "$here/GENERATED_FROM"
echo "bindings regenerated under $out/org/gdml4j/nativ/{blas,cuda}/generated"
