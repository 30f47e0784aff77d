#!/usr/bin/env bash
# Installs what BatchXai needs on a fresh Debian machine, idempotently:
#  - native image codecs (libturbojpeg0, libspng0, libtiff6)
#  (ONNX Runtime is not installed here: its NuGet packages bring the native library with the build)
#  - the dashboard's charting library (chart.js from npm) into its embedded assets
#  - with --test: python3 numpy/PIL (tests compare against them), Debian chromium and npm
#    playwright-core (the dashboard's browser test), and python3 torch/torchvision/onnx (the
#    conformance tests export torchvision nets and take torch autograd's gradients)
#  - DICOM: Debian's GDCM (libgdcm3.0) and the C# binding of libgdcm-cil (gdcm-sharp.dll and its
#    native glue), extracted from its .deb into tools/gdcm/ (installing it would pull ~21 Mono packages)
#  - with --python: python3-torch/torchvision/onnx (model training, benchmarks, PyTorch references)
# Safe to run repeatedly; each step checks before it installs.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
CHARTJS_VERSION=4.5.1
CHARTJS_FILE="$here/src/BatchXai.Dashboard/Assets/chart.umd.min.js"
PLAYWRIGHT_VERSION=1.65.1
PLAYWRIGHT_DIR="$here/tools/playwright"

want_python=0 want_test=0
for a in "$@"; do
  case "$a" in
    --python) want_python=1 ;;   # model training and benchmarks: PyTorch
    --test) want_test=1 ;;       # test-time references: numpy, PIL, PyTorch
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_missing() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  echo "${missing[@]:-}"
}

apt_install() {
  local missing; missing="$(apt_missing "$@")"
  [ -z "$missing" ] && return 0
  echo "setup: installing Debian packages: $missing"
  if [ ! -f /tmp/.batchxai-apt-updated ]; then as_root apt-get update -qq && touch /tmp/.batchxai-apt-updated; fi
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

apt_install libturbojpeg0 libspng0 libtiff6
# npm fetches chart.js; a machine may already have Node from elsewhere.
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
if [ "$want_test" = 1 ]; then apt_install python3 python3-numpy python3-pil chromium python3-torch python3-torchvision python3-onnx python3-skimage python3-matplotlib; fi
if [ "$want_python" = 1 ]; then apt_install python3-torch python3-torchvision python3-onnx python3-numpy python3-pil; fi

# npm tarball -> one file, without running any install script.
npm_file() { # package@version path-in-package destination
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$1" >/dev/null 2>&1)
  tar -xzf "$tmp"/*.tgz -C "$tmp" "package/$2"
  mkdir -p "$(dirname "$3")"
  cp "$tmp/package/$2" "$3"
  rm -rf "$tmp"
}

if ! head -c 200 "$CHARTJS_FILE" 2>/dev/null | grep -q "Chart.js v$CHARTJS_VERSION"; then
  echo "setup: fetching chart.js $CHARTJS_VERSION (npm) for the dashboard"
  npm_file "chart.js@$CHARTJS_VERSION" dist/chart.umd.min.js "$CHARTJS_FILE"
fi

if [ "$want_test" = 1 ] && [ "$(cat "$PLAYWRIGHT_DIR/VERSION" 2>/dev/null)" != "$PLAYWRIGHT_VERSION" ]; then
  echo "setup: installing playwright-core $PLAYWRIGHT_VERSION (npm; drives Debian's chromium in the dashboard test)"
  rm -rf "$PLAYWRIGHT_DIR" && mkdir -p "$PLAYWRIGHT_DIR"
  (cd "$PLAYWRIGHT_DIR" && npm install --silent --no-save --ignore-scripts --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
  echo "$PLAYWRIGHT_VERSION" > "$PLAYWRIGHT_DIR/VERSION"
fi
bash "$here/infra/gdcm.sh"
if [ "$want_test" = 1 ]; then apt_install python3-pydicom python3-skimage; fi

echo "setup: ok"
