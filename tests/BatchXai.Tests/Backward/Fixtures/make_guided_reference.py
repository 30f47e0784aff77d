#!/usr/bin/python3
"""Guided backpropagation on the bundled grader in torch float64: the reference for the guidedbp method.

Run with Debian's python (torch 1.13, onnx 1.12):
    /usr/bin/python3 tests/BatchXai.Tests/Backward/Fixtures/make_guided_reference.py

The grader is interpreted node by node with its ONNX weights (make_backward_fixtures.run_onnx_in_torch) with
every ReLU replaced by one whose backward pass is Springenberg et al.'s guided rule: the incoming gradient's
positive part, where the forward input was positive. Writes dr_grader.guided.json: the seed, the largest
|gradient|, and the gradient at the 100 largest and 300 random pixels of grader_input().
"""
import json
import os

import onnx
import torch

from make_backward_fixtures import HERE, grader_input, run_onnx_in_torch


class GuidedRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad.clamp(min=0) * (x > 0).to(grad.dtype)


if __name__ == "__main__":
    model = onnx.load(os.path.join(HERE, "..", "..", "..", "..", "models", "dr_grader.onnx"))
    seed = [0.0, 0.0, 1.0, 0.0, 0.0]
    x = grader_input().requires_grad_(True)
    logits = run_onnx_in_torch(model, x, relu=GuidedRelu.apply)
    (torch.tensor([seed], dtype=torch.float64) * logits).sum().backward()
    grad = x.grad.flatten()
    g = torch.Generator().manual_seed(12)
    picked = torch.cat([grad.abs().topk(100).indices, torch.randint(0, grad.numel(), (300,), generator=g)])
    with open(os.path.join(HERE, "dr_grader.guided.json"), "w") as f:
        json.dump({"seed": seed, "max_abs_grad": grad.abs().max().item(), "positive_share": (grad > 0).double().mean().item(),
                   "indices": picked.tolist(), "grad": [grad[i].item() for i in picked]}, f)
    print("dr_grader guided reference written; share of positive gradients", (grad > 0).double().mean().item())
