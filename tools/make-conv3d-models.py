#!/usr/bin/python3
"""Writes the 3-D convolution and pooling test models of tests/graph/conv3d_models/ (random
shapes, attributes and weights, fixed seed), each in the ONNX backend-test layout:

    <name>/model.onnx
    <name>/test_data_set_0/input_0.pb       written here
    <name>/test_data_set_0/output_<k>.pb    written by ONNX Runtime:
                                            node ../shared/tools/ort_ref.js tests/graph/conv3d_models/*

Usage: tools/make-conv3d-models.py [OUT_DIR]   (default tests/graph/conv3d_models)
"""
import os
import sys

import numpy as np

np.float = float
np.int = int
np.bool = bool
np.object = object
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(3)


def weights(name, shape):
    return numpy_helper.from_array(RNG.uniform(-1, 1, shape).astype(np.float32), name)


def save(out_dir, name, nodes, x_shape, inits, outputs):
    """One model: input x of x_shape, the nodes, initializers, named outputs (shapes left to
    ONNX Runtime)."""
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT if o != "i" else TensorProto.INT64,
                                       None) for o in outputs], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8

    d = os.path.join(out_dir, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    x = RNG.uniform(-1, 1, x_shape).astype(np.float32)
    with open(os.path.join(d, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/graph/conv3d_models"
    # Conv: groups, strides, dilations, asymmetric pads, bias.
    save(out_dir, "conv3d_grouped", [
        helper.make_node("Conv", ["x", "w", "b"], ["y"], group=2, strides=[2, 1, 2],
                         dilations=[1, 2, 1], pads=[1, 0, 2, 0, 1, 1])],
        [2, 4, 7, 6, 8], [weights("w", [6, 2, 3, 2, 3]), weights("b", [6])], ["y"])
    # Conv with SAME_LOWER padding, then a Relu (fused into the convolution).
    save(out_dir, "conv3d_same_lower_relu", [
        helper.make_node("Conv", ["x", "w"], ["c"], auto_pad="SAME_LOWER", strides=[2, 2, 1]),
        helper.make_node("Relu", ["c"], ["y"])],
        [1, 3, 5, 6, 7], [weights("w", [4, 3, 2, 3, 4])], ["y"])
    # ConvTranspose: groups, strides, dilations, pads, output_padding, bias.
    save(out_dir, "conv_transpose3d_grouped", [
        helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], group=2, strides=[2, 3, 1],
                         dilations=[1, 1, 2], pads=[1, 0, 0, 0, 1, 1],
                         output_padding=[1, 2, 0])],
        [1, 4, 3, 4, 5], [weights("w", [4, 3, 3, 2, 2]), weights("b", [6])], ["y"])
    # ConvTranspose with output_shape (the pads derived from it).
    save(out_dir, "conv_transpose3d_output_shape", [
        helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2, 2],
                         output_shape=[7, 8, 6])],
        [2, 2, 3, 4, 3], [weights("w", [2, 3, 3, 2, 2])], ["y"])
    # A small 3-D network: Conv + Relu, MaxPool with indices (ceil_mode), ConvTranspose,
    # AveragePool counting the padding, LpPool, GlobalAveragePool.
    save(out_dir, "net3d", [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1", "i"], kernel_shape=[2, 2, 2],
                         strides=[2, 2, 2], ceil_mode=1),
        helper.make_node("ConvTranspose", ["p1", "w2"], ["t1"], strides=[2, 2, 2]),
        helper.make_node("AveragePool", ["t1"], ["a1"], kernel_shape=[3, 3, 3],
                         pads=[1, 1, 1, 1, 1, 1], count_include_pad=1),
        helper.make_node("LpPool", ["a1"], ["l1"], kernel_shape=[2, 1, 2], p=3),
        helper.make_node("GlobalAveragePool", ["l1"], ["y"])],
        [1, 2, 5, 7, 6], [weights("w1", [4, 2, 3, 3, 3]), weights("b1", [4]),
                          weights("w2", [4, 3, 2, 2, 2])], ["y", "i", "l1"])


if __name__ == "__main__":
    main()
