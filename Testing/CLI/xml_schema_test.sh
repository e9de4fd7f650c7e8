#!/bin/bash
# `MotionCorrectionCLI --xml` prints MotionCorrectionCLI.xml exactly, starts with the bytes Slicer's parser
# needs ("<?xml "), and validates against the relaxed Slicer Execution Model schema.
set -u
MC=$1 XMLLINT=$2 XSD=$3 SOURCE=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
"$MC" --xml > "$dir/module.xml" || { echo "FAIL: --xml exited $?"; exit 1; }
cmp "$dir/module.xml" "$SOURCE" || { echo "FAIL: --xml differs from $SOURCE"; fail=1; }
[ "$(head -c 6 "$dir/module.xml")" = "<?xml " ] || { echo "FAIL: does not start with '<?xml '"; fail=1; }
"$XMLLINT" --noout --schema "$XSD" "$dir/module.xml" || { echo "FAIL: schema validation"; fail=1; }
# The schema must be able to fail: a parameter with a hyphenated long flag (which Slicer's parser
# rejects) is caught.
sed 's|<longflag alias="reslice-interp">reslice_interp</longflag>|<longflag>reslice-interp</longflag>|' \
  "$dir/module.xml" > "$dir/broken.xml"
if "$XMLLINT" --noout --schema "$XSD" "$dir/broken.xml" 2> /dev/null; then
  echo "FAIL: the schema accepted a hyphenated long flag"; fail=1
fi
# Every long flag in the XML is listed by --help (help is generated from the XML).
"$MC" --help > "$dir/help.txt"
for flag in $(sed -n 's|.*<longflag[^>]*>\([^<]*\)</longflag>.*|\1|p' "$dir/module.xml"); do
  grep -q -- "--$flag" "$dir/help.txt" || { echo "FAIL: --$flag not in --help"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok: --xml exact, valid, $(grep -c '<longflag' "$dir/module.xml") flags in --help"
exit $fail
