#!/usr/bin/python3
"""Exports a tiny classifier whose input gradient is NaN for an all-black image and finite otherwise.

Run with Debian's python (torch 1.13, onnx 1.12):
    /usr/bin/python3 tests/BatchXai.Tests/Pipeline/make_nan_gradient_model.py

The model is the Graph fixtures' CNN with a side branch added to its features, before the target
layer (the head after the target layer stays GAP → linear, as the loader requires):
    d = mean(x) − BLACK,  b = d·d + 2e-38,  r = 2e-38 / b,  target = ReLU(features(x) + 1e4·r)
With the fixture manifests' normalisation (x/255 − 0.5)/0.25 an all-black image has mean(x) = −2
exactly, so d = 0, b = 2e-38 and r = 1: the forward pass is finite. Backwards, ∂r/∂b = −r/b ≈ −5e37
per unit of upstream gradient, and the 1e4 pushes it past float32's range (±inf); the chain rule
through d·d then multiplies that by d = 0: NaN on every input pixel of that image. Any other image has
b ≈ d² of order one, where the branch adds about 1e-35 to the features and nothing to the gradients.
The target layer's gradient (Grad-CAM) lies after the branch and stays finite.
"""
import os

import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
GRAPH = os.path.join(HERE, "..", "Graph")
OUT = os.path.join(HERE, "Fixtures", "nan_gradient_on_black.onnx")

import sys
sys.path.insert(0, GRAPH)
from make_graph_fixtures import GapLinearNet, randomise_batch_norm, SIZE  # noqa: E402

BLACK = -2.0
TARGET_LAYER = "/lift/Relu_output_0"
TINY = 2e-38


class NanGradientOnBlack(GapLinearNet):
    def __init__(self):
        super().__init__()
        self.register_buffer("tiny", torch.tensor([TINY]))
        self.lift = nn.ReLU()

    def forward(self, x):
        d = x.mean(dim=(1, 2, 3)) - BLACK
        r = self.tiny / (d * d + self.tiny)
        target = self.lift(self.features(x) + 1e4 * r.reshape(-1, 1, 1, 1))
        return self.classifier(torch.flatten(self.pool(target), 1))


def main() -> None:
    torch.manual_seed(1234)
    model = NanGradientOnBlack()
    randomise_batch_norm(model)
    model.eval()
    x = torch.rand(1, 3, SIZE, SIZE)
    torch.onnx.export(model, x, OUT, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    proto = onnx.load(OUT)
    onnx.checker.check_model(proto)
    assert any(TARGET_LAYER in n.output for n in proto.graph.node), [n.output for n in proto.graph.node]

    # The reference facts the test relies on, checked here with torch autograd.
    black = torch.full((1, 3, SIZE, SIZE), BLACK, requires_grad=True)
    grey = torch.full((1, 3, SIZE, SIZE), 0.0, requires_grad=True)
    for name, image, finite in (("black", black, False), ("grey", grey, True)):
        for c in range(5):  # whichever class a run targets
            image.grad = None
            out = model(image)
            assert torch.isfinite(out).all(), name
            out[0, c].backward()
            assert bool(torch.isfinite(image.grad).all()) == finite, (name, c, image.grad.flatten()[:3])
    print(f"{OUT}: {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
