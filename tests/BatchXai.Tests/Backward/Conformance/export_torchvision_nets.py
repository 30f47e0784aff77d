#!/usr/bin/python3
"""Exports six torchvision architectures with random (seeded) weights and torch's autograd answer for them.

Run with Debian's python (torch 1.13, torchvision 0.14, onnx 1.12); the C# conformance tests run it
when the cache folder's stamp differs from this script's SHA-256:
    /usr/bin/python3 tests/BatchXai.Tests/Backward/Conformance/export_torchvision_nets.py --out .work/conformance

For each net, <out>/<net>/ gets:
  model.onnx        torch.onnx.export in eval mode (BatchNorm folded, Dropout gone), dynamic batch axis
  model.json        a BatchXai model manifest; targetLayer is the ONNX name of the net's last conv block
                    output (the module named in "description")
  input.npy         x, float32 [2, 3, S, S] (standard normal, fixed seed)
  seed.npy          w, float32 [2, 1000]: the logit weights the gradient is taken of
  logits.npy        torch float64 logits for x (weights as exported, promoted to float64)
  input_grad.npy    float64 d(sum(w * logits))/dx by torch autograd
  target.npy        float64 activations of the target layer
  target_grad.npy   float64 d(sum(w * logits))/d(target layer)
                    (metadata.torchFloat32InputGradError: how far torch's own float32 input gradient is from it)
and <out>/stamp holds this script's SHA-256 once every net is written.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time

import numpy as np
import onnx
import torch
import torchvision

CLASSES = 1000
BATCH = 2


def last_node_input(graph, op_type):
    return [n for n in graph.node if n.op_type == op_type][-1].input[0]


# net: (constructor, input size, opset, torch module whose output is the target layer, how to find
#       that tensor in the ONNX graph, head kind for the manifest)
NETS = {
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), 224, 13, "layer4",
                 lambda g: last_node_input(g, "GlobalAveragePool"), "gap-linear"),
    # features ends with norm5 (BatchNorm, not foldable: no conv after it), then ReLU and the GAP.
    "densenet121": (lambda: torchvision.models.densenet121(weights=None), 224, 13, "features",
                    lambda g: last_node_input(g, "Relu"), "generic"),
    # the last ReLU of the conv trunk, before the final 2x2 max-pool and the 7x7 adaptive pool.
    "vgg16": (lambda: torchvision.models.vgg16(weights=None), 224, 17, "features.29",
              lambda g: last_node_input(g, "MaxPool"), "generic"),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(weights=None), 224, 17, "features",
                        lambda g: last_node_input(g, "GlobalAveragePool"), "gap-linear"),
    "mobilenet_v3_large": (lambda: torchvision.models.mobilenet_v3_large(weights=None), 224, 17, "features",
                           lambda g: last_node_input(g, "GlobalAveragePool"), "generic"),
    "inception_v3": (lambda: torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=True), 299, 13,
                     "Mixed_7c", lambda g: last_node_input(g, "GlobalAveragePool"), "gap-linear"),
}


def randomise_batchnorm(model, generator):
    """Fresh BatchNorm layers are identities in eval mode; give them statistics so folding them matters."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.empty(n).uniform_(0.5, 1.5, generator=generator)
            m.bias.data = torch.empty(n).normal_(0, 0.1, generator=generator)
            m.running_mean.copy_(torch.empty(n).normal_(0, 0.1, generator=generator))
            m.running_var.copy_(torch.empty(n).uniform_(0.5, 1.5, generator=generator))


def build(name):
    """The net with its seeded random weights, in eval mode, and the generator that goes on to draw x and the seed."""
    torch.manual_seed(1234)
    model = NETS[name][0]().eval()
    generator = torch.Generator().manual_seed(99)
    randomise_batchnorm(model, generator)
    return model, generator


def capture_target(model, module_name):
    """A dict that gets the module's output under "target" on each forward pass, its gradient retained."""
    captured = {}

    def keep(_, __, output):
        output.retain_grad()
        captured["target"] = output
        # Passed on as a copy: an in-place op downstream (DenseNet's F.relu(inplace=True)) must not overwrite it.
        return output.clone()

    model.get_submodule(module_name).register_forward_hook(keep)
    return captured


def export(name, out):
    make, size, opset, module_name, find_target, head = NETS[name]
    folder = os.path.join(out, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    model, generator = build(name)
    x = torch.randn(BATCH, 3, size, size, generator=generator)
    seed = torch.randn(BATCH, CLASSES, generator=generator)

    # torch's own float32 gradient, to tell how far float32 arithmetic alone moves the gradient of this net.
    x32 = x.clone().requires_grad_(True)
    (seed * model(x32)).sum().backward()
    model.zero_grad(set_to_none=True)

    started = time.time()
    onnx_path = os.path.join(folder, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, x, onnx_path, opset_version=opset, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    graph = onnx.load(onnx_path, load_external_data=False).graph
    target_name = find_target(graph)
    exported = time.time()

    reference = model.double()
    captured = capture_target(reference, module_name)
    xd = x.double().requires_grad_(True)
    logits = reference(xd)
    (seed.double() * logits).sum().backward()
    target = captured["target"]
    float32_error = ((x32.grad.double() - xd.grad).abs().max() / xd.grad.abs().max()).item()

    def save(file, tensor, dtype):
        np.save(os.path.join(folder, file), tensor.detach().numpy().astype(dtype))

    save("input.npy", x, np.float32)
    save("seed.npy", seed, np.float32)
    save("logits.npy", logits, np.float64)
    save("input_grad.npy", xd.grad, np.float64)
    save("target.npy", target, np.float64)
    save("target_grad.npy", target.grad, np.float64)

    manifest = {
        "name": name,
        "version": "conformance",
        "onnx": "model.onnx",
        "input": {"name": "input", "layout": "NCHW", "size": [size, size], "channels": "RGB", "scale": 1 / 255,
                  "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "outputs": {"logits": "logits"},
        "targetLayer": target_name,
        "head": head,
        "classes": [f"class_{i}" for i in range(CLASSES)],
        "description": f"torchvision {name}, random weights (torch seed 1234), target layer: output of module '{module_name}'",
        "metadata": {"opset": opset, "torchModule": module_name, "targetShape": list(target.shape),
                     "torchFloat32InputGradError": float32_error,
                     "ops": sorted({n.op_type for n in graph.node})},
    }
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"{name}: exported in {exported - started:.1f}s, float64 autograd in {time.time() - exported:.1f}s; "
          f"target '{target_name}' {list(target.shape)} (module {module_name}); ops {manifest['metadata']['ops']}",
          flush=True)


def script_sha256():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--nets", nargs="*", default=list(NETS), choices=list(NETS))
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    stamp = os.path.join(args.out, "stamp")
    if os.path.exists(stamp):
        os.remove(stamp)  # a half-written cache must not look complete
    os.makedirs(args.out, exist_ok=True)
    for name in args.nets:
        export(name, args.out)
    if args.nets == list(NETS):
        with open(stamp, "w") as f:
            f.write(script_sha256())


if __name__ == "__main__":
    sys.exit(main())
