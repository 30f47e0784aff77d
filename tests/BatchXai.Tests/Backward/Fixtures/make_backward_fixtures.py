#!/usr/bin/python3
"""Exports the small torch models the backward-graph tests run against, with torch autograd's answer.

Run with Debian's python (torch 1.13, onnx 1.12):
    /usr/bin/python3 tests/BatchXai.Tests/Backward/Fixtures/make_backward_fixtures.py

For each model it writes, beside this script:
  <name>.onnx   torch.onnx.export, opset 17, dynamic batch axis, random weights (fixed seed), eval mode
  <name>.json   a fixed input x [2, ...] and seed [2, N], and torch's float64 autograd gradients of
                sum(seed * logits) with respect to x and (for some models) a target layer, named by
                its ONNX tensor name: the independent reference the C# tests compare to.
"""
import json
import os

import onnx
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = 3


class ConvVariants(nn.Module):
    """Strides, dilations, groups, asymmetric kernels and odd sizes where the forward conv drops trailing rows."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.b = nn.Conv2d(4, 6, 3, dilation=2, padding=2, groups=2)
        self.c = nn.Conv2d(6, 4, (2, 3), stride=(2, 3), padding=(0, 1))
        self.fc = nn.Linear(4 * 3 * 2, CLASSES)

    def forward(self, x):  # x: [B, 3, 11, 9]
        return self.fc(torch.flatten(self.c(self.b(self.a(x))), 1))


class StrideOneConvs(nn.Module):
    """Unit strides, whose input gradient is a Conv with the flipped kernel: dilation with an asymmetric kernel,
    a 1x1 conv padded wider than its reach (kept on ConvTranspose), and an even kernel width."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 5, (3, 2), dilation=(2, 1), padding=(2, 0))
        self.b = nn.Conv2d(5, 4, 1, padding=1)
        self.c = nn.Conv2d(4, 3, (2, 3), padding=(1, 1))
        self.fc = nn.Linear(3 * 10 * 7, CLASSES)

    def forward(self, x):  # x: [B, 3, 7, 6] -> [5, 7, 5] -> [4, 9, 7] -> [3, 10, 7]
        return self.fc(torch.flatten(self.c(self.b(self.a(x))), 1))


class Pools(nn.Module):
    """MaxPool with stride < kernel (overlapping windows) and padding, average pools with and without padding counted."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 3 * 3 + 3 * 4 * 4 + 3 * 2 * 2, CLASSES)

    def forward(self, x):  # x: [B, 2, 9, 9]
        y = self.conv(x)
        m = F.max_pool2d(F.relu(F.max_pool2d(y, 3, stride=2, padding=1)), 3, stride=1)  # 5 -> 3
        a = F.avg_pool2d(y, 3, stride=2, padding=1, count_include_pad=False)[:, :, :4, :4]
        b = F.avg_pool2d(y, 4, stride=3, padding=1, count_include_pad=True)[:, :, :2, :2]
        return self.fc(torch.cat([m.flatten(1), a.flatten(1), b.flatten(1)], 1))


class TinyResNet(nn.Module):
    """Conv-BN-ReLU-MaxPool stem, one residual block (fan-out into the block and the skip), GAP, Linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        self.body = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                  nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8))
        self.post = nn.BatchNorm2d(8)  # after the Add: not folded into a conv, stays a BatchNormalization node
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, CLASSES)

    def forward(self, x):  # x: [B, 3, 16, 16]
        s = self.stem(x)
        t = F.relu(self.post(self.body(s) + s))
        self.target = t
        return self.fc(torch.flatten(self.pool(t), 1))


class Elementwise(nn.Module):
    """Broadcasting Add/Sub/Mul/Div (both operands live, fan-out of x), ReduceMean keepdims 0, ReduceSum keepdims 1."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(3, 1, 1))
        self.b = nn.Parameter(torch.randn(1, 4, 1))
        self.fc = nn.Linear(3 * 5 + 3 * 4, CLASSES)

    def forward(self, x):  # x: [B, 3, 4, 5]
        y = x * self.w + self.b
        z = y / (1.5 + torch.sigmoid(x)) - torch.tanh(x) * x
        r = z.mean(dim=2)                   # [B, 3, 5]
        s = (z * z[:, :, :1, :]).sum(dim=3, keepdim=True)  # [B, 3, 4, 1], broadcast over W
        return self.fc(torch.cat([r.flatten(1), s.flatten(1)], 1))


class Shapes(nn.Module):
    """Transpose, Reshape, Concat, Split, strided Slice, Pad, Unsqueeze/Squeeze and a batched MatMul."""

    def __init__(self):
        super().__init__()
        self.m = nn.Parameter(torch.randn(5, 4))
        self.fc = nn.Linear(66, CLASSES)

    def forward(self, x):  # x: [B, 3, 4, 5]
        p = x.permute(0, 2, 1, 3)                           # [B, 4, 3, 5]
        q = torch.matmul(p, self.m)                          # [B, 4, 3, 4]
        c = torch.cat([q, 2 * p[..., :4]], dim=1)            # [B, 8, 3, 4]
        u, v = torch.chunk(c, 2, dim=1)                      # 2 × [B, 4, 3, 4]
        w = F.pad(u * v, (1, 2, 0, 1))                        # [B, 4, 4, 7]
        s = w[:, 1:, ::2, -6::2].unsqueeze(1).squeeze(1)      # [B, 3, 2, 3]
        return self.fc(torch.cat([s.reshape(x.shape[0], -1), v.flatten(1)], 1))


class Activations(nn.Module):
    """LeakyReLU, ReLU6 (Clip), Hardsigmoid, Hardswish, Tanh, Sigmoid, Dropout (identity in eval)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 12)
        self.fc2 = nn.Linear(12 * 6, CLASSES)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):  # x: [B, 12]
        h = self.fc1(x) * 3
        acts = [F.leaky_relu(h, 0.1), F.relu6(h), F.hardsigmoid(h), F.hardswish(h), torch.tanh(h), torch.sigmoid(h)]
        return self.fc2(self.drop(torch.cat(acts, 1)))


MODELS = {
    "conv_variants": (ConvVariants, [3, 11, 9]),
    "stride_one_convs": (StrideOneConvs, [3, 7, 6]),
    "pools": (Pools, [2, 9, 9]),
    "tiny_resnet": (TinyResNet, [3, 16, 16]),
    "elementwise": (Elementwise, [3, 4, 5]),
    "shapes": (Shapes, [3, 4, 5]),
    "activations": (Activations, [12]),
}


def randomise_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.2)
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 2.0)


def tensor_json(t):
    return {"shape": list(t.shape), "data": [round(v, 9) for v in t.detach().double().flatten().tolist()]}


def target_name(path, op_type):
    """The ONNX name of the output of the last node of the given type before the pooling head."""
    graph = onnx.load(path).graph
    return [n.output[0] for n in graph.node if n.op_type == op_type][-1]


def export(name, cls, sample_shape):
    torch.manual_seed(sum(map(ord, name)))
    model = cls()
    randomise_batchnorm(model)
    model.eval()
    x = torch.randn(2, *sample_shape)
    path = os.path.join(HERE, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})

    reference = model.double()
    xd = x.double().requires_grad_(True)
    logits = reference(xd)
    seed = torch.randn(logits.shape, dtype=torch.float64)
    record = {"input": tensor_json(x), "seed": tensor_json(seed), "logits": tensor_json(logits)}
    target = getattr(reference, "target", None)
    if target is not None:
        target.retain_grad()
    (seed * logits).sum().backward()
    record["input_grad"] = tensor_json(xd.grad)
    if target is not None:
        record["target_name"] = target_name(path, "Relu")
        record["target"] = tensor_json(target)
        record["target_grad"] = tensor_json(target.grad)
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(record, f)


if __name__ == "__main__":
    for model_name, (module, shape) in MODELS.items():
        export(model_name, module, shape)
        print(model_name, sorted({n.op_type for n in onnx.load(os.path.join(HERE, model_name + ".onnx")).graph.node}))


# ---- The bundled graders (models/dr_grader.onnx, dr_fcn.onnx), re-run in torch float64 ----------------------
# Their graphs are plain chains of the ops below; interpreting them node by node with the ONNX weights gives
# torch autograd's gradient for the very same network. The input is a formula both sides compute, so only
# a sample of gradient values needs committing.

def grader_input(size=160):
    c, h, w = torch.meshgrid(torch.arange(3.0), torch.arange(float(size)), torch.arange(float(size)), indexing="ij")
    return (1.5 * torch.sin(0.37 * c + 0.11 * h + 0.07 * w) + 0.5 * torch.cos(0.05 * h * w / size)).unsqueeze(0).double()


def run_onnx_in_torch(model, x, relu=F.relu):
    from onnx import numpy_helper
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
            y = relu(ins[0])
        elif node.op_type == "MaxPool":
            p = a.get("pads", [0, 0, 0, 0])
            y = F.max_pool2d(ins[0], a["kernel_shape"], a.get("strides", [1, 1]), p[:2], ceil_mode=bool(a.get("ceil_mode", 0)))
        elif node.op_type == "ReduceMean":
            y = ins[0].mean(dim=a["axes"], keepdim=bool(a.get("keepdims", 1)))
        elif node.op_type == "GlobalAveragePool":
            y = ins[0].mean(dim=(2, 3), keepdim=True)
        elif node.op_type == "Flatten":
            y = torch.flatten(ins[0], a.get("axis", 1))
        elif node.op_type == "Gemm":
            b = ins[1].t() if a.get("transB", 0) else ins[1]
            y = a.get("alpha", 1.0) * ins[0] @ b + a.get("beta", 1.0) * ins[2]
        else:
            raise ValueError(f"no torch equivalent for {node.op_type}")
        values[node.output[0]] = y
    return values[model.graph.output[0].name]


def grader_reference(file, seed):
    model = onnx.load(os.path.join(HERE, "..", "..", "..", "..", "models", file))
    x = grader_input().requires_grad_(True)
    logits = run_onnx_in_torch(model, x)
    (torch.tensor([seed], dtype=torch.float64) * logits).sum().backward()
    grad = x.grad.flatten()
    g = torch.Generator().manual_seed(11)
    picked = torch.cat([grad.abs().topk(100).indices, torch.randint(0, grad.numel(), (300,), generator=g)])
    return {"seed": seed, "logits": logits.flatten().tolist(), "max_abs_grad": grad.abs().max().item(),
            "indices": picked.tolist(), "grad": [grad[i].item() for i in picked]}


if __name__ == "__main__":
    for grader in ["dr_grader.onnx", "dr_fcn.onnx"]:
        with open(os.path.join(HERE, grader.replace(".onnx", ".torch.json")), "w") as f:
            json.dump(grader_reference(grader, [0.3, -1.0, 0.5, 2.0, -0.7]), f)
        print(grader, "reference written")
