#!/usr/bin/python3
"""Writes swish_model.onnx for examples/custom_op: y = Swish(x; beta=1.5) + bias, where Swish is
an operator of the host's own domain "com.example" (unknown to ONNX and to inlay).
Run with Debian's python3 (python3-onnx): /usr/bin/python3 examples/custom_op/make_model.py"""
import os
import onnx
from onnx import helper, TensorProto

swish = helper.make_node("Swish", ["x"], ["s"], domain="com.example", beta=1.5, name="swish")
add = helper.make_node("Add", ["s", "bias"], ["y"], name="add_bias")
bias = helper.make_tensor("bias", TensorProto.FLOAT, [4], [0.5, -0.5, 1.0, 0.0])
graph = helper.make_graph(
    [swish, add], "custom_op_example",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
    initializer=[bias])
model = helper.make_model(graph, producer_name="inlay examples/custom_op",
                          opset_imports=[helper.make_opsetid("", 13),
                                         helper.make_opsetid("com.example", 1)])
model.ir_version = 8
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "swish_model.onnx")
onnx.save(model, out)
print("wrote", out)
