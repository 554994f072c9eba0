#!/usr/bin/python3
"""Writes facts about every model folder under ROOT (ROOT/<name>/model.onnx), read with Debian's
python3-onnx, independently of inlay's reader: IR version, opsets, node count, op_type histogram,
graph inputs and outputs, initializers (name, data type, dims, checksums) and the tensors of
test_data_set_0. The test onnx.bench_models reads the file and compares what inlay reads.

Usage: /usr/bin/python3 tests/onnx/model_facts.py ROOT OUT
Exit 77 (CTest: skipped) when this Python has no onnx module.

OUT holds one record per line, fields separated by tabs:
  model NAME IR_VERSION NODES     opset DOMAIN VERSION     op OP_TYPE COUNT
  input NAME     output NAME     init NAME DATA_TYPE SUM WEIGHTED_SUM DIMS...
  data FILE NAME DATA_TYPE SUM WEIGHTED_SUM DIMS...     end
"""
import collections
import glob
import os
import sys

import numpy as np

for alias, t in (("float", float), ("int", int), ("bool", bool), ("object", object)):
    if not hasattr(np, alias):
        setattr(np, alias, t)
try:
    import onnx  # noqa: E402
    from onnx import numpy_helper  # noqa: E402
except ImportError:
    print("model_facts.py: this Python has no onnx module (Debian: python3-onnx)")
    sys.exit(77)


def checksums(array):
    # sum of values and sum weighted by (index % 7 + 1): a permutation changes the second
    v = np.asarray(array).astype(np.float64).ravel()
    w = (np.arange(v.size) % 7 + 1).astype(np.float64)
    return float(v.sum()), float((v * w).sum())


def tensor_fields(t):
    s, ws = checksums(numpy_helper.to_array(t))
    return [t.name, str(t.data_type), "%.17g" % s, "%.17g" % ws] + [str(d) for d in t.dims]


def main(root, out):
    lines = []
    for path in sorted(glob.glob(os.path.join(root, "*", "model.onnx"))):
        folder = os.path.dirname(path)
        m = onnx.load(path)
        g = m.graph
        lines.append(["model", os.path.basename(folder), str(m.ir_version), str(len(g.node))])
        lines += [["opset", o.domain, str(o.version)] for o in m.opset_import]
        hist = collections.Counter(n.op_type for n in g.node)
        lines += [["op", k, str(v)] for k, v in sorted(hist.items())]
        lines += [["input", v.name] for v in g.input]
        lines += [["output", v.name] for v in g.output]
        lines += [["init"] + tensor_fields(t) for t in g.initializer]
        for pb in sorted(glob.glob(os.path.join(folder, "test_data_set_0", "*.pb"))):
            t = onnx.TensorProto()
            with open(pb, "rb") as f:
                t.ParseFromString(f.read())
            lines.append(["data", os.path.basename(pb)] + tensor_fields(t))
        lines.append(["end"])
    with open(out, "w", encoding="utf-8") as f:
        f.writelines("\t".join(fields) + "\n" for fields in lines)
    print("model_facts.py: %d models under %s" % (sum(1 for l in lines if l[0] == "model"), root))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: model_facts.py ROOT OUT")
    main(sys.argv[1], sys.argv[2])
