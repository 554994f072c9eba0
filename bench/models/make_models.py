#!/usr/bin/python3
"""Writes the two tiny models of bench/models (ONNX backend-test layout), deterministically.

identity/  Identity on float32[1,4]: the per-call floor of an engine (what one run costs when
           the model does nothing), reported beside the ratio of models under ~0.2 ms.
tiny_mlp/  Gemm 16->32, Relu, Gemm 32->8, Softmax, batch 2: the bench.smoke CTest model.

Run from anywhere with Debian's python3-onnx: /usr/bin/python3 bench/models/make_models.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, graph, inputs, outputs):
    model = helper.make_model(graph, producer_name="inlay bench/models/make_models.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    folder = os.path.join(HERE, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for prefix, arrays, values in (("input", inputs, graph.input), ("output", outputs, graph.output)):
        for i, (array, value) in enumerate(zip(arrays, values)):
            tensor = numpy_helper.from_array(array, value.name)
            with open(os.path.join(data, f"{prefix}_{i}.pb"), "wb") as f:
                f.write(tensor.SerializeToString())


def identity():
    x = np.arange(4, dtype=np.float32).reshape(1, 4)
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "identity",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    save("identity", graph, [x], [x])


def tiny_mlp():
    rng = np.random.default_rng(7)
    w1 = rng.uniform(-0.5, 0.5, (16, 32)).astype(np.float32)
    b1 = rng.uniform(-0.1, 0.1, 32).astype(np.float32)
    w2 = rng.uniform(-0.5, 0.5, (32, 8)).astype(np.float32)
    b2 = rng.uniform(-0.1, 0.1, 8).astype(np.float32)
    x = rng.uniform(-1, 1, (2, 16)).astype(np.float32)
    h = np.maximum(x @ w1 + b1, 0)
    z = h @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    y = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w1", "b1"], ["h0"]),
         helper.make_node("Relu", ["h0"], ["h1"]),
         helper.make_node("Gemm", ["h1", "w2", "b2"], ["z"]),
         helper.make_node("Softmax", ["z"], ["y"], axis=-1)], "tiny_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])],
        [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))])
    save("tiny_mlp", graph, [x], [y])


if __name__ == "__main__":
    identity()
    tiny_mlp()
