#!/bin/bash
# Extension builds: the CLI under test is the one SEMMacroBuildCLI built (GenerateCLP's module entry
# point and embedded description linked in), laid out as Slicer loads it: in the CLI module folder,
# with its XML and, when MPI is built, the MPI worker beside it (the CLI looks there first).
# Usage: sem_build_test.sh CLI NM CLI_MODULE_DIR [MPI_WORKER]
set -u
MC=$1 NM=$2 DIR=$3 WORKER=${4:-}
fail=0
symbols=$("$NM" "$MC") || { echo "FAIL: $NM $MC exited $?"; exit 1; }
for s in ModuleEntryPoint GetXMLModuleDescription XMLModuleDescription; do
  grep -qE " [TDdR] $s\$" <<< "$symbols" || { echo "FAIL: $MC has no $s (not built by SEMMacroBuildCLI?)"; fail=1; }
done
[ "$(cd "$(dirname "$MC")" && pwd -P)" = "$(cd "$DIR" && pwd -P)" ] || { echo "FAIL: $MC is not in $DIR"; fail=1; }
name=$(basename "$MC")
[ -f "$DIR/$name.xml" ] || { echo "FAIL: no $name.xml beside the CLI"; fail=1; }
if [ -n "$WORKER" ]; then
  [ "$(dirname "$WORKER")" -ef "$DIR" ] || { echo "FAIL: the MPI worker $WORKER is not beside the CLI in $DIR"; fail=1; }
fi
[ $fail -eq 0 ] && echo "ok: $MC built by SEMMacroBuildCLI, in $DIR with its XML${WORKER:+ and the MPI worker}"
exit $fail
