#!/usr/bin/python3
"""torch float64 autograd on the linear piece that ONNX Runtime's float32 forward pass took.

ReLU and max-pool nets are piecewise linear; their gradient is that of the piece the forward pass
lands in. A float32 forward (ONNX Runtime's, or torch's own) and a float64 one disagree on the few
units whose pre-activation lies within float32 rounding of zero (or max-pool windows whose top two
values are that close), and in a deep net with random weights even a handful of such units moves the
input gradient by ~1e-2 of its maximum: torch's own float32 gradient is that far from its float64 one.
So the conformance test, when ONNX Runtime's gradient is not within tolerance of the plain float64
reference, asks this script for float64 gradients with every ReLU mask and max-pool switch taken from
ONNX Runtime's forward pass, and compares with those: this checks the backward graph's arithmetic
without the float32 kink noise, and reports how many kinks the two forward passes decided differently.

    align_kinks.py --out .work/conformance --net resnet50

reads <out>/<net>/kinks/relu_NNN.npy (uint8: ReLU output > 0, per Relu node in graph order) and
maxpool_NNN.npy (int32: MaxPool Indices, flat over N*C*H*W, per MaxPool node in graph order),
written by the C# test, and writes aligned_input_grad.npy, aligned_target_grad.npy and aligned.json.
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torchvision_nets import NETS, build, capture_target  # noqa: E402


class Replay:
    """Stands in for F.relu and F.max_pool2d; the i-th call uses the i-th recorded node's decisions."""

    def __init__(self, relu_masks, pool_indices):
        self.relu_masks, self.pool_indices = relu_masks, pool_indices
        self.relus = self.pools = 0
        self.relu_flips = self.pool_switches = 0
        self.relu, self.max_pool2d = F.relu, F.max_pool2d

    def relu_call(self, x, inplace=False):
        if self.relus >= len(self.relu_masks):
            raise ValueError(f"torch made more ReLU calls than the ONNX graph has Relu nodes ({len(self.relu_masks)})")
        mask = torch.from_numpy(self.relu_masks[self.relus]).to(torch.bool)
        if tuple(mask.shape) != tuple(x.shape):
            raise ValueError(f"ReLU call {self.relus}: torch shape {list(x.shape)}, ONNX Relu node output {list(mask.shape)}")
        self.relus += 1
        self.relu_flips += int(((x > 0) != mask).sum())
        return x * mask.to(x.dtype)

    def pool_call(self, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        if self.pools >= len(self.pool_indices):
            raise ValueError(f"torch made more max-pool calls than the ONNX graph has MaxPool nodes ({len(self.pool_indices)})")
        flat = torch.from_numpy(self.pool_indices[self.pools].astype(np.int64))
        own = self.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)[1]
        if own.shape != flat.shape:
            raise ValueError(f"max-pool call {self.pools}: torch shape {list(own.shape)}, ONNX MaxPool output {list(flat.shape)}")
        self.pools += 1
        local = flat % (x.shape[2] * x.shape[3])  # ONNX counts (n*C + c)*H*W + h*W + w; torch h*W + w
        self.pool_switches += int((local != own).sum())
        y = x.flatten(2).gather(2, local.flatten(2)).view(local.shape)
        return (y, local) if return_indices else y

    def __enter__(self):
        F.relu, F.max_pool2d = self.relu_call, self.pool_call
        return self

    def __exit__(self, *_):
        F.relu, F.max_pool2d = self.relu, self.max_pool2d


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--net", required=True, choices=list(NETS))
    args = parser.parse_args()
    folder = os.path.join(args.out, args.net)
    kinks = os.path.join(folder, "kinks")
    relus = [np.load(p) for p in sorted(glob.glob(os.path.join(kinks, "relu_*.npy")))]
    pools = [np.load(p) for p in sorted(glob.glob(os.path.join(kinks, "maxpool_*.npy")))]

    model = build(args.net)[0].double()
    captured = capture_target(model, NETS[args.net][3])
    x = torch.from_numpy(np.load(os.path.join(folder, "input.npy"))).double().requires_grad_(True)
    seed = torch.from_numpy(np.load(os.path.join(folder, "seed.npy"))).double()
    with Replay(relus, pools) as replay:
        logits = model(x)
    if replay.relus != len(relus) or replay.pools != len(pools):
        raise ValueError(f"torch made {replay.relus} ReLU and {replay.pools} max-pool calls; "
                         f"the ONNX graph has {len(relus)} Relu and {len(pools)} MaxPool nodes")
    (seed * logits).sum().backward()
    np.save(os.path.join(kinks, "aligned_input_grad.npy"), x.grad.numpy())
    np.save(os.path.join(kinks, "aligned_target_grad.npy"), captured["target"].grad.numpy())
    with open(os.path.join(kinks, "aligned.json"), "w") as f:
        json.dump({"reluNodes": len(relus), "maxPoolNodes": len(pools), "reluUnitsDecidedDifferently": replay.relu_flips,
                   "maxPoolSwitchesDecidedDifferently": replay.pool_switches}, f)
    print(f"{args.net}: {replay.relu_flips} ReLU units and {replay.pool_switches} max-pool switches decided differently "
          f"by ONNX Runtime's float32 forward than by torch float64", flush=True)


if __name__ == "__main__":
    sys.exit(main())
