#!/bin/sh
# The report as a person sees it: a realistic dataset (6 runs, 3 subjects, one corrupt) corrected
# and reported by the dataset tests, rendered by headless Chromium (Debian's chromium); its
# screenshot and its DOM after the page's script ran are checked by report_screenshot_check.py.
# usage: report_screenshot_test.sh DatasetTests python3 [screenshot-copy.png]
set -eu
tests=$1 python=$2 keep=${3:-}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (scripts/setup.sh installs it)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
MC_REPORT_DATASET="$work/dataset" "$tests" --gtest_filter=DatasetReportPage.WritesARealisticReport
page="$work/dataset/derivatives/motion_report.html"
test -f "$page" || { echo "FAIL: $page was not written"; exit 1; }
# A private profile folder: no state from or for another run; no sandbox (root in a container).
render() {
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1400,2000 "$@" 2>"$work/chromium.log"
}
render --screenshot="$work/report.png" "file://$page" || { cat "$work/chromium.log"; exit 1; }
render --dump-dom "file://$page#sort=-max_fd" >"$work/by-fd.html"
render --dump-dom "file://$page#sort=-run" >"$work/by-run.html"
"$python" "$(dirname "$0")/report_screenshot_check.py" "$work/report.png" "$work/by-fd.html" "$work/by-run.html" 6
if [ -n "$keep" ]; then cp "$work/report.png" "$keep"; fi
