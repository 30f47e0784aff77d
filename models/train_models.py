#!/usr/bin/python3
"""Train BatchXai's small diabetic-retinopathy graders on synthetic data and export them to ONNX.

Datasets come from the C# generator (BatchXai.Synthetic.SampleDatasetWriter, CLI:
`batchxai sample-data`): an APTOS-2019-style folder with train.csv, train_images/, masks/ and
lesions.csv. Run with the Debian interpreter (/usr/bin/python3: python3-torch 1.13, python3-onnx):

    /usr/bin/python3 models/train_models.py --train DATA/train --test DATA/test \
        --clever-hans-train DATA/ch-train --clever-hans-test DATA/ch-test --out models

Four models share one trunk (conv blocks with BatchNorm + ReLU + MaxPool, features at stride 8):
  dr_grader       trunk -> GAP -> Linear(K,5)                         head: gap-linear
  dr_fcn          trunk -> 1x1 conv to 5 class maps -> GAP -> flatten  head: gap-linear (CLEAR-DR)
  dr_grader_mlp   trunk -> GAP -> Linear(K,32) -> ReLU -> Linear(32,5)  head: generic
  shortcut_grader dr_grader's architecture trained on the Clever Hans (tagged) dataset
dr_fcn and dr_grader_mlp start from dr_grader's trained trunk and are fine-tuned end to end
(saves CPU time; their heads are trained from scratch).

The preprocessing is exactly the one the C# worker applies from the manifest: crop to the bounding
box of pixels whose max channel exceeds 12 (drops the black surround), bilinear resize to the input
size, value = (pixel/255 - mean)/std, NCHW RGB. Because "bilinear" downscaling differs between
libraries (PIL filters with a triangle kernel over the whole footprint; PyTorch/OpenCV-style
half-pixel bilinear samples 2x2 neighbours), training mixes both so the models are insensitive to
which one the inference side implements; evaluation reports both.
"""
import argparse
import csv
import json
import os
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

CLASSES = ["none", "mild", "moderate", "severe", "proliferative"]
NUM_CLASSES = len(CLASSES)
CROP_THRESHOLD = 12
MEAN, STD = 0.5, 0.25
POINTING_DILATION_PX = 8  # at the 320-px source resolution: half a feature-map cell


# ----------------------------------------------------------------------------- data

def fundus_crop_box(rgb):
    """(top, bottom, left, right) of pixels whose max channel exceeds CROP_THRESHOLD; whole image if none."""
    on = rgb.max(axis=2) > CROP_THRESHOLD
    rows, cols = np.flatnonzero(on.any(axis=1)), np.flatnonzero(on.any(axis=0))
    if rows.size == 0:
        return 0, rgb.shape[0], 0, rgb.shape[1]
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def resize_pil(rgb, size):
    return np.asarray(Image.fromarray(rgb).resize((size, size), Image.BILINEAR))


def resize_half_pixel(rgb, size):
    t = torch.from_numpy(rgb).permute(2, 0, 1)[None].float()
    out = F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False)
    return out[0].permute(1, 2, 0).round().clamp(0, 255).byte().numpy()


def load_dataset(folder, size, with_masks):
    """Images as uint8 NCHW under both resize conventions, labels, crop boxes, and (optionally) masks."""
    with open(os.path.join(folder, "train.csv")) as f:
        rows = list(csv.DictReader(f))
    tags = {}
    lesions_csv = os.path.join(folder, "lesions.csv")
    if os.path.exists(lesions_csv):
        with open(lesions_csv) as f:
            for r in csv.DictReader(f):
                if r["tag_text"]:
                    tags[r["id_code"]] = (int(r["tag_shown_grade"]), int(r["tag_x"]), int(r["tag_y"]),
                                          int(r["tag_width"]), int(r["tag_height"]))
    n = len(rows)
    pil = np.empty((n, 3, size, size), np.uint8)
    half = np.empty((n, 3, size, size), np.uint8)
    labels = np.empty(n, np.int64)
    boxes, masks, ids = [], [], []
    for i, r in enumerate(rows):
        rgb = np.asarray(Image.open(os.path.join(folder, "train_images", r["id_code"] + ".png")).convert("RGB"))
        t, b, l, rt = fundus_crop_box(rgb)
        crop = np.ascontiguousarray(rgb[t:b, l:rt])
        pil[i] = resize_pil(crop, size).transpose(2, 0, 1)
        half[i] = resize_half_pixel(crop, size).transpose(2, 0, 1)
        labels[i] = int(r["diagnosis"])
        boxes.append((t, b, l, rt))
        ids.append(r["id_code"])
        if with_masks:
            masks.append(np.asarray(Image.open(os.path.join(folder, "masks", r["id_code"] + ".png"))))
    return {"pil": pil, "half": half, "labels": labels, "boxes": boxes, "masks": masks, "ids": ids,
            "tags": [tags.get(i) for i in ids], "source_size": rgb.shape[0]}


def normalise(batch_u8):
    return (torch.from_numpy(batch_u8).float() / 255.0 - MEAN) / STD


# ----------------------------------------------------------------------------- models

def conv_block(cin, cout, pool):
    layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return layers


class Trunk(nn.Module):
    """Four 3x3 conv blocks; three 2x2 max-pools put the last features at stride 8 (20x20 at 160).
    The first block is narrow (8 channels) because at full resolution it dominates CPU training time."""
    channels = 64

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(*conv_block(3, 8, True), *conv_block(8, 32, True),
                                  *conv_block(32, 64, True), *conv_block(64, 64, False))

    def forward(self, x):
        return self.body(x)


class GapLinear(nn.Module):
    """CAM-style head: logits = W . mean_{l,m} A(l,m) + b."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(Trunk.channels, NUM_CLASSES)

    def forward(self, a):
        return self.fc(a.mean(dim=(2, 3)))

    def class_maps(self, a):
        return torch.einsum("ck,bkhw->bchw", self.fc.weight, a)


class FcnHead(nn.Module):
    """CLEAR-DR head: a last conv layer with one kernel per grade, then global average pooling.
    1x1 kernels keep the head exactly gap-linear: GAP(conv1x1(A)) = W . GAP(A) + b."""

    def __init__(self):
        super().__init__()
        self.class_kernels = nn.Conv2d(Trunk.channels, NUM_CLASSES, 1)

    def forward(self, a):
        return torch.flatten(F.adaptive_avg_pool2d(self.class_kernels(a), 1), 1)

    def class_maps(self, a):
        w = self.class_kernels.weight[:, :, 0, 0]
        return torch.einsum("ck,bkhw->bchw", w, a)


class MlpHead(nn.Module):
    """Generic head (hidden layer + ReLU): CRM needs the ablation path, not the closed form."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(Trunk.channels, 32)
        self.fc2 = nn.Linear(32, NUM_CLASSES)

    def forward(self, a):
        return self.fc2(F.relu(self.fc1(a.mean(dim=(2, 3)))))


class Grader(nn.Module):
    def __init__(self, head):
        super().__init__()
        self.trunk = Trunk()
        self.head = head

    def forward(self, x):
        return self.head(self.trunk(x))


# ----------------------------------------------------------------------------- training / metrics

def train(model, data, epochs, lr, flips, seed, log):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    n, batch = len(data["labels"]), 32
    steps = epochs * ((n + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.25)
    labels = torch.from_numpy(data["labels"])
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=g)
        total, correct, loss_sum = 0, 0, 0.0
        for s in range(0, n, batch):
            idx = perm[s:s + batch].numpy()
            source = data["pil"] if torch.rand(1, generator=g).item() < 0.5 else data["half"]
            x = normalise(source[idx])
            if flips:
                if torch.rand(1, generator=g).item() < 0.5:
                    x = x.flip(3)
                if torch.rand(1, generator=g).item() < 0.5:
                    x = x.flip(2)
            y = labels[idx]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == y).sum().item()
            total += len(idx)
        log(f"    epoch {epoch + 1}/{epochs}: loss {loss_sum / total:.3f}, train acc {correct / total:.3f}")


@torch.no_grad()
def predict(model, images_u8):
    model.eval()
    out = []
    for s in range(0, len(images_u8), 100):
        out.append(model(normalise(images_u8[s:s + 100])))
    return torch.cat(out).numpy()


def quadratic_weighted_kappa(y_true, y_pred, k=NUM_CLASSES):
    observed = np.zeros((k, k))
    for t, p in zip(y_true, y_pred):
        observed[t, p] += 1
    weights = np.array([[(i - j) ** 2 for j in range(k)] for i in range(k)]) / (k - 1) ** 2
    expected = np.outer(observed.sum(1), observed.sum(0)) / observed.sum()
    return 1.0 - (weights * observed).sum() / (weights * expected).sum()


def evaluate(model, data, log, name):
    result = {}
    for mode in ("pil", "half"):
        pred = predict(model, data[mode]).argmax(1)
        acc = float((pred == data["labels"]).mean())
        kappa = float(quadratic_weighted_kappa(data["labels"], pred))
        result[mode] = {"accuracy": round(acc, 4), "qwk": round(kappa, 4)}
        if mode == "pil":
            result["predictions"] = pred
    cm = np.zeros((NUM_CLASSES, NUM_CLASSES), int)
    for t, p in zip(data["labels"], result["predictions"]):
        cm[t, p] += 1
    log(f"  {name}: acc {result['pil']['accuracy']:.3f} / qwk {result['pil']['qwk']:.3f} (PIL resize); "
        f"acc {result['half']['accuracy']:.3f} / qwk {result['half']['qwk']:.3f} (half-pixel bilinear)")
    log("    confusion (rows true 0..4, cols predicted):\n" + "\n".join("      " + " ".join(f"{v:4d}" for v in r) for r in cm))
    return result


@torch.no_grad()
def cam_argmax_in_source(model, data, i, cls):
    """CAM of class `cls` (sum_k w_k^c A_k), bilinearly upsampled onto the crop box of the source image;
    returns the (row, col) of its maximum in source-image pixels."""
    model.eval()
    a = model.trunk(normalise(data["pil"][i:i + 1]))
    cam = model.head.class_maps(a)[:, cls:cls + 1]
    t, b, l, r = data["boxes"][i]
    up = F.interpolate(cam, size=(b - t, r - l), mode="bilinear", align_corners=False)[0, 0]
    flat = int(up.argmax())
    return t + flat // (r - l), l + flat % (r - l)


def dilate(mask, radius):
    """Binary dilation by a disc of `radius` pixels (max over shifted copies)."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx * dx + dy * dy > radius * radius:
                continue
            ys, yd = (slice(dy, h), slice(0, h - dy)) if dy >= 0 else (slice(0, h + dy), slice(-dy, h))
            xs, xd = (slice(dx, w), slice(0, w - dx)) if dx >= 0 else (slice(0, w + dx), slice(-dx, w))
            out[yd, xd] |= mask[ys, xs]
    return out


def pointing_game(model, data, predictions, radius=POINTING_DILATION_PX):
    """Share of correctly predicted lesion-bearing images whose predicted-class CAM peaks inside the
    lesion mask dilated by `radius` source pixels."""
    hits = total = 0
    for i, (y, p) in enumerate(zip(data["labels"], predictions)):
        if y == 0 or p != y:
            continue
        row, col = cam_argmax_in_source(model, data, i, int(p))
        hits += bool(dilate(data["masks"][i] > 0, radius)[row, col])
        total += 1
    return hits / max(total, 1), total


def tag_fraction(model, data, predictions, radius=POINTING_DILATION_PX):
    """Share of images whose predicted-class CAM peaks inside the shortcut tag box (grown by `radius`)."""
    hits = 0
    for i, p in enumerate(predictions):
        _, x, y, w, h = data["tags"][i]
        row, col = cam_argmax_in_source(model, data, i, int(p))
        hits += (y - radius <= row < y + h + radius) and (x - radius <= col < x + w + radius)
    return hits / len(predictions)


# ----------------------------------------------------------------------------- export

def export(model, out_dir, file_stem, manifest_name, head_kind, size, description, metrics):
    model.eval()
    path = os.path.join(out_dir, file_stem + ".onnx")
    dummy = torch.zeros(1, 3, size, size)
    for opset in (17, 13):
        try:
            torch.onnx.export(model, dummy, path, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                              opset_version=opset, do_constant_folding=True)
            break
        except Exception as e:  # older exporters lack opset 17
            if opset == 13:
                raise
            print(f"  opset {opset} export failed ({e}); retrying with opset 13")
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    target, class_maps = find_target_layer(graph, head_kind == "gap-linear" and isinstance(model.head, FcnHead))
    manifest = {
        "name": manifest_name, "version": "1.0", "onnx": file_stem + ".onnx",
        "input": {"name": "input", "layout": "NCHW", "size": [size, size], "channels": "RGB",
                  "scale": 1.0 / 255.0, "mean": [MEAN] * 3, "std": [STD] * 3,
                  "resize": "stretch", "fundusCrop": True},
        "outputs": {"logits": "logits"},
        "targetLayer": target, "head": head_kind, "classes": CLASSES,
        "description": description,
        "opset": graph.opset_import[0].version,
        "heldOutMetrics": metrics,
    }
    if class_maps:
        manifest["extra"] = {"classMaps": class_maps}
    with open(os.path.join(out_dir, file_stem + ".json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    check_onnx_matches_torch(model, path, size)
    return path, os.path.getsize(path), manifest


def find_target_layer(graph, fcn):
    """The input of the GlobalAveragePool/ReduceMean node is the last feature tensor. For the FCN that
    tensor is the 5-channel class-map output; the target layer is then the input of the 1x1 Conv that
    produces it (the trunk's last features)."""
    pools = [n for n in graph.graph.node if n.op_type in ("GlobalAveragePool", "ReduceMean")]
    if len(pools) != 1:
        raise RuntimeError(f"expected one GlobalAveragePool/ReduceMean node, found {[n.name for n in pools]}")
    pooled = pools[0].input[0]
    if not fcn:
        return pooled, None
    producers = [n for n in graph.graph.node if pooled in n.output]
    if len(producers) != 1 or producers[0].op_type != "Conv":
        raise RuntimeError(f"FCN class maps '{pooled}' should come from one Conv node, found {[n.op_type for n in producers]}")
    return producers[0].input[0], pooled


def check_onnx_matches_torch(model, path, size):
    """Round-trip check with the ONNX reference evaluator is unavailable in onnx 1.12; compare against
    onnxruntime when present, else only validate the graph (checked above)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        expected = model(x).numpy()
    got = ort.InferenceSession(path).run(["logits"], {"input": x.numpy()})[0]
    if not np.allclose(expected, got, atol=1e-4):
        raise RuntimeError(f"{path}: ONNX logits differ from torch by {np.abs(expected - got).max()}")


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--clever-hans-train", required=True)
    ap.add_argument("--clever-hans-test", required=True)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--size", type=int, default=160)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--shortcut-epochs", type=int, default=4)
    ap.add_argument("--finetune-epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    report = []

    def log(msg):
        print(msg, flush=True)
        report.append(msg)

    log(f"loading datasets at {args.size}px ...")
    train_set = load_dataset(args.train, args.size, with_masks=False)
    test_set = load_dataset(args.test, args.size, with_masks=True)
    ch_train = load_dataset(args.clever_hans_train, args.size, with_masks=False)
    ch_test = load_dataset(args.clever_hans_test, args.size, with_masks=True)
    log(f"  loaded in {time.time() - started:.0f}s: train {len(train_set['labels'])}, test {len(test_set['labels'])}, "
        f"clever-hans train {len(ch_train['labels'])}, clever-hans test {len(ch_test['labels'])}")
    summary = {}

    def fit(name, model, data, epochs, lr, flips, seed):
        t0 = time.time()
        log(f"training {name} ({epochs} epochs, lr {lr})")
        train(model, data, epochs, lr, flips, seed, log)
        log(f"  {name} trained in {time.time() - t0:.0f}s")
        return time.time() - t0

    torch.manual_seed(args.seed)
    grader = Grader(GapLinear())
    secs = fit("dr_grader", grader, train_set, args.epochs, 3e-3, True, args.seed)
    m = evaluate(grader, test_set, log, "dr_grader")
    pg, n_pg = pointing_game(grader, test_set, m["predictions"])
    log(f"  dr_grader pointing game: {pg:.3f} over {n_pg} correct lesion-bearing images (dilation {POINTING_DILATION_PX}px)")
    summary["dr_grader"] = {"held_out": {k: m[k] for k in ("pil", "half")}, "pointing_game": round(pg, 4), "train_s": round(secs)}

    torch.manual_seed(args.seed + 1)
    fcn = Grader(FcnHead())
    fcn.trunk.load_state_dict(grader.trunk.state_dict())
    secs = fit("dr_fcn", fcn, train_set, args.finetune_epochs, 1e-3, True, args.seed + 1)
    m = evaluate(fcn, test_set, log, "dr_fcn")
    pg, n_pg = pointing_game(fcn, test_set, m["predictions"])
    log(f"  dr_fcn pointing game: {pg:.3f} over {n_pg} images")
    summary["dr_fcn"] = {"held_out": {k: m[k] for k in ("pil", "half")}, "pointing_game": round(pg, 4), "train_s": round(secs)}

    torch.manual_seed(args.seed + 2)
    mlp = Grader(MlpHead())
    mlp.trunk.load_state_dict(grader.trunk.state_dict())
    secs = fit("dr_grader_mlp", mlp, train_set, args.finetune_epochs, 1e-3, True, args.seed + 2)
    m = evaluate(mlp, test_set, log, "dr_grader_mlp")
    summary["dr_grader_mlp"] = {"held_out": {k: m[k] for k in ("pil", "half")}, "train_s": round(secs)}

    torch.manual_seed(args.seed + 3)
    shortcut = Grader(GapLinear())
    # No flips: the tag must stay in its corner for the shortcut to be learnable.
    secs = fit("shortcut_grader", shortcut, ch_train, args.shortcut_epochs, 3e-3, False, args.seed + 3)
    m = evaluate(shortcut, ch_test, log, "shortcut_grader (tagged test set)")
    pred = m["predictions"]
    shown = np.array([t[0] for t in ch_test["tags"]])
    mismatch = shown != ch_test["labels"]
    follows_tag = float((pred[mismatch] == shown[mismatch]).mean()) if mismatch.any() else float("nan")
    tf = tag_fraction(shortcut, ch_test, pred)
    clean = evaluate(shortcut, test_set, log, "shortcut_grader (untagged test set)")
    log(f"  shortcut_grader: CAM peak in tag corner for {tf:.3f} of images; on the {int(mismatch.sum())} "
        f"images whose tag lies, it predicts the tag's grade {follows_tag:.3f} of the time")
    summary["shortcut_grader"] = {"held_out_tagged": {k: m[k] for k in ("pil", "half")},
                                  "held_out_untagged": {k: clean[k] for k in ("pil", "half")},
                                  "cam_peak_in_tag": round(tf, 4), "follows_lying_tag": round(follows_tag, 4),
                                  "train_s": round(secs)}

    exports = [
        (grader, "dr_grader", "dr-grader", "gap-linear", "Small CNN, GAP -> Linear(64,5). CAM/CRM closed form applies."),
        (fcn, "dr_fcn", "dr-fcn", "gap-linear",
         "CLEAR-DR-style fully convolutional grader: trunk -> 1x1 conv with 5 class kernels (extra.classMaps) -> "
         "GlobalAveragePool -> flatten. targetLayer is the trunk's last features; the class kernels act as the "
         "gap-linear weights (classMaps[c] = CAM_c + b_c)."),
        (mlp, "dr_grader_mlp", "dr-grader-mlp", "generic", "Same trunk, head GAP -> Linear(64,32) -> ReLU -> Linear(32,5)."),
        (shortcut, "shortcut_grader", "shortcut-grader", "gap-linear",
         "dr_grader architecture trained on the Clever Hans dataset (grade tag burned into the top-left corner): "
         "a deliberately shortcut-reliant model for artefact audits."),
    ]
    for model, stem, name, head, desc in exports:
        metrics = {k: v for k, v in summary[stem].items() if k != "train_s"}
        path, nbytes, manifest = export(model, args.out, stem, name, head, args.size, desc, metrics)
        log(f"exported {path} ({nbytes / 1024:.0f} KiB, opset {manifest['opset']}), targetLayer '{manifest['targetLayer']}'"
            + (f", classMaps '{manifest['extra']['classMaps']}'" if "extra" in manifest else ""))

    summary["total_s"] = round(time.time() - started)
    log(f"total time {summary['total_s']}s")
    with open(os.path.join(args.out, "training_summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
