#!/usr/bin/python3
"""Third-party-style classifiers for the bring-your-own-model tests, with torch's float64 answers for them.

Run with Debian's python (torch 1.13, torchvision 0.14, onnx 1.12); the C# tests run it when the cache
folder's stamp differs from this script's SHA-256:
    /usr/bin/python3 tests/BatchXai.Tests/Byom/export_byom_nets.py --out .work/byom

Every net is exported the way a third party hands a model over: at an old opset (9-12), ending in its
probability activation (Softmax or Sigmoid), so the manifest names the probability output plus
"activation" and BatchXai has to find the logits itself. Random seeded weights, batch 2, small inputs.

For each net, <out>/<net>/ gets:
  model.onnx        torch.onnx.export in eval mode at the net's opset, dynamic batch axis
  model.json        a BatchXai manifest (outputs.logits = the probability output, outputs.activation)
  input.npy         x, float32 [2, 3, S, S]
  seed.npy          w, float32 [2, N]: the logit weights the gradient is taken of
  logits.npy        torch float64 pre-activation scores
  input_grad.npy    float64 d(sum(w * logits))/dx
  target.npy        float64 target-layer activations, NCHW [2, K, U, V] (also for the NHWC net)
  target_grad.npy   float64 d(sum(w * logits))/d(target layer), NCHW
  cam.npy           (gap-linear heads) float64 CAM of the predicted class, numpy: sum_k W[c,k] A_k(l,m)
  crm.npy           float64 CRM: sum_c (S_c - S_c(l,m))^2, numpy closed form for gap-linear heads,
                    torch float64 ablation of the head otherwise
and <out>/stamp holds this script's SHA-256 once every net is written.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Backward", "Conformance"))
from export_torchvision_nets import capture_target, last_node_input, randomise_batchnorm  # noqa: E402

BATCH = 2


def last_node_output(graph, op_type):
    return [n for n in graph.node if n.op_type == op_type][-1].output[0]


class Probabilities(nn.Module):
    """A classifier whose exported output is its probabilities, as third-party exports often are."""

    def __init__(self, net, activation):
        super().__init__()
        self.net, self.activation = net, activation

    def forward(self, x):
        s = self.net(x)
        if self.activation == "logsoftmax":
            return torch.log_softmax(s, dim=1)
        return torch.softmax(s, dim=1) if self.activation == "softmax" else torch.sigmoid(s)


class SmallCnn(nn.Module):
    """conv-bn-relu x3 (a max-pool between), then GAP and a linear layer; optional Elu (no gradient rule)."""

    def __init__(self, classes, elu=False):
        super().__init__()
        act = nn.ELU if elu else nn.ReLU
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), act(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), act(), nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        return self.fc(self.features(x).mean(dim=(2, 3)))


class NhwcCnn(nn.Module):
    """Keras-style: the conv trunk's output is transposed to channels-last; the head pools over H, W and reads NHWC."""

    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.nhwc = nn.Identity()
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        a = self.nhwc(self.features(x).permute(0, 2, 3, 1))
        return self.fc(a.mean(dim=(1, 2)))


class OpsCnn(nn.Module):
    """The ops whose ONNX form changed between opsets 9 and 13, as torch exports them: ReLU6 (Clip), F.pad (Pad),
    slicing (Slice), torch.split (Split), a row sum (ReduceSum), unsqueeze/squeeze, x.view(x.size(0), -1)
    (Shape/Gather/Unsqueeze/Concat/Reshape), then a linear layer."""

    def __init__(self, classes):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU6(), nn.MaxPool2d(2))
        self.block2 = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.fc = nn.Linear(16 * 16, classes)

    def forward(self, x):
        a = nn.functional.pad(self.block1(x), (1, 2, 1, 2))
        a = a[:, :, 1:-2, 1:-2]
        p, q = torch.split(a, [3, 5], dim=1)
        return self.head(self.block2(torch.cat([q, p], 1)))

    def head(self, a):
        s = a.sum(dim=3).unsqueeze(-1).squeeze(-1)
        return self.fc(s.view(s.size(0), -1))


def resnet18(classes):
    return torchvision.models.resnet18(weights=None, num_classes=classes)


def mobilenet_v3_small(classes):
    return torchvision.models.mobilenet_v3_small(weights=None, num_classes=classes)


# net: (constructor of the scoring net, classes, input size, opset, activation, module whose output is the
#       target layer, how to find that tensor in the ONNX graph, head kind, target layout, fc module or None)
NETS = {}
for _opset in (9, 10, 11, 12):
    NETS[f"resnet18_op{_opset}"] = (resnet18, 5, 96, _opset, "softmax", "layer4",
                                    lambda g: last_node_input(g, "GlobalAveragePool"), "gap-linear", "NCHW", "fc")
    NETS[f"mobilenet_v3_small_op{_opset}"] = (mobilenet_v3_small, 5, 96, _opset, "softmax", "features",
                                              lambda g: last_node_input(g, "GlobalAveragePool"), "generic", "NCHW", None)
NETS["multilabel_op9"] = (lambda c: SmallCnn(c), 4, 64, 9, "sigmoid", "features",
                          lambda g: last_node_input(g, "ReduceMean"), "gap-linear", "NCHW", "fc")
NETS["nhwc_op10"] = (lambda c: NhwcCnn(c), 3, 64, 10, "softmax", "nhwc",
                     lambda g: last_node_output(g, "Transpose"), "generic", "NHWC", None)
for _opset in (9, 10, 11, 12):
    NETS[f"ops_op{_opset}"] = (lambda c: OpsCnn(c), 3, 64, _opset, "logsoftmax" if _opset == 9 else "softmax", "block2",
                               lambda g: last_node_output(g, "Relu"), "generic", "NCHW", None)
NETS["elu_op9"] = (lambda c: SmallCnn(c, elu=True), 3, 64, 9, "softmax", "features",
                   lambda g: last_node_input(g, "ReduceMean"), "generic", "NCHW", None)


def build(name):
    """The scoring net (pre-activation) with its seeded random weights, in eval mode, and the generator for x and the seed."""
    make, classes = NETS[name][0], NETS[name][1]
    torch.manual_seed(1234)
    model = make(classes).eval()
    generator = torch.Generator().manual_seed(99)
    randomise_batchnorm(model, generator)
    return model, generator


def crm_by_ablation(head, a):
    """sum_c (S_c - S_c(l,m))^2 with every feature map's (l,m) element zeroed, a: [K, U, V] float64 NCHW."""
    k, u, v = a.shape
    base = head(a.unsqueeze(0))[0]
    crm = torch.zeros(u, v, dtype=torch.float64)
    for l in range(u):
        for m in range(v):
            ablated = a.clone()
            ablated[:, l, m] = 0
            crm[l, m] = ((base - head(ablated.unsqueeze(0))[0]) ** 2).sum()
    return crm


def export(name, out):
    _, classes, size, opset, activation, module_name, find_target, head, layout, fc = NETS[name]
    folder = os.path.join(out, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    model, generator = build(name)
    x = torch.randn(BATCH, 3, size, size, generator=generator)
    seed = torch.randn(BATCH, classes, generator=generator)

    onnx_path = os.path.join(folder, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(Probabilities(model, activation).eval(), x, onnx_path, opset_version=opset,
                          input_names=["input"], output_names=["probabilities"],
                          dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})
    graph = onnx.load(onnx_path, load_external_data=False).graph
    target_name = find_target(graph)

    reference = model.double()
    captured = capture_target(reference, module_name)
    xd = x.double().requires_grad_(True)
    logits = reference(xd)
    (seed.double() * logits).sum().backward()
    target, target_grad = captured["target"], captured["target"].grad
    if layout == "NHWC":
        target, target_grad = target.permute(0, 3, 1, 2), target_grad.permute(0, 3, 1, 2)

    def save(file, tensor, dtype):
        np.save(os.path.join(folder, file), np.asarray(tensor.detach().numpy() if torch.is_tensor(tensor) else tensor).astype(dtype))

    save("input.npy", x, np.float32)
    save("seed.npy", seed, np.float32)
    save("logits.npy", logits, np.float64)
    save("input_grad.npy", xd.grad, np.float64)
    save("target.npy", target, np.float64)
    save("target_grad.npy", target_grad, np.float64)

    a = target.detach().numpy()  # [N, K, U, V]
    predicted = logits.detach().numpy().argmax(axis=1)
    u, v = a.shape[2], a.shape[3]
    if fc is not None:
        w = reference.get_submodule(fc).weight.detach().numpy()  # [classes, K]
        scores = np.einsum("ck,nkuv->ncuv", w, a)  # every class's CAM
        save("cam.npy", np.stack([scores[i, predicted[i]] for i in range(BATCH)]), np.float64)
        save("crm.npy", (scores ** 2).sum(axis=1) / (u * v) ** 2, np.float64)
    else:
        with torch.no_grad():
            if name.startswith("ops"):
                score_head = reference.head
            elif name.startswith("mobilenet"):
                def score_head(f):
                    return reference.classifier(torch.flatten(reference.avgpool(f), 1))
            else:  # the NHWC net: its head reads channels-last
                def score_head(f):
                    return reference.fc(f.permute(0, 2, 3, 1).mean(dim=(1, 2)))
            save("crm.npy", torch.stack([crm_by_ablation(score_head, target[i].detach()) for i in range(BATCH)]), np.float64)

    manifest = {
        "name": name,
        "version": "byom",
        "onnx": "model.onnx",
        "input": {"name": "input", "layout": "NCHW", "size": [size, size], "channels": "RGB", "scale": 1 / 255,
                  "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "outputs": {"logits": "probabilities", "activation": "sigmoid" if activation == "sigmoid" else "softmax"},
        "targetLayer": target_name,
        "head": head,
        "classes": [f"class_{i}" for i in range(classes)],
        "description": f"{name}: random weights (torch seed 1234) exported at opset {opset} ending in {activation}; "
                       f"target layer: output of module '{module_name}'",
        "metadata": {"opset": opset, "torchModule": module_name, "targetShape": list(target.shape),
                     "ops": sorted({n.op_type for n in graph.node})},
    }
    if layout == "NHWC":
        manifest["targetLayerLayout"] = "NHWC"
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"{name}: opset {opset}, target '{target_name}' {list(target.shape)}; ops {manifest['metadata']['ops']}", flush=True)


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
        os.remove(stamp)
    os.makedirs(args.out, exist_ok=True)
    for name in args.nets:
        export(name, args.out)
    if args.nets == list(NETS):
        with open(stamp, "w") as f:
            f.write(script_sha256())


if __name__ == "__main__":
    sys.exit(main())
