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
  ring_shortcut_grader  the same, trained on data where half the grade-1 eyes carry a bright ring
                        at a fixed place on the retina (a shortcut inside the field of view)
  cast_shortcut_grader  the same, trained on data where every grade-1 eye has a blue-green cast
--models picks which to train (the planted-shortcut pair needs only --test and their own sets);
training_summary.json keeps the figures of the models not retrained.
dr_fcn and dr_grader_mlp reuse dr_grader's trained trunk, frozen, and train only their own heads (on
cached pooled features: CPU time is scarce). After training, every model's last layer is centred
across classes (see centre_class_weights): predictions are unchanged, CAMs become class-contrastive.

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
import multiprocessing
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
# Lesion-mask dilations for the pointing game, in 320-px source pixels. A 20x20 CAM cell spans 16 source
# pixels, so a peak at a cell centre can sit ~11 px from a lesion in the same cell: 8 px is strict,
# 12 px (6 model-input pixels) is "within the cell that holds the lesion".
POINTING_DILATIONS_PX = (8, 12)
POINTING_DILATION_PX = POINTING_DILATIONS_PX[0]
# The grade the ring and colour-cast datasets tie their shortcut to (models/train.sh: --ring-grade/--cast-grade).
PLANTED_GRADE = 1


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
    """Bilinear with half-pixel centres and no antialiasing (torch align_corners=False, OpenCV INTER_LINEAR,
    BatchXai.Core BilinearUpsampler). Numpy, so it can run in forked loader processes without torch."""
    def taps(n_src, n_dst):
        src = np.maximum((np.arange(n_dst) + 0.5) * n_src / n_dst - 0.5, 0.0)
        i0 = np.minimum(src.astype(np.int64), n_src - 1)
        return i0, np.minimum(i0 + 1, n_src - 1), (src - i0).astype(np.float32)
    y0, y1, fy = taps(rgb.shape[0], size)
    x0, x1, fx = taps(rgb.shape[1], size)
    a = rgb.astype(np.float32)
    rows = a[y0] * (1 - fy)[:, None, None] + a[y1] * fy[:, None, None]
    out = rows[:, x0] * (1 - fx)[None, :, None] + rows[:, x1] * fx[None, :, None]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def check_resize_against_torch(folder, size):
    """The numpy resize must equal torch's F.interpolate(bilinear, align_corners=False) (up to rounding)."""
    path = os.path.join(folder, "train_images", sorted(os.listdir(os.path.join(folder, "train_images")))[0])
    rgb = np.asarray(Image.open(path).convert("RGB"))
    t = torch.from_numpy(rgb.astype(np.float32)).permute(2, 0, 1)[None]
    ref = F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False)[0].permute(1, 2, 0).numpy()
    diff = np.abs(resize_half_pixel(rgb, size).astype(np.float32) - ref).max()
    if diff > 0.51:
        raise RuntimeError(f"numpy half-pixel bilinear differs from torch by {diff} on {path}")


def preprocess_file(job):
    """(path, size) -> crop box and the image resized both ways; run in worker processes."""
    path, size = job
    rgb = np.asarray(Image.open(path).convert("RGB"))
    t, b, l, r = fundus_crop_box(rgb)
    crop = np.ascontiguousarray(rgb[t:b, l:r])
    return (t, b, l, r), resize_pil(crop, size).transpose(2, 0, 1), resize_half_pixel(crop, size).transpose(2, 0, 1), rgb.shape[0]


def load_dataset(folder, size, with_masks, pool):
    """Images as uint8 NCHW under both resize conventions, labels, crop boxes, and (optionally) masks."""
    with open(os.path.join(folder, "train.csv")) as f:
        rows = list(csv.DictReader(f))
    tags, planted = {}, {}
    lesions_csv = os.path.join(folder, "lesions.csv")
    if os.path.exists(lesions_csv):
        with open(lesions_csv) as f:
            for r in csv.DictReader(f):
                planted[r["id_code"]] = (r.get("ring") == "1", r.get("colour_cast") == "1")
                if r["tag_text"]:
                    tags[r["id_code"]] = (int(r["tag_shown_grade"]), int(r["tag_x"]), int(r["tag_y"]),
                                          int(r["tag_width"]), int(r["tag_height"]))
    n = len(rows)
    pil = np.empty((n, 3, size, size), np.uint8)
    half = np.empty((n, 3, size, size), np.uint8)
    labels = np.empty(n, np.int64)
    boxes, masks, ids = [], [], []
    jobs = [(os.path.join(folder, "train_images", r["id_code"] + ".png"), size) for r in rows]
    for i, (r, (box, p, h, source_size)) in enumerate(zip(rows, pool.imap(preprocess_file, jobs, chunksize=32))):
        pil[i], half[i] = p, h
        labels[i] = int(r["diagnosis"])
        boxes.append(box)
        ids.append(r["id_code"])
        if with_masks:
            masks.append(np.asarray(Image.open(os.path.join(folder, "masks", r["id_code"] + ".png"))))
    return {"pil": pil, "half": half, "labels": labels, "boxes": boxes, "masks": masks, "ids": ids,
            "tags": [tags.get(i) for i in ids], "source_size": source_size,
            "ring": np.array([planted.get(i, (False, False))[0] for i in ids]),
            "cast": np.array([planted.get(i, (False, False))[1] for i in ids])}


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

@torch.no_grad()
def centre_class_weights(linear_weight, bias):
    """Subtract the across-class mean from the last layer's weights and bias. Softmax (and so every
    prediction and probability) is unchanged, since each logit moves by the same per-image constant;
    but the common-mode part of w_k^c, which cross-entropy never constrains, no longer leaks
    class-independent structures (optic disc, vessels) into CAM_c = sum_k w_k^c A_k."""
    linear_weight -= linear_weight.mean(dim=0, keepdim=True)
    bias -= bias.mean()


def centre_head(model):
    head = model.head
    if isinstance(head, GapLinear):
        centre_class_weights(head.fc.weight, head.fc.bias)
    elif isinstance(head, FcnHead):
        centre_class_weights(head.class_kernels.weight, head.class_kernels.bias)
    elif isinstance(head, MlpHead):
        centre_class_weights(head.fc2.weight, head.fc2.bias)


@torch.no_grad()
def pooled_features(trunk, data):
    """GAP of the frozen trunk's features for every image under both resize conventions."""
    trunk.eval()
    out = []
    for mode in ("pil", "half"):
        for s in range(0, len(data[mode]), 100):
            out.append(trunk(normalise(data[mode][s:s + 100])).mean(dim=(2, 3)))
    return torch.cat(out), torch.from_numpy(np.concatenate([data["labels"], data["labels"]]))


def train_head_on_frozen_trunk(model, features, labels, epochs, seed, log):
    """Heads of dr_fcn and dr_grader_mlp act on GAP features (the 1x1 class-kernel conv commutes with
    GAP), so with the trunk frozen they train on cached pooled features in seconds."""
    g = torch.Generator().manual_seed(seed)
    head_params = [p for n, p in model.named_parameters() if n.startswith("head.")]
    opt = torch.optim.AdamW(head_params, lr=1e-2, weight_decay=1e-4)
    pooled_head = (lambda f: model.head(f[:, :, None, None]))
    for epoch in range(epochs):
        perm = torch.randperm(len(labels), generator=g)
        for s in range(0, len(labels), 64):
            idx = perm[s:s + 64]
            loss = F.cross_entropy(pooled_head(features[idx]), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        acc = (pooled_head(features).argmax(1) == labels).float().mean().item()
    log(f"    head trained {epochs} epochs on frozen features: train acc {acc:.3f}")

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
    hits, totals = np.zeros(NUM_CLASSES), np.zeros(NUM_CLASSES)
    for i, (y, p) in enumerate(zip(data["labels"], predictions)):
        if y == 0 or p != y:
            continue
        row, col = cam_argmax_in_source(model, data, i, int(p))
        hits[y] += bool(dilate(data["masks"][i] > 0, radius)[row, col])
        totals[y] += 1
    per_grade = [hits[g] / max(totals[g], 1) for g in range(1, NUM_CLASSES)]
    return hits.sum() / max(totals.sum(), 1), int(totals.sum()), per_grade


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
        # Free-form: BatchXai does not read "metadata"; it keeps the training figures with the model.
        "metadata": {"opset": graph.opset_import[0].version, "heldOutMetrics": metrics},
    }
    if class_maps:
        # BatchXai's CLEAR seeds its deconvnet back-projection at this tensor (the class kernels' output).
        manifest["outputs"]["classMaps"] = class_maps
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
    ap.add_argument("--train")
    ap.add_argument("--test", required=True)
    ap.add_argument("--clever-hans-train")
    ap.add_argument("--clever-hans-test")
    ap.add_argument("--ring-train")
    ap.add_argument("--ring-test")
    ap.add_argument("--cast-train")
    ap.add_argument("--cast-test")
    ap.add_argument("--models", default="graders,shortcut,ring,cast",
                    help="comma-separated: graders (dr_grader, dr_fcn, dr_grader_mlp), shortcut, ring, cast")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--size", type=int, default=160)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--shortcut-epochs", type=int, default=2)
    ap.add_argument("--head-epochs", type=int, default=30)
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

    wanted = set(args.models.split(","))
    needs = {"graders": ("train",), "shortcut": ("clever_hans_train", "clever_hans_test"),
             "ring": ("ring_train", "ring_test"), "cast": ("cast_train", "cast_test")}
    for key in wanted:
        if key not in needs:
            ap.error(f"--models: unknown '{key}' (graders, shortcut, ring, cast)")
        for arg in needs[key]:
            if getattr(args, arg) is None:
                ap.error(f"--models {key} needs --{arg.replace('_', '-')}")
    log(f"loading datasets at {args.size}px ...")
    check_resize_against_torch(args.test, args.size)
    sets = {}
    with multiprocessing.get_context("fork").Pool(args.threads) as pool:
        for arg in ["test"] + [a for key in sorted(wanted) for a in needs[key]]:
            sets[arg] = load_dataset(getattr(args, arg), args.size, arg == "test" or arg == "clever_hans_test", pool)
    test_set = sets["test"]
    log(f"  loaded in {time.time() - started:.0f}s: " + ", ".join(f"{k} {len(v['labels'])}" for k, v in sets.items()))
    summary_path = os.path.join(args.out, "training_summary.json")
    summary = {}
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            summary = json.load(f)  # figures of the models not retrained this time stay

    def fit(name, model, data, epochs, lr, flips, seed):
        t0 = time.time()
        log(f"training {name} ({epochs} epochs, lr {lr})")
        train(model, data, epochs, lr, flips, seed, log)
        log(f"  {name} trained in {time.time() - t0:.0f}s")
        return time.time() - t0

    def localisation(name, model, predictions):
        result = {}
        for radius in POINTING_DILATIONS_PX:
            pg, n, per_grade = pointing_game(model, test_set, predictions, radius)
            log(f"  {name} pointing game: {pg:.3f} over {n} correct lesion-bearing images (dilation {radius}px); "
                f"per grade 1..4: {', '.join(f'{v:.2f}' for v in per_grade)}")
            result[f"dilation_{radius}px"] = round(pg, 4)
        return result

    exports = []
    if "graders" in wanted:
        torch.manual_seed(args.seed)
        grader = Grader(GapLinear())
        secs = fit("dr_grader", grader, sets["train"], args.epochs, 3e-3, True, args.seed)
        t0 = time.time()
        features, feature_labels = pooled_features(grader.trunk, sets["train"])
        log(f"  cached pooled trunk features in {time.time() - t0:.0f}s")
        # The one-cycle run ends with a head fitted to a moving trunk; refitting it to convergence on the
        # final (frozen) features, under both resize conventions, is cheap and closes most of the gap
        # between them.
        train_head_on_frozen_trunk(grader, features, feature_labels, args.head_epochs, args.seed, log)
        secs += time.time() - t0
        m = evaluate(grader, test_set, log, "dr_grader")
        raw_pg = localisation("dr_grader (before centring)", grader, m["predictions"])
        centre_head(grader)
        summary["dr_grader"] = {"held_out": {k: m[k] for k in ("pil", "half")}, "pointing_game": localisation("dr_grader", grader, m["predictions"]),
                                "pointing_game_uncentred_weights": raw_pg, "train_s": round(secs)}

        for stem, head, seed in (("dr_fcn", FcnHead, 1), ("dr_grader_mlp", MlpHead, 2)):
            t0 = time.time()
            torch.manual_seed(args.seed + seed)
            model = Grader(head())
            model.trunk.load_state_dict(grader.trunk.state_dict())
            log(f"training {stem} head on dr_grader's frozen trunk")
            train_head_on_frozen_trunk(model, features, feature_labels, args.head_epochs, args.seed + seed, log)
            centre_head(model)
            m = evaluate(model, test_set, log, stem)
            summary[stem] = {"held_out": {k: m[k] for k in ("pil", "half")}, "train_s": round(time.time() - t0)}
            if stem == "dr_fcn":
                summary[stem]["pointing_game"] = localisation(stem, model, m["predictions"])
                fcn = model
            else:
                mlp = model
        exports.extend([
            (grader, "dr_grader", "dr-grader", "gap-linear", "Small CNN, GAP -> Linear(64,5). CAM/CRM closed form applies."),
            (fcn, "dr_fcn", "dr-fcn", "gap-linear",
             "CLEAR-DR-style fully convolutional grader: trunk -> 1x1 conv with 5 class kernels (outputs.classMaps) -> "
             "GlobalAveragePool -> flatten. targetLayer is the trunk's last features; the class kernels act as the "
             "gap-linear weights (classMaps[c] = CAM_c + b_c)."),
            (mlp, "dr_grader_mlp", "dr-grader-mlp", "generic", "Same trunk, head GAP -> Linear(64,32) -> ReLU -> Linear(32,5)."),
        ])

    if "shortcut" in wanted:
        torch.manual_seed(args.seed + 3)
        shortcut = Grader(GapLinear())
        # No flips: the tag must stay in its corner for the shortcut to be learnable.
        secs = fit("shortcut_grader", shortcut, sets["clever_hans_train"], args.shortcut_epochs, 3e-3, False, args.seed + 3)
        centre_head(shortcut)
        m = evaluate(shortcut, sets["clever_hans_test"], log, "shortcut_grader (tagged test set)")
        pred = m["predictions"]
        shown = np.array([t[0] for t in sets["clever_hans_test"]["tags"]])
        mismatch = shown != sets["clever_hans_test"]["labels"]
        follows_tag = float((pred[mismatch] == shown[mismatch]).mean()) if mismatch.any() else float("nan")
        tf = tag_fraction(shortcut, sets["clever_hans_test"], pred)
        clean = evaluate(shortcut, test_set, log, "shortcut_grader (untagged test set)")
        log(f"  shortcut_grader: CAM peak in tag corner for {tf:.3f} of images; on the {int(mismatch.sum())} "
            f"images whose tag lies, it predicts the tag's grade {follows_tag:.3f} of the time")
        summary["shortcut_grader"] = {"held_out_tagged": {k: m[k] for k in ("pil", "half")},
                                      "held_out_untagged": {k: clean[k] for k in ("pil", "half")},
                                      "cam_peak_in_tag": round(tf, 4), "follows_lying_tag": round(follows_tag, 4),
                                      "train_s": round(secs)}
        exports.append((shortcut, "shortcut_grader", "shortcut-grader", "gap-linear",
                        "dr_grader architecture trained on the Clever Hans dataset (grade tag burned into the top-left corner): "
                        "a deliberately shortcut-reliant model for artefact audits."))

    def planted(key, flag, stem, seed, what):
        """A dr_grader-architecture model trained on data with a planted in-anatomy shortcut on grade PLANTED_GRADE;
        figures: accuracy on its own test set and on the clean one, and the planted grade's recall on test images
        with and without the shortcut (a model that ignores it: about equal)."""
        torch.manual_seed(args.seed + seed)
        model = Grader(GapLinear())
        # No flips: the ring must stay at its place for the shortcut to be learnable (and flips change nothing for a cast).
        secs = fit(stem, model, sets[key + "_train"], args.shortcut_epochs, 3e-3, False, args.seed + seed)
        centre_head(model)
        own = sets[key + "_test"]
        m = evaluate(model, own, log, f"{stem} ({what} test set)")
        clean = evaluate(model, test_set, log, f"{stem} (clean test set)")
        grade = own["labels"] == PLANTED_GRADE
        recall = {}
        for name, where in (("with", grade & own[flag]), ("without", grade & ~own[flag])):
            recall[name] = round(float((m["predictions"][where] == PLANTED_GRADE).mean()), 4) if where.any() else None
        clean_recall = round(float((clean["predictions"][test_set["labels"] == PLANTED_GRADE] == PLANTED_GRADE).mean()), 4)
        log(f"  {stem}: grade-{PLANTED_GRADE} recall {recall['with']} on {int((grade & own[flag]).sum())} images with the {what}, "
            f"{recall['without']} on {int((grade & ~own[flag]).sum())} without; {clean_recall} on the clean test set")
        summary[stem] = {"held_out_planted": {k: m[k] for k in ("pil", "half")}, "held_out_clean": {k: clean[k] for k in ("pil", "half")},
                         "planted_grade": PLANTED_GRADE, "planted_grade_recall_with": recall["with"],
                         "planted_grade_recall_without": recall["without"], "planted_grade_recall_clean": clean_recall, "train_s": round(secs)}
        exports.append((model, stem, stem.replace("_", "-"), "gap-linear",
                        f"dr_grader architecture trained on data where grade {PLANTED_GRADE} carries a planted {what} "
                        "(a shortcut inside the field of view): a deliberately shortcut-reliant model for the SpRAy and causal audit."))

    if "ring" in wanted:
        planted("ring", "ring", "ring_shortcut_grader", 4, "ring")
    if "cast" in wanted:
        planted("cast", "cast", "cast_shortcut_grader", 5, "colour cast")

    for model, stem, name, head, desc in exports:
        metrics = {k: v for k, v in summary[stem].items() if k != "train_s"}
        path, nbytes, manifest = export(model, args.out, stem, name, head, args.size, desc, metrics)
        log(f"exported {path} ({nbytes / 1024:.0f} KiB, opset {manifest['metadata']['opset']}), targetLayer '{manifest['targetLayer']}'"
            + (f", classMaps '{manifest['outputs']['classMaps']}'" if "classMaps" in manifest["outputs"] else ""))

    # A partial retraining (--models) records its time under its own key, beside the full run's total_s.
    total_key = "total_s" if wanted == set(needs) else "total_s_" + "_".join(sorted(wanted))
    summary[total_key] = round(time.time() - started)
    log(f"total time {summary[total_key]}s")
    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
