#!/usr/bin/env bash
# Regenerates the training data and retrains the bundled models (see models/README.md).
# Needs: a Release build (make build) and Debian python3-torch/python3-onnx (infra/setup.sh --python).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cli="$here/src/BatchXai.Cli/bin/Release/net10.0/batchxai"
data="${BATCHXAI_TRAIN_DATA:-$here/.work/train-data}"
mkdir -p "$data"
[ -f "$data/train/train.csv" ]    || "$cli" sample-data --out "$data/train"    --count 2500 --seed 1
[ -f "$data/test/train.csv" ]     || "$cli" sample-data --out "$data/test"     --count 500  --seed 2
[ -f "$data/ch-train/train.csv" ] || "$cli" sample-data --out "$data/ch-train" --count 2500 --seed 3 --clever-hans
[ -f "$data/ch-test/train.csv" ]  || "$cli" sample-data --out "$data/ch-test"  --count 500  --seed 4 --clever-hans
/usr/bin/python3 "$here/models/train_models.py" --train "$data/train" --test "$data/test" \
  --clever-hans-train "$data/ch-train" --clever-hans-test "$data/ch-test" --out "$here/models"
