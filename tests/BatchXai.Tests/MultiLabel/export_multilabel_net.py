#!/usr/bin/python3
"""A small multi-label (one sigmoid per finding) chest-X-ray-style classifier, a dataset for it, and numpy references.

Run with Debian's python (torch 1.13, onnx 1.12, numpy); the C# tests run it when the cache folder's stamp differs
from this script's SHA-256:
    /usr/bin/python3 tests/BatchXai.Tests/MultiLabel/export_multilabel_net.py --out .work/multilabel

The net: conv-relu-maxpool x2, conv-relu (the target layer, 16 x 8 x 8 at 32 x 32 input), global average pool, a linear
layer of 4 findings, then Sigmoid — exported at opset 11 with the Sigmoid's output as the only output, as a third
party would hand it over. Random seeded weights; each finding's weights are scaled to a score spread of 2 over the
dataset and its bias set to minus the median score plus a per-finding offset, so every finding is present on some
images and absent on others.

<out>/ gets:
  model.onnx, model.json    the model and a BatchXai manifest naming the probability output, activation sigmoid
  data/img_<i>.png          8 RGB images of 32 x 32 (exactly the input size: no resampling), seeded blobs on noise
  data/labels.csv           key,findings: ';'-separated finding names per image (some empty, one "No Finding")
  keys.json                 the image keys in order, and the labelled findings per image
  state.pt                  the net's float32 weights (torch state_dict), for references that rerun it (metric curves)
  probabilities.npy         float64 [8, 4]: torch's sigmoid probabilities of the preprocessed images
  cam.npy                   float64 [8, 4, 8, 8]: numpy CAM of every finding, sum_k W[f,k] A_k(l,m)
  crm.npy                   float64 [8, 4, 8, 8]: numpy per-finding CRM, (S_f - S_f(l,m))^2 = CAM_f^2 / (uv)^2
and <out>/stamp holds this script's SHA-256 once everything is written.
"""
import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn

FINDINGS = ["Atelectasis", "Effusion", "Nodule", "Pneumothorax"]
SIZE, IMAGES = 32, 8
MEAN, STD = 0.5, 0.25
OFFSETS = [0.3, -0.2, 0.1, -0.4]  # per finding: shifts how many images are positive at 0.5


class MultiLabelCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU())
        self.fc = nn.Linear(16, len(FINDINGS))

    def forward(self, x):
        return torch.sigmoid(self.fc(self.features(x).mean(dim=(2, 3))))


def png(path, rgb):
    """8-bit RGB PNG, no filter (numpy + zlib only)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def images(rng):
    """Noise with one or two bright blobs at seeded places, uint8 [IMAGES, SIZE, SIZE, 3]."""
    out = rng.integers(20, 90, size=(IMAGES, SIZE, SIZE, 3))
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    for i in range(IMAGES):
        for _ in range(1 + i % 2):
            cy, cx, r = rng.integers(6, SIZE - 6), rng.integers(6, SIZE - 6), rng.integers(3, 7)
            colour = rng.integers(120, 256, size=3)
            out[i][(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = colour
    return out.astype(np.uint8)


def export(out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "data"))
    rng = np.random.default_rng(7)
    pixels = images(rng)
    x = torch.tensor(((pixels.astype(np.float32) / 255.0 - MEAN) / STD).transpose(0, 3, 1, 2).copy())

    torch.manual_seed(1234)
    model = MultiLabelCnn().eval()
    with torch.no_grad():
        pooled = model.features(x).mean(dim=(2, 3))
        # Random weights barely tell images apart: scale each finding's weights to a score spread of 2 over the dataset.
        model.fc.weight.mul_((2.0 / (pooled @ model.fc.weight.T).std(dim=0))[:, None])
        scores = pooled @ model.fc.weight.T
        model.fc.bias.copy_(-scores.median(dim=0).values + torch.tensor(OFFSETS))

    torch.save(model.state_dict(), os.path.join(out, "state.pt"))
    onnx_path = os.path.join(out, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, x[:2], onnx_path, opset_version=11, input_names=["input"], output_names=["probabilities"],
                          dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})
    graph = onnx.load(onnx_path).graph
    target = [n for n in graph.node if n.op_type == "ReduceMean"][-1].input[0]

    reference = model.double()
    with torch.no_grad():
        a = reference.features(x.double())
        probabilities = reference(x.double()).numpy()
    a = a.numpy()
    w = reference.fc.weight.detach().numpy()
    u, v = a.shape[2], a.shape[3]
    cam = np.einsum("fk,nkuv->nfuv", w, a)
    np.save(os.path.join(out, "probabilities.npy"), probabilities)
    np.save(os.path.join(out, "cam.npy"), cam)
    np.save(os.path.join(out, "crm.npy"), cam ** 2 / (u * v) ** 2)

    keys, labelled = [], []
    rows = ["key,findings"]
    for i in range(IMAGES):
        key = f"img_{i}.png"
        png(os.path.join(out, "data", key), pixels[i])
        # Labels: the present findings with one flipped per image (so "correct" differs from "predicted"), one "No Finding".
        present = set(np.flatnonzero(probabilities[i] >= 0.5).tolist())
        flip = i % len(FINDINGS)
        findings = sorted(present ^ {flip}) if i != 3 else []
        keys.append(key)
        labelled.append(findings)
        cell = "No Finding" if i == 3 else ";".join(FINDINGS[f] for f in findings)
        rows.append(f"{key},{cell}")
    with open(os.path.join(out, "data", "labels.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(out, "keys.json"), "w") as f:
        json.dump({"keys": keys, "labelled": labelled}, f)

    manifest = {
        "name": "multilabel-cxr", "version": "test", "onnx": "model.onnx",
        "input": {"name": "input", "layout": "NCHW", "size": [SIZE, SIZE], "channels": "RGB", "scale": 1 / 255,
                  "mean": [MEAN] * 3, "std": [STD] * 3},
        "outputs": {"logits": "probabilities", "activation": "sigmoid"},
        "targetLayer": target,
        "head": "gap-linear",
        "classes": FINDINGS,
        "description": "multi-label test net: random weights (torch seed 1234), opset 11, ends in Sigmoid",
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"probabilities:\n{np.round(probabilities, 3)}\nlabelled: {labelled}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    export(args.out)
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(args.out, "stamp"), "w") as f:
        f.write(digest)


if __name__ == "__main__":
    sys.exit(main())
