#!/usr/bin/env bash
# Runs the whole test suite and ends with one plain line "N passed, N failed, N skipped".
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
config="${CONFIG:-Release}"
log="$(mktemp)"
dotnet test "$here/BatchXai.sln" -c "$config" --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
# VSTest's summary: "Passed!  - Failed:     0, Passed:   363, Skipped:     0, Total:   363, ..."
read -r failed passed skipped < <(grep -E "^(Passed|Failed)! +- Failed:" "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\1 \2 \3/' \
  | awk '{f+=$1; p+=$2; s+=$3} END {print f+0, p+0, s+0}')
rm -f "$log"
if [ "${passed:-0}" = 0 ] && [ "$code" = 0 ]; then echo "no tests ran"; exit 1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$code"
