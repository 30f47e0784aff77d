#!/usr/bin/env bash
# Runs the whole test suite and ends with one plain line "N passed, N failed, N skipped".
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
config="${CONFIG:-Release}"
log="$(mktemp)"
dotnet test "$here/BatchXai.sln" -c "$config" --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
# VSTest prints either "Passed!  - Failed: 0, Passed: 363, Skipped: 0, ..." (minimal) or a block
# "Total tests: 363 / Passed: 363 / Failed: 1 / Skipped: 0" (normal verbosity); read both.
read -r failed passed skipped < <(awk '
  /^(Passed|Failed)! +- Failed:/ { gsub(/,/, ""); f += $4; p += $6; s += $8; summary = 1; next }
  /^ *Passed: *[0-9]+ *$/  && !summary { p += $2 }
  /^ *Failed: *[0-9]+ *$/  && !summary { f += $2 }
  /^ *Skipped: *[0-9]+ *$/ && !summary { s += $2 }
  END { print f + 0, p + 0, s + 0 }' "$log")
rm -f "$log"
if [ "${passed:-0}" = 0 ] && [ "$code" = 0 ]; then echo "no tests ran"; exit 1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$code"
