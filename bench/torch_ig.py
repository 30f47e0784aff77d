#!/usr/bin/env python3
"""Batched PyTorch Integrated Gradients on the ResNet-50 that `make bench` exported, for comparison.

Captum's algorithm (IntegratedGradients with internal_batch_size = all steps): for each image, all
path points go through the network in one batch, the target logits are summed and one backward
pass gives every point's input gradient; the attribution is (x - x') times their trapezoid mean.
Captum itself is not installable here (no Python index), so this is the same arithmetic in plain
torch. Weights come from the state dict saved beside the ONNX export, so both sides run the same
network. Prints one JSON line: {"images_per_s": ..., "seconds_per_image": ..., "threads": ...}.
Usage: /usr/bin/python3 bench/torch_ig.py --work .work/bench --images 4 --steps 32 --rounds 3
"""
import argparse
import json
import os
import time

import torch
import torchvision


def integrated_gradients(model, x, baseline, target, steps):
    alphas = torch.linspace(0.0, 1.0, steps).view(-1, 1, 1, 1)
    path = (baseline + alphas * (x - baseline)).requires_grad_(True)
    model(path)[:, target].sum().backward()
    grads = path.grad
    trapezoid = (grads[:-1] + grads[1:]).sum(0) / (2 * (steps - 1))
    return (x - baseline)[0] * trapezoid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args()

    torch.set_num_threads(os.cpu_count())
    model = torchvision.models.resnet50(weights=None)
    model.load_state_dict(torch.load(os.path.join(args.work, "resnet50.pt")))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)  # input gradients only, as the ONNX side computes

    generator = torch.Generator().manual_seed(42)
    images = torch.rand(args.images, 1, 3, args.size, args.size, generator=generator) * 4 - 2
    baseline = torch.zeros(1, 3, args.size, args.size)
    integrated_gradients(model, images[0], baseline, 0, args.steps)  # warm-up

    best = float("inf")
    for _ in range(args.rounds):
        start = time.perf_counter()
        for x in images:
            integrated_gradients(model, x, baseline, 0, args.steps)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"images_per_s": args.images / best, "seconds_per_image": best / args.images,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
