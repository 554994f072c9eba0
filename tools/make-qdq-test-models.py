#!/usr/bin/python3
"""Writes the QDQ test models of tests/graph/qdq_models/ (the layout of the ONNX backend tests).

usage: tools/make-qdq-test-models.py OUT_DIR
then:  node ../shared/tools/ort_ref.js --opt disabled OUT_DIR/*   (ORT writes the reference outputs)

The references come from ORT with its graph optimizations off, which runs the QDQ graph as the
ONNX spec defines it (float ops between DQ and Q). ORT's fused int8 kernels are not a reference on
a CPU without VNNI: their u8 x s8 products go through vpmaddubsw, whose int16 pair sums saturate
(255 * 127 * 2 > 32767) for full-range int8 weights; on this repository's AVX2 machine that moved
qdq_cnn's first convolution by up to 86 steps. (ORT's quantizer has reduce_range for this.)

Each model is quantized the way ONNX Runtime's quantize_static writes QDQ models: a
QuantizeLinear -> DequantizeLinear pair on every activation, per-channel symmetric int8 weights
(zero point 0) behind a DequantizeLinear with an axis, int32 biases with scale x_scale * w_scale,
activations u8 (or s8) asymmetric with ranges from a float forward pass on the test input. The
float pass is plain NumPy below; the scales only need to be sensible, the reference is ORT's run
of the QDQ file.

  qdq_cnn   Conv 3x3 + Relu, MaxPool, depthwise Conv 3x3 + Relu, Conv 1x1, residual Add,
            GlobalAveragePool, Flatten, Gemm (transB) - u8 activations, like a small MobileNet
  qdq_mlp   MatMul (per-column weights), Sigmoid, MatMul, Concat, Mul - s8 activations
  dynamic_mlp  ORT's quantize_dynamic form: DynamicQuantizeLinear -> MatMulInteger -> Cast ->
            Mul by the scales -> Add bias, twice, with a Relu between (7-bit weights, see below)
"""
import os
import sys

import numpy as np

np.float = float  # numpy 1.24 removed the aliases that onnx 1.12 still uses
np.int = int
np.bool = bool
np.object = object
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(20261206)


class Builder:
    def __init__(self, activation_dtype):
        self.nodes, self.inits = [], []
        self.adt = activation_dtype  # np.uint8 or np.int8
        self.count = 0

    def name(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def const(self, base, array):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def node(self, op, inputs, attrs=None, outputs=1):
        outs = [self.name(op.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=self.name(op), **(attrs or {})))
        return outs[0] if outputs == 1 else outs

    def act_params(self, lo, hi):
        """Asymmetric parameters of a range that includes 0."""
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        qmin, qmax = (0, 255) if self.adt == np.uint8 else (-128, 127)
        scale = max(hi - lo, 1e-6) / (qmax - qmin)
        zero = int(np.clip(round(qmin - lo / scale), qmin, qmax))
        return np.float32(scale), self.adt(zero)

    def qdq(self, x, values, params=None):
        """Q -> DQ on float value x whose float values are `values`; returns (name, params)."""
        s, z = params if params is not None else self.act_params(float(values.min()),
                                                                 float(values.max()))
        sn, zn = self.const("scale", np.array(s, np.float32)), self.const("zero", np.array(z))
        q = self.node("QuantizeLinear", [x, sn, zn])
        return self.node("DequantizeLinear", [q, sn, zn]), (s, z)

    def weight(self, w, axis):
        """Per-channel symmetric int8 weights along axis, behind a DequantizeLinear."""
        red = tuple(i for i in range(w.ndim) if i != axis)
        scale = (np.abs(w).max(axis=red) / 127.0).astype(np.float32)
        scale = np.maximum(scale, np.float32(1e-8))
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        wn = self.const("w", q)
        sn = self.const("w_scale", scale)
        zn = self.const("w_zero", np.zeros(scale.shape, np.int8))
        deq = q.astype(np.float32) * scale.reshape(shape)
        return self.node("DequantizeLinear", [wn, sn, zn], {"axis": axis}), scale, deq

    def bias(self, b, x_scale, w_scale):
        scale = (np.float32(x_scale) * w_scale).astype(np.float32)
        q = np.rint(b / scale).astype(np.int32)
        bn, sn = self.const("b", q), self.const("b_scale", scale)
        zn = self.const("b_zero", np.zeros(scale.shape, np.int32))
        return self.node("DequantizeLinear", [bn, sn, zn], {"axis": 0})


def conv2d(x, w, b, pad, group=1):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((n, m, oh, ow), np.float32)
    mg = m // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + oh, j:j + ow]
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch,
                                                       w[g * mg:(g + 1) * mg, :, i, j])
    return y + b.reshape(1, -1, 1, 1)


def save(folder, name, b, inputs, outputs, feeds):
    graph = helper.make_graph(b.nodes, name, inputs, outputs, b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="inlay tools/make-qdq-test-models.py")
    onnx.checker.check_model(model)
    d = os.path.join(folder, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    for i, (vi, a) in enumerate(zip(inputs, feeds)):
        t = numpy_helper.from_array(a, vi.name)
        with open(os.path.join(d, "test_data_set_0", f"input_{i}.pb"), "wb") as f:
            f.write(t.SerializeToString())


def make_cnn(folder):
    b = Builder(np.uint8)
    x = RNG.uniform(-2, 2, (1, 3, 12, 12)).astype(np.float32)
    xd, xp = b.qdq("x", x)
    # Conv 3x3 (3 -> 8) + Relu: the Relu is kept, the output's zero point 0 makes it redundant.
    w1 = RNG.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32)
    b1 = RNG.normal(0, 0.2, 8).astype(np.float32)
    wd, ws, w1q = b.weight(w1, 0)
    y1 = np.maximum(conv2d(x, w1q, b1, 1), 0)
    c = b.node("Conv", [xd, wd, b.bias(b1, xp[0], ws)], {"pads": [1, 1, 1, 1]})
    r = b.node("Relu", [c])
    y1d, y1p = b.qdq(r, y1)
    # MaxPool 2x2 between equal parameters.
    p = b.node("MaxPool", [y1d], {"kernel_shape": [2, 2], "strides": [2, 2]})
    pooled = y1.reshape(1, 8, 6, 2, 6, 2).max(axis=(3, 5))
    pd, pp = b.qdq(p, pooled, y1p)
    # Depthwise Conv 3x3 + Relu, then Conv 1x1.
    w2 = RNG.normal(0, 0.4, (8, 1, 3, 3)).astype(np.float32)
    b2 = RNG.normal(0, 0.1, 8).astype(np.float32)
    wd2, ws2, w2q = b.weight(w2, 0)
    y2 = np.maximum(conv2d(pooled, w2q, b2, 1, group=8), 0)
    c2 = b.node("Conv", [pd, wd2, b.bias(b2, pp[0], ws2)], {"pads": [1, 1, 1, 1], "group": 8})
    y2d, y2p = b.qdq(b.node("Relu", [c2]), y2)
    w3 = RNG.normal(0, 0.3, (8, 8, 1, 1)).astype(np.float32)
    b3 = RNG.normal(0, 0.1, 8).astype(np.float32)
    wd3, ws3, w3q = b.weight(w3, 0)
    y3 = conv2d(y2, w3q, b3, 0)
    y3d, _ = b.qdq(b.node("Conv", [y2d, wd3, b.bias(b3, y2p[0], ws3)]), y3)
    # Residual Add, GlobalAveragePool, Flatten, Gemm.
    y4 = pooled + y3
    y4d, _ = b.qdq(b.node("Add", [pd, y3d]), y4)
    y5 = y4.mean(axis=(2, 3), keepdims=True)
    y5d, y5p = b.qdq(b.node("GlobalAveragePool", [y4d]), y5)
    fd, fp = b.qdq(b.node("Flatten", [y5d]), y5.reshape(1, 8), y5p)
    w6 = RNG.normal(0, 0.5, (5, 8)).astype(np.float32)
    b6 = RNG.normal(0, 0.1, 5).astype(np.float32)
    wd6, ws6, w6q = b.weight(w6, 0)
    y6 = y5.reshape(1, 8) @ w6q.T + b6
    g = b.node("Gemm", [fd, wd6, b.bias(b6, fp[0], ws6)], {"transB": 1})
    y6d, _ = b.qdq(g, y6)
    out = b.node("Identity", [y6d])
    b.nodes[-1].output[0] = "logits"
    save(folder, "qdq_cnn", b,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])],
         [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 5])], [x])
    return out


def make_mlp(folder):
    b = Builder(np.int8)
    x = RNG.uniform(-1, 1, (2, 4, 16)).astype(np.float32)
    xd, _ = b.qdq("x", x)
    w1 = RNG.normal(0, 0.3, (16, 12)).astype(np.float32)
    wd1, _, w1q = b.weight(w1, 1)
    y1 = x @ w1q
    y1d, _ = b.qdq(b.node("MatMul", [xd, wd1]), y1)
    y2 = 1 / (1 + np.exp(-y1))
    y2d, _ = b.qdq(b.node("Sigmoid", [y1d]), y2)
    w3 = RNG.normal(0, 0.5, (12, 6)).astype(np.float32)
    wd3, _, w3q = b.weight(w3, 1)
    y3 = y2 @ w3q
    y3d, _ = b.qdq(b.node("MatMul", [y2d, wd3]), y3)
    y4 = np.concatenate([y3, y1[:, :, :6]], axis=2)
    sl = b.node("Slice", [y1d, b.const("starts", np.array([0], np.int64)),
                          b.const("ends", np.array([6], np.int64)),
                          b.const("axes", np.array([2], np.int64))])
    y1s = y1[:, :, :6]
    sld, _ = b.qdq(sl, y1s)
    y4d, _ = b.qdq(b.node("Concat", [y3d, sld], {"axis": 2}), y4)
    y5 = y4 * y4
    y5d, _ = b.qdq(b.node("Mul", [y4d, y4d]), y5)
    b.node("Identity", [y5d])
    b.nodes[-1].output[0] = "y"
    save(folder, "qdq_mlp", b,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 16])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 12])], [x])


def make_dynamic(folder):
    b = Builder(np.uint8)
    x = RNG.uniform(-3, 3, (3, 16)).astype(np.float32)
    h = "x"
    for layer, (k, n) in enumerate([(16, 12), (12, 5)]):
        w = RNG.normal(0, 0.4, (k, n)).astype(np.float32)
        bias = RNG.normal(0, 0.2, n).astype(np.float32)
        # Per tensor, 7-bit (quantize_dynamic's reduce_range): ORT's MatMulInteger is exact then
        # on CPUs without VNNI, where full-range weights saturate its int16 pair sums.
        scale = np.float32(np.abs(w).max() / 63.0)
        wq = np.clip(np.rint(w / scale), -63, 63).astype(np.int8)
        a, a_scale, a_zero = b.node("DynamicQuantizeLinear", [h], outputs=3)
        mm = b.node("MatMulInteger", [a, b.const("w", wq), a_zero,
                                      b.const("w_zero", np.array(0, np.int8))])
        c = b.node("Cast", [mm], {"to": TensorProto.FLOAT})
        s = b.node("Mul", [a_scale, b.const("w_scale", np.array(scale, np.float32))])
        h = b.node("Add", [b.node("Mul", [c, s]), b.const("bias", bias)])
        if layer == 0:
            h = b.node("Relu", [h])
    b.node("Identity", [h])
    b.nodes[-1].output[0] = "y"
    save(folder, "dynamic_mlp", b,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 16])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 5])], [x])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    make_cnn(sys.argv[1])
    make_mlp(sys.argv[1])
    make_dynamic(sys.argv[1])


if __name__ == "__main__":
    main()
