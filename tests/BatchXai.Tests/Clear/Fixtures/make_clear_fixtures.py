#!/usr/bin/python3
"""Torch's answer for CLEAR's deconvnet back-projection on the bundled graders (the reference the C# tests compare to).

Run with Debian's python (torch 1.13, onnx 1.12):
    /usr/bin/python3 tests/BatchXai.Tests/Clear/Fixtures/make_clear_fixtures.py

The graders' ONNX graphs are interpreted node by node in torch float64 with their own weights; ReLU is a
torch.autograd.Function whose backward is Zeiler & Fergus's deconvnet rule (ReLU of the incoming signal,
forward mask ignored); max-pooling's backward routes to the forward argmax (the switches), convolution's
is the transposed convolution. For class d the signal injected at the class responses M [1, N, u, v] is
ReLU(M) on channel d and 0 elsewhere; R(x|d) is what reaches the input.

Class responses: dr_fcn's class-kernel output (its manifest's outputs.classMaps); for dr_grader (GAP ->
Gemm) M_d = sum_k W[d, k] A_k, a 1x1 convolution of the pooled features with the Gemm weights.

Writes <grader>.clear.json: per class, max |R| and R at the 100 largest-|R| elements and 300 random ones.
"""
import json
import os

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "..", "..", "models")


class DeconvRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp(min=0)


def clear_input(size=160):
    """A fundus-like disc, so that every class responds somewhere (ReLU(M_d) is not all zero): inside the disc of
    radius 75 about (80, 80) x[c, h, w] = 0.6 - 0.4c + 0.2 sin(0.05h + 0.03w), outside -2 (black after the
    graders' normalisation). The C# test computes the same."""
    c, h, w = torch.meshgrid(torch.arange(3.0), torch.arange(float(size)), torch.arange(float(size)), indexing="ij")
    inside = (h - 80) ** 2 + (w - 80) ** 2 < 75 ** 2
    return torch.where(inside, 0.6 - 0.4 * c + 0.2 * torch.sin(0.05 * h + 0.03 * w), torch.full_like(h, -2.0)).unsqueeze(0).double()


def interpret(model, x, stop):
    """Runs the graph up to tensor `stop` (inclusive); returns every computed tensor by name."""
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()).double() for t in model.graph.initializer}
    values = {model.graph.input[0].name: x}
    for node in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        ins = [values[i] if i in values else weights[i] for i in node.input]
        if node.op_type == "Conv":
            p = a.get("pads", [0, 0, 0, 0])
            assert p[:2] == p[2:], "symmetric pads only"
            y = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a.get("strides", 1), p[:2], a.get("dilations", 1), a.get("group", 1))
        elif node.op_type == "Relu":
            y = DeconvRelu.apply(ins[0])
        elif node.op_type == "MaxPool":
            p = a.get("pads", [0, 0, 0, 0])
            y = F.max_pool2d(ins[0], a["kernel_shape"], a.get("strides", [1, 1]), p[:2], ceil_mode=bool(a.get("ceil_mode", 0)))
        else:
            break  # the head: not needed below the class responses
        values[node.output[0]] = y
        if node.output[0] == stop:
            break
    return values, weights


def class_responses(name, manifest, model, x):
    if "classMaps" in manifest["outputs"]:
        values, _ = interpret(model, x, manifest["outputs"]["classMaps"])
        return values[manifest["outputs"]["classMaps"]]
    values, weights = interpret(model, x, manifest["targetLayer"])
    gemm = next(n for n in model.graph.node if n.op_type == "Gemm")
    trans_b = next((at.i for at in gemm.attribute if at.name == "transB"), 0)
    w = weights[gemm.input[1]]
    w = w if trans_b else w.t()  # [N, K]
    return F.conv2d(values[manifest["targetLayer"]], w[:, :, None, None])


def reference(name):
    manifest = json.load(open(os.path.join(MODELS, name + ".json")))
    model = onnx.load(os.path.join(MODELS, manifest["onnx"]))
    record = {"classes": []}
    g = torch.Generator().manual_seed(17)
    for d in range(len(manifest["classes"])):
        x = clear_input().requires_grad_(True)
        m = class_responses(name, manifest, model, x)
        seed = torch.zeros_like(m)
        seed[:, d] = m[:, d].clamp(min=0)
        (r,) = torch.autograd.grad(m, x, grad_outputs=seed)
        r = r.flatten()
        picked = torch.cat([r.abs().topk(100).indices, torch.randint(0, r.numel(), (300,), generator=g)])
        record["classes"].append({"max_abs": r.abs().max().item(), "indices": picked.tolist(), "values": [r[i].item() for i in picked]})
    return record


if __name__ == "__main__":
    for grader in ["dr_fcn", "dr_grader"]:
        with open(os.path.join(HERE, grader + ".clear.json"), "w") as f:
            json.dump(reference(grader), f)
        print(grader, "CLEAR reference written")
