#!/usr/bin/python3
"""Small torch nets exported to ONNX, with LRP and DeepLIFT references computed independently in numpy.

The reference works on each net as a list of layers in float64: every affine layer (Conv + folded
BatchNorm, Linear, global average pooling) as its dense matrix W [inputs, outputs] and bias b (read
off the float64 torch module by probing it with unit vectors), ReLU, and max pooling by its argmax
routing. LRP is the textbook relevance redistribution over contributions z_jk = x_j·w_jk (Montavon et
al. 2019); DeepLIFT rescale multipliers follow captum (Δy/Δx at ReLU, its max-pooling rule). Nothing
here uses gradients of the ONNX graph. Usage: make_relevance_references.py --out FOLDER
"""
import argparse, hashlib, json, os, sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EPS_LRP = 0.1          # a large ε so the ε terms matter in the comparison
EPS_SMALL = 1e-9       # the conservation runs
DL_EPS = 1e-10


class Net(nn.Module):
    def __init__(self, bias):
        super().__init__()
        self.bias = bias
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1, bias=bias)
        self.bn = nn.BatchNorm2d(4) if bias else None
        self.conv2 = nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=bias)
        self.fc1 = nn.Linear(6, 5, bias=bias)
        self.fc2 = nn.Linear(5, 3, bias=bias)

    def block1(self, x):
        y = self.conv1(x)
        return self.bn(y) if self.bn is not None else y

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.block1(x)), 2)
        x = F.relu(self.conv2(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc2(F.relu(self.fc1(x)))


def affine(fn, shape):
    """Dense W [n_in, n_out] and b [n_out] of an affine map on one sample of `shape`."""
    n = int(np.prod(shape))
    with torch.no_grad():
        zero = fn(torch.zeros((1,) + shape, dtype=torch.float64)).reshape(-1)
        basis = torch.eye(n, dtype=torch.float64).reshape((n,) + shape)
        out = fn(basis).reshape(n, -1) - zero
    return out.numpy(), zero.numpy()


def layers_of(net):
    """The net as ('affine', W, b, kind) / ('relu',) / ('maxpool', shape) layers over flat samples."""
    a1 = affine(net.block1, (3, 8, 8))
    a2 = affine(net.conv2, (4, 4, 4))
    gap = affine(lambda t: F.adaptive_avg_pool2d(t, 1), (6, 2, 2))
    f1 = affine(net.fc1, (6,))
    f2 = affine(net.fc2, (5,))
    return [("affine", *a1, "conv"), ("relu",), ("maxpool", (4, 8, 8)), ("affine", *a2, "conv"), ("relu",),
            ("affine", *gap, "pool"), ("affine", *f1, "dense"), ("relu",), ("affine", *f2, "dense")]


def maxpool_indices(a, shape):
    t = torch.from_numpy(a.reshape((1,) + shape))
    y, idx = F.max_pool2d(t, 2, return_indices=True)
    c = shape[0]
    plane = shape[1] * shape[2]
    flat = (idx.reshape(c, -1) + torch.arange(c).reshape(c, 1) * plane).reshape(-1)
    return y.reshape(-1).numpy(), flat.numpy()


def forward(layers, x):
    acts = [x]
    for layer in layers:
        a = acts[-1]
        if layer[0] == "affine":
            acts.append(a @ layer[1] + layer[2])
        elif layer[0] == "relu":
            acts.append(np.maximum(a, 0))
        else:
            acts.append(maxpool_indices(a, layer[1])[0])
    return acts


def lrp(layers, x, target, rule, eps, alpha, low, high):
    acts = forward(layers, x)
    R = np.zeros_like(acts[-1])
    R[target] = acts[-1][target]
    beta = alpha - 1
    for i in range(len(layers) - 1, -1, -1):
        layer, a = layers[i], acts[i]
        if layer[0] == "relu":
            continue
        if layer[0] == "maxpool":
            _, idx = maxpool_indices(a, layer[1])
            Rin = np.zeros_like(a)
            np.add.at(Rin, idx, R)
            R = Rin
            continue
        W, b, kind = layer[1], layer[2], layer[3]
        Z = a[:, None] * W
        if kind == "pool":  # z-rule (pooling passes relevance as gradient × input does)
            z = Z.sum(0)
            R = (Z * np.divide(R, z, out=np.zeros_like(z), where=z != 0)).sum(1)
            continue
        use = rule
        if rule == "composite":
            use = "box" if i == 0 else ("zplus" if kind == "conv" else "epsilon")
        if use == "epsilon":
            z = a @ W + b
            R = (Z * (R / (z + eps * np.where(z >= 0, 1.0, -1.0)))).sum(1)
        elif use in ("alphabeta", "zplus"):
            al, be = (alpha, beta) if use == "alphabeta" else (1.0, 0.0)
            Zp, Zn = np.maximum(Z, 0), np.minimum(Z, 0)
            R = (Zp * (al * R / (Zp.sum(0) + eps))).sum(1) - (Zn * (be * R / (Zn.sum(0) - eps))).sum(1)
        elif use == "box":
            Zb = Z - low[:, None] * np.maximum(W, 0) - high[:, None] * np.minimum(W, 0)
            R = (Zb * (R / (Zb.sum(0) + eps))).sum(1)
        else:
            raise ValueError(use)
    return R, acts[-1]


def deeplift(layers, x, ref, target):
    acts, refs = forward(layers, x), forward(layers, ref)
    m = np.zeros_like(acts[-1])
    m[target] = 1.0
    for i in range(len(layers) - 1, -1, -1):
        layer, a, r = layers[i], acts[i], refs[i]
        dx = a - r
        if layer[0] == "affine":
            m = layer[1] @ m
        elif layer[0] == "relu":
            dy = np.maximum(a, 0) - np.maximum(r, 0)
            small = np.abs(dx) < DL_EPS
            m = m * np.where(small, (a > 0).astype(float), dy / np.where(small, 1.0, dx))
        else:
            y, idx = maxpool_indices(a, layer[1])
            yr, idxr = maxpool_indices(r, layer[1])
            ymax = np.maximum(y, yr)
            U = np.zeros_like(a)
            np.add.at(U, idx, m * (ymax - yr))
            np.add.at(U, idxr, m * (y - ymax))
            grad = np.zeros_like(a)
            np.add.at(grad, idx, m)
            small = np.abs(dx) < DL_EPS
            m = np.where(small, grad, U / np.where(small, 1.0, dx))
    return (x - ref) * m, acts[-1], refs[-1]


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def make(name, bias, out, seed):
    torch.manual_seed(seed)
    net = Net(bias)
    with torch.no_grad():  # torch's default init gives logits around 0.02 here; scale them to order 1
        for layer in (net.conv1, net.conv2, net.fc1, net.fc2):
            layer.weight.mul_(2.5)
    if net.bn is not None:
        with torch.no_grad():
            net.bn.weight.copy_(torch.tensor([1.3, -0.7, 0.9, 1.1]))
            net.bn.bias.copy_(torch.tensor([0.2, -0.1, 0.05, 0.3]))
            net.bn.running_mean.copy_(torch.tensor([0.1, -0.2, 0.3, 0.0]))
            net.bn.running_var.copy_(torch.tensor([0.8, 1.2, 0.5, 2.0]))
    net.eval()
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(seed + 1))
    torch.onnx.export(net, x, os.path.join(out, name + ".onnx"), input_names=["input"], output_names=["logits"],
                      opset_version=13, dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    net64 = net.double()
    layers = layers_of(net64)
    xs = x.double().numpy().reshape(2, -1)
    low = np.repeat(np.array([-2.1, -2.0, -1.8]), 64)
    high = np.repeat(np.array([2.2, 2.4, 2.6]), 64)
    ref = np.repeat(np.array([-1.5, 0.3, -0.9]), 64)
    with torch.no_grad():
        torch_logits = net64(x.double()).numpy()
    record = {"input": tensor(x.numpy()), "low": tensor(low.reshape(1, 3, 8, 8)), "high": tensor(high.reshape(1, 3, 8, 8)),
              "reference": tensor(np.stack([ref, ref]).reshape(2, 3, 8, 8)), "logits": tensor(torch_logits),
              "eps": EPS_LRP, "eps_small": EPS_SMALL, "has_batchnorm": net.bn is not None}
    targets = [int(np.argmax(torch_logits[0])), int(np.argmin(torch_logits[1]))]
    record["targets"] = targets
    runs = {"epsilon": ("epsilon", EPS_LRP, 2.0), "epsilon_small": ("epsilon", EPS_SMALL, 2.0),
            "alphabeta2": ("alphabeta", EPS_SMALL, 2.0), "alphabeta1": ("alphabeta", EPS_SMALL, 1.0),
            "composite": ("composite", EPS_LRP, 2.0), "composite_small": ("composite", EPS_SMALL, 2.0)}
    for key, (rule, eps, alpha) in runs.items():
        rows = []
        for b in range(2):
            R, logits = lrp(layers, xs[b], targets[b], rule, eps, alpha, low, high)
            assert np.allclose(logits, torch_logits[b], atol=1e-9), "the dense layers do not reproduce the torch net"
            rows.append(R)
        record["lrp_" + key] = tensor(np.stack(rows).reshape(2, 3, 8, 8))
    rows, gaps = [], []
    for b in range(2):
        C, logits, ref_logits = deeplift(layers, xs[b], ref, targets[b])
        rows.append(C)
        gaps.append(logits[targets[b]] - ref_logits[targets[b]])
    record["deeplift"] = tensor(np.stack(rows).reshape(2, 3, 8, 8))
    record["deeplift_gap"] = gaps
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(record, f)
    print(name, "targets", targets, "deeplift sum-vs-gap", [float(np.sum(r) - g) for r, g in zip(rows, gaps)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = parser.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.set_grad_enabled(False)
    make("relevance_cnn", True, out, 7)
    make("relevance_cnn_nobias", False, out, 11)
    with open(__file__, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(out, "stamp"), "w") as f:
        f.write(digest)


if __name__ == "__main__":
    main()
