#!/usr/bin/python3
"""Generates the tiny ONNX models used by tests/BatchXai.Tests/Runtime.

Run with the Debian python (python3-onnx, python3-numpy), from any directory:
    /usr/bin/python3 tests/BatchXai.Tests/TestModels/make_test_models.py

Outputs (next to this script; committed so tests need no python):
  affine.onnx          y = x * 2 + 1, x: float[batch, 3, 32, 32] (dim 0 symbolic "batch")
  classifier.onnx      Conv(3->4, 3x3, pad 1) -> Relu -> GlobalAveragePool -> Flatten -> Gemm(4->5)
                       x: float[batch, 3, 8, 8] -> logits: float[batch, 5]
  classifier_expected.json
                       a seeded input and the logits computed here with plain numpy (an independent
                       reference for the ONNX Runtime result), plus the weights for inspection
  two_outputs.onnx     x: float[batch, 4] -> scaled = 3 * x  (float[batch, 4]),
                                             total  = sum over axis 1 (float[batch])
  cast_int64.onnx      k: int64[n] -> half = float(k) * 0.5 (float[n])
Opset 13, IR version 8: the floor the design document asks every component to support.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = [helper.make_opsetid("", 13)]


def save(graph, name):
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="batchxai-test-models")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def make_affine():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 32, 32])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3, 32, 32])
    two = numpy_helper.from_array(np.array(2.0, dtype=np.float32), "two")
    one = numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one")
    nodes = [
        helper.make_node("Mul", ["x", "two"], ["x2"], name="times_two"),
        helper.make_node("Add", ["x2", "one"], ["y"], name="plus_one"),
    ]
    save(helper.make_graph(nodes, "affine", [x], [y], [two, one]), "affine.onnx")


def conv2d_same_3x3(x, w, b):
    """Reference NCHW convolution, stride 1, padding 1, written out with loops over the kernel."""
    n, c, h, wd = x.shape
    k = w.shape[0]
    padded = np.zeros((n, c, h + 2, wd + 2), dtype=np.float64)
    padded[:, :, 1:-1, 1:-1] = x
    out = np.zeros((n, k, h, wd), dtype=np.float64)
    for dy in range(3):
        for dx in range(3):
            window = padded[:, :, dy:dy + h, dx:dx + wd]  # n, c, h, w
            out += np.einsum("nchw,kc->nkhw", window, w[:, :, dy, dx])
    return out + b[None, :, None, None]


def make_classifier():
    rng = np.random.default_rng(20240611)
    conv_w = rng.normal(0, 0.5, size=(4, 3, 3, 3)).astype(np.float32)
    conv_b = rng.normal(0, 0.1, size=(4,)).astype(np.float32)
    fc_w = rng.normal(0, 0.5, size=(5, 4)).astype(np.float32)  # Gemm with transB=1: [out, in]
    fc_b = rng.normal(0, 0.1, size=(5,)).astype(np.float32)

    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 8, 8])
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 5])
    inits = [
        numpy_helper.from_array(conv_w, "conv.weight"),
        numpy_helper.from_array(conv_b, "conv.bias"),
        numpy_helper.from_array(fc_w, "fc.weight"),
        numpy_helper.from_array(fc_b, "fc.bias"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["features"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["features"], ["activated"], name="relu"),
        helper.make_node("GlobalAveragePool", ["activated"], ["pooled"], name="gap"),
        helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    save(helper.make_graph(nodes, "classifier", [x], [logits], inits), "classifier.onnx")

    sample = rng.uniform(-1, 1, size=(2, 3, 8, 8)).astype(np.float32)
    features = np.maximum(conv2d_same_3x3(sample.astype(np.float64), conv_w.astype(np.float64),
                                          conv_b.astype(np.float64)), 0.0)
    pooled = features.mean(axis=(2, 3))
    expected = pooled @ fc_w.astype(np.float64).T + fc_b.astype(np.float64)
    with open(os.path.join(HERE, "classifier_expected.json"), "w") as f:
        json.dump({
            "input_shape": list(sample.shape),
            "input": sample.reshape(-1).tolist(),
            "logits_shape": list(expected.shape),
            "logits": expected.reshape(-1).tolist(),
            "conv_weight": conv_w.reshape(-1).tolist(),
            "conv_bias": conv_b.tolist(),
            "fc_weight": fc_w.reshape(-1).tolist(),
            "fc_bias": fc_b.tolist(),
        }, f)


def make_two_outputs():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    scaled = helper.make_tensor_value_info("scaled", TensorProto.FLOAT, ["batch", 4])
    total = helper.make_tensor_value_info("total", TensorProto.FLOAT, ["batch"])
    three = numpy_helper.from_array(np.array(3.0, dtype=np.float32), "three")
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    nodes = [
        helper.make_node("Mul", ["x", "three"], ["scaled"], name="scale"),
        helper.make_node("ReduceSum", ["x", "axes"], ["total"], name="sum", keepdims=0),
    ]
    save(helper.make_graph(nodes, "two_outputs", [x], [scaled, total], [three, axes]), "two_outputs.onnx")


def make_cast_int64():
    k = helper.make_tensor_value_info("k", TensorProto.INT64, ["n"])
    half = helper.make_tensor_value_info("half", TensorProto.FLOAT, ["n"])
    factor = numpy_helper.from_array(np.array(0.5, dtype=np.float32), "factor")
    nodes = [
        helper.make_node("Cast", ["k"], ["k_float"], name="to_float", to=TensorProto.FLOAT),
        helper.make_node("Mul", ["k_float", "factor"], ["half"], name="halve"),
    ]
    save(helper.make_graph(nodes, "cast_int64", [k], [half], [factor]), "cast_int64.onnx")


if __name__ == "__main__":
    make_affine()
    make_classifier()
    make_two_outputs()
    make_cast_int64()
    print("wrote test models to", HERE)
