#!/usr/bin/env bash
# DICOM through GDCM, idempotently: Debian's native library (libgdcm3.0) and the C# binding of
# libgdcm-cil (gdcm-sharp.dll and its native glue libgdcmsharpglue.so), extracted from its .deb into
# tools/gdcm/ — installing libgdcm-cil itself would pull ~21 Mono packages a .NET host does not need.
# src/BatchXai.Imaging references tools/gdcm/gdcm-sharp.dll and copies the glue beside every output.
# Called by infra/setup.sh, and by the Dockerfile's build stage before it compiles.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
GDCM_VERSION=3.0.21
GDCM_DIR="$here/tools/gdcm"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated() { if [ ! -f /tmp/.batchxai-apt-updated ]; then as_root apt-get update -qq && touch /tmp/.batchxai-apt-updated; fi; }

if ! dpkg-query -W -f='${Status}' libgdcm3.0 2>/dev/null | grep -q "install ok installed"; then
  echo "setup: installing Debian package libgdcm3.0 (GDCM, DICOM)"
  apt_updated
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libgdcm3.0 >/dev/null
fi
if [ "$(cat "$GDCM_DIR/VERSION" 2>/dev/null)" != "$GDCM_VERSION" ] || [ ! -f "$GDCM_DIR/gdcm-sharp.dll" ] || [ ! -f "$GDCM_DIR/libgdcmsharpglue.so" ]; then
  echo "setup: extracting gdcm-sharp.dll and libgdcmsharpglue.so from Debian's libgdcm-cil into $GDCM_DIR"
  apt_updated
  tmp="$(mktemp -d)"; chmod 777 "$tmp"   # apt-get download runs as _apt where it can
  (cd "$tmp" && apt-get download -qq libgdcm-cil)
  dpkg-deb -x "$tmp"/libgdcm-cil_*.deb "$tmp/x"
  mkdir -p "$GDCM_DIR"
  cp "$tmp"/x/usr/lib/cli/gdcm-sharp-3.0/gdcm-sharp.dll "$tmp"/x/usr/lib/cli/gdcm-sharp-3.0/libgdcmsharpglue.so "$GDCM_DIR/"
  echo "$GDCM_VERSION" > "$GDCM_DIR/VERSION"
  rm -rf "$tmp"
fi
