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
# Planted shortcuts inside the field of view, both on grade 1 (train_models.py PLANTED_GRADE): a ring on half the
# grade-1 training eyes (a third of the test eyes), and a colour cast on every grade-1 eye.
[ -f "$data/ring-train/train.csv" ] || "$cli" sample-data --out "$data/ring-train" --count 1500 --seed 5 --ring-grade 1 --ring-share 0.5
[ -f "$data/ring-test/train.csv" ]  || "$cli" sample-data --out "$data/ring-test"  --count 500  --seed 6 --ring-grade 1 --ring-share 0.3
[ -f "$data/cast-train/train.csv" ] || "$cli" sample-data --out "$data/cast-train" --count 1500 --seed 7 --cast-grade 1
[ -f "$data/cast-test/train.csv" ]  || "$cli" sample-data --out "$data/cast-test"  --count 500  --seed 8 --cast-grade 1
/usr/bin/python3 "$here/models/train_models.py" --train "$data/train" --test "$data/test" \
  --clever-hans-train "$data/ch-train" --clever-hans-test "$data/ch-test" \
  --ring-train "$data/ring-train" --ring-test "$data/ring-test" --cast-train "$data/cast-train" --cast-test "$data/cast-test" \
  --models "${BATCHXAI_TRAIN_MODELS:-graders,shortcut,ring,cast}" --out "$here/models"
