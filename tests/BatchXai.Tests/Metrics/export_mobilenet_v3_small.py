"""A torchvision MobileNetV3-Small (hard-swish / hard-sigmoid) with seeded random weights, for the
--ig-tolerance test: 5 classes, 128 px input, exported to ONNX with a BatchXai manifest and two inputs.

With torchvision's initialisation a random MobileNetV3's activations shrink ~5x per block, leaving the
logits independent of the input (a score gap of ~1e-9 between an image and a black baseline: no
completeness target is meaningful). Here the linear layers get PyTorch's default (Kaiming-uniform)
initialisation and every BatchNorm takes its running statistics from one pass over 16 smooth random
images (as a trained net's would), so activations keep their scale and scores move with the input.

usage: export_mobilenet_v3_small.py OUT_FOLDER
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torchvision

SIZE, CLASSES = 128, 5


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(2018)
    model = torchvision.models.mobilenet_v3_small(weights=None, num_classes=CLASSES).eval()
    generator = torch.Generator().manual_seed(7)
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            m.reset_parameters()
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # a cumulative average over the calibration pass
    # Two smooth inputs in normalised space (sums of a few random low-frequency waves), not white noise.
    yy, xx = torch.meshgrid(torch.linspace(0, 1, SIZE), torch.linspace(0, 1, SIZE), indexing="ij")
    images = []
    for _ in range(18):
        image = torch.zeros(3, SIZE, SIZE)
        for _ in range(6):
            a, fx, fy, phase = torch.rand(4, generator=generator)
            image += (2 * a - 1) * torch.sin(2 * np.pi * (3 * fx * xx + 3 * fy * yy) + 6 * phase)
        images.append(image)
    calibration, x = torch.stack(images[2:]), torch.stack(images[:2])
    model.train()
    with torch.no_grad():
        model(calibration)
    model.eval()
    path = os.path.join(out, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        logits = model(x)
    graph = onnx.load(path).graph
    target = [n for n in graph.node if n.op_type == "GlobalAveragePool"][-1].input[0]
    np.save(os.path.join(out, "input.npy"), x.numpy().astype(np.float32))
    manifest = {
        "name": "mobilenet_v3_small_random", "version": "test", "onnx": "model.onnx",
        "input": {"name": "input", "layout": "NCHW", "size": [SIZE, SIZE], "channels": "RGB", "scale": 1 / 255,
                  "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "outputs": {"logits": "logits"}, "targetLayer": target, "head": "generic",
        "classes": [f"class_{i}" for i in range(CLASSES)],
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print("logits", logits.numpy().round(3).tolist())


if __name__ == "__main__":
    main(sys.argv[1])
