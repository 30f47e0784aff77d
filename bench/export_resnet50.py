#!/usr/bin/env python3
"""Exports a random-weight torchvision ResNet-50 to ONNX with a BatchXai manifest, for `make bench`.

No weights can be downloaded here; timings do not depend on the weights' values.
Usage: /usr/bin/python3 bench/export_resnet50.py --out .work/bench
"""
import argparse
import json
import os

import onnx
import torch
import torchvision


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "resnet50.onnx")
    manifest_path = os.path.join(args.out, "resnet50.json")
    weights_path = os.path.join(args.out, "resnet50.pt")  # same weights for bench/torch_ig.py
    if all(os.path.exists(p) for p in (onnx_path, manifest_path, weights_path)):
        print(f"resnet50: {onnx_path} exists")
        return

    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    torch.save(model.state_dict(), weights_path)
    dummy = torch.zeros(1, 3, args.size, args.size)
    torch.onnx.export(model, dummy, onnx_path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)

    graph = onnx.load(onnx_path).graph
    pool = next(n for n in graph.node if n.op_type in ("GlobalAveragePool", "ReduceMean"))
    manifest = {
        "name": "resnet50-random",
        "version": "bench",
        "onnx": "resnet50.onnx",
        "input": {"name": "input", "layout": "NCHW", "size": [args.size, args.size], "channels": "RGB",
                  "scale": 1 / 255, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "outputs": {"logits": "logits"},
        "targetLayer": pool.input[0],
        "head": "gap-linear",
        "classes": [f"class_{i}" for i in range(1000)],
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"resnet50: wrote {onnx_path} (target layer {pool.input[0]})")


if __name__ == "__main__":
    main()
