#!/usr/bin/env python3
"""PyTorch on the ResNet-50 that `make bench` exported, for comparison with BatchXai's rows.

Times, on the same weights, threads and random inputs as the C# bench:
- inference (no_grad forward) and forward + input gradient at the bench's batch, so the gradient
  pass's cost over inference can be read against PyTorch's own on this machine;
- batched Integrated Gradients, Captum's algorithm (IntegratedGradients with internal_batch_size =
  all steps): for each image, all path points go through the network in one batch, the target
  logits are summed and one backward pass gives every point's input gradient; the attribution is
  (x - x') times their trapezoid mean. Captum itself is not installable here (no Python index),
  so this is the same arithmetic in plain torch.

Allocator: a batch of 32 ResNet-50 activations is gigabytes of tensors of 100 MB and more, which
glibc's malloc serves by mmap and returns by munmap on every free, so each IG image page-faults
~8 GB afresh (18-20 s/image here, two thirds of it in the kernel, and varying 2x from run to run
with the kernel's memory state). PyTorch deployments avoid this with tcmalloc or a tuned malloc;
by default this script does the same (`--allocator keep`: mallopt(M_MMAP_MAX, 0) and no trimming,
so freed blocks are reused; 2.5 s/image here, within 5% of tcmalloc). `--allocator default`
measures glibc as it comes. Prints one JSON line.
Usage: /usr/bin/python3 bench/torch_ig.py --work .work/bench --images 4 --steps 32 --rounds 3
"""
import argparse
import ctypes
import json
import os
import time

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_MAX = -4


def keep_freed_memory():
    libc = ctypes.CDLL("libc.so.6")
    if not (libc.mallopt(M_MMAP_MAX, 0) and libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)):
        raise RuntimeError("mallopt refused the allocator settings")


def integrated_gradients(model, x, baseline, target, steps):
    import torch
    alphas = torch.linspace(0.0, 1.0, steps).view(-1, 1, 1, 1)
    path = (baseline + alphas * (x - baseline)).requires_grad_(True)
    model(path)[:, target].sum().backward()
    grads = path.grad
    trapezoid = (grads[:-1] + grads[1:]).sum(0) / (2 * (steps - 1))
    return (x - baseline)[0] * trapezoid


def fastest(rounds, action):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--images", type=int, default=4, help="images for IG")
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=16, help="batch of the inference and gradient rows")
    parser.add_argument("--allocator", choices=["keep", "default"], default="keep")
    args = parser.parse_args()
    if args.allocator == "keep":
        keep_freed_memory()  # before torch allocates anything

    import torch
    import torchvision
    torch.set_num_threads(os.cpu_count())
    model = torchvision.models.resnet50(weights=None)
    model.load_state_dict(torch.load(os.path.join(args.work, "resnet50.pt")))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)  # input gradients only, as the ONNX side computes

    generator = torch.Generator().manual_seed(42)
    batch = torch.rand(args.batch, 3, args.size, args.size, generator=generator) * 4 - 2

    def inference():
        with torch.no_grad():
            model(batch)

    def input_gradient():
        x = batch.clone().requires_grad_(True)
        model(x)[:, 0].sum().backward()

    inference()
    input_gradient()  # warm-up: first runs allocate and pick kernels
    inference_s = fastest(args.rounds, inference)
    gradient_s = fastest(args.rounds, input_gradient)

    images = torch.rand(args.images, 1, 3, args.size, args.size, generator=generator) * 4 - 2
    baseline = torch.zeros(1, 3, args.size, args.size)
    integrated_gradients(model, images[0], baseline, 0, args.steps)  # warm-up
    ig_s = fastest(args.rounds, lambda: [integrated_gradients(model, x, baseline, 0, args.steps) for x in images])
    print(json.dumps({"images_per_s": args.images / ig_s, "seconds_per_image": ig_s / args.images,
                      "inference_images_per_s": args.batch / inference_s,
                      "gradient_images_per_s": args.batch / gradient_s,
                      "allocator": args.allocator, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
