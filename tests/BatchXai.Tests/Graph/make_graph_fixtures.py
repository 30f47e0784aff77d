#!/usr/bin/python3
"""Exports the tiny random-weight CNNs the Graph and Manifest tests run against.

Run with Debian's python (torch 1.13, torchvision, onnx 1.12):
    /usr/bin/python3 tests/BatchXai.Tests/Graph/make_graph_fixtures.py

For each model it writes, into Fixtures/ beside this script:
  <name>.onnx           exported by torch.onnx.export (dynamic batch axis)
  <name>.expected.json  facts read back with python onnx and numbers computed by torch
                        (the independent reference the C# tests compare against).
The weights come from a fixed seed, so re-running reproduces the same files.
"""
import hashlib
import json
import os

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "Fixtures")
NUM_CLASSES = 5
SIZE = 32


def features() -> nn.Sequential:
    # Index 5 is the last ReLU: its output is the target layer ("/features/features.5/Relu").
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
    )


class GapLinearNet(nn.Module):
    """Features → global average pooling → one linear layer (the CAM/CRM closed-form case)."""

    def __init__(self):
        super().__init__()
        self.features = features()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(16, NUM_CLASSES)

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class MlpHeadNet(nn.Module):
    """Features → GAP → Linear → ReLU → Linear: a non-linear head that needs ablation."""

    def __init__(self):
        super().__init__()
        self.features = features()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, NUM_CLASSES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class InputShapeHeadNet(GapLinearNet):
    """Reshapes the pooled features with the batch size read from the graph input, so the head
    depends on the input through Shape → Gather → Reshape: it cannot run from features alone."""

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)).reshape(x.shape[0], -1))


def randomise_batch_norm(model: nn.Module) -> None:
    # Fresh BatchNorm running stats are 0/1, which would hide a wrongly wired BN; make them not.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def floats(t: torch.Tensor) -> list:
    return [float(v) for v in t.detach().numpy().astype(np.float32).ravel()]


def dims(value_info):
    """Dims as ints or symbol names; None when the shape (and so the rank) is unknown."""
    if not value_info.type.tensor_type.HasField("shape"):
        return None
    out = []
    for d in value_info.type.tensor_type.shape.dim:
        out.append(d.dim_param if d.HasField("dim_param") else int(d.dim_value))
    return out


def export(name: str, model: nn.Module, opset: int, target_layer: str, infer_shapes: bool) -> None:
    model.eval()
    x = torch.rand(1, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(7))
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(
        model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )

    # Activations of the target layer by a forward hook on the torch module, not from ONNX.
    captured = {}
    model.features[5].register_forward_hook(lambda m, i, o: captured.setdefault("a", o))
    with torch.no_grad():
        logits = model(x)
    target = captured["a"]

    if infer_shapes:
        # Store intermediate shapes in graph.value_info, as shape-inferred models carry them.
        onnx.save(onnx.shape_inference.infer_shapes(onnx.load(path)), path)
    raw = open(path, "rb").read()
    proto = onnx.load_from_string(raw)
    onnx.checker.check_model(proto)
    graph = proto.graph
    initializers = {t.name for t in graph.initializer}
    producer = next(n for n in graph.node if target_layer in n.output)
    # The head is what torch names outside "/features/": the nodes ExtractSubgraph must keep.
    head_nodes = [n.name for n in graph.node if not n.name.startswith("/features/")]
    head_initializers = sorted(
        i for n in graph.node if not n.name.startswith("/features/") for i in n.input if i in initializers)

    expected = {
        "sha256": hashlib.sha256(raw).hexdigest(),
        "opset": next(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")),
        "irVersion": proto.ir_version,
        "inputs": [{"name": i.name, "elemType": i.type.tensor_type.elem_type, "dims": dims(i)}
                   for i in graph.input if i.name not in initializers],
        "outputs": [{"name": o.name, "dims": dims(o)} for o in graph.output],
        "valueInfo": [{"name": v.name, "elemType": v.type.tensor_type.elem_type, "dims": dims(v)}
                      for v in graph.value_info],
        "nodeCount": len(graph.node),
        "nodeNames": [n.name for n in graph.node],
        "targetLayer": target_layer,
        "targetProducer": {"name": producer.name, "opType": producer.op_type},
        "headNodes": head_nodes,
        "headInitializers": head_initializers,
        "input": {"shape": list(x.shape), "data": floats(x)},
        "logits": {"shape": list(logits.shape), "data": floats(logits)},
        "target": {"shape": list(target.shape), "data": floats(target)},
    }
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f)
    print(f"{name}: {len(raw)} bytes, {len(graph.node)} nodes, opset {opset}")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1234)
    target = "/features/features.5/Relu_output_0"
    for name, cls, opset, infer_shapes in (
        ("tiny_gap_linear", GapLinearNet, 13, False),
        ("tiny_mlp_head", MlpHeadNet, 17, False),
        ("tiny_input_shape_head", InputShapeHeadNet, 15, True),
    ):
        model = cls()
        randomise_batch_norm(model)
        export(name, model, opset, target, infer_shapes)


if __name__ == "__main__":
    main()
