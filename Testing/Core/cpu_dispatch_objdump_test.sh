#!/bin/sh
# Fails when the core library holds an AVX instruction (any VEX/EVEX mnemonic, v*, or a ymm/zmm
# register) outside the dispatched AVX2 kernels (functions whose name contains "Avx2", see
# Modules/Core/CpuDispatch.h), i.e. when some code would crash with SIGILL on a CPU without AVX.
# Also fails when there are no AVX2 kernels at all (the fast path silently compiled out).
# usage: cpu_dispatch_objdump_test.sh OBJDUMP LIBRARY (a static archive or a shared library)
set -eu
objdump=$1
lib=$2
out=$("$objdump" -d -C --no-show-raw-insn "$lib" | awk '
  /^[0-9a-f]+ <.*>:$/ { fn = $0; next }
  /^ *[0-9a-f]+:\t/ {
    split($0, f, "\t"); insn = f[2]
    if (insn ~ /^v[a-z0-9]/ || insn ~ /%[yz]mm/) {
      if (fn ~ /Avx2/) { kernels[fn] = 1 } else if (!(fn in bad)) { bad[fn] = insn; nbad++ }
    }
  }
  END {
    n = 0; for (k in kernels) n++
    for (b in bad) print "AVX outside a dispatched kernel: " b "  (" bad[b] ")"
    print "dispatched AVX2 kernels: " n
    if (nbad > 0 || n == 0) exit 1
  }') && status=0 || status=$?
printf '%s\n' "$out"
[ "$status" -eq 0 ] || { echo "FAIL"; exit 1; }
echo "OK: AVX only inside the dispatched kernels"
