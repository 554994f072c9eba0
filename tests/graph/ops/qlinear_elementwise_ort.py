#!/usr/bin/python3
"""ONNX Runtime's outputs for tests/graph/ops/qlinear_elementwise_test.cpp.

  tests/graph/ops/qlinear_elementwise_ort.py            print the test's reference arrays (C++)
  tests/graph/ops/qlinear_elementwise_ort.py --compare build/tools/inlay/inlay [--trials N]
      random models and inputs run in ORT and in `inlay run`: per op, the largest difference
      and how many elements differ by 1 LSB

Builds each model with onnx.helper (opset 13 + com.microsoft 1; the scales and zero points are
initializers) and runs it in onnxruntime-node from /work/node_modules (ORT_NODE_DIR overrides).
The test's inputs are byte patterns: element i = (i * mul + add) % 256 as the dtype's bit
pattern, the formula of pattern<T>() in the test.
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

warnings.simplefilter("ignore", FutureWarning)

for _name, _value in (("float", float), ("int", int), ("bool", bool), ("object", object)):
    if not hasattr(np, _name):
        setattr(np, _name, _value)
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

ORT_DIR = os.environ.get("ORT_NODE_DIR", "/work")
NP = {"u8": np.uint8, "s8": np.int8}
TP = {"u8": TensorProto.UINT8, "s8": TensorProto.INT8}
JS_TYPE = {"u8": "uint8", "s8": "int8"}

RUNNER = r"""
'use strict';
const fs = require('fs');
const ort = require(process.argv[3] + '/node_modules/onnxruntime-node');
(async () => {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const results = [];
  for (const job of jobs) {
    try {
      const s = await ort.InferenceSession.create(job.model,
          {graphOptimizationLevel: 'disabled', intraOpNumThreads: 1});
      const feeds = {};
      for (const [k, v] of Object.entries(job.feeds)) {
        const ctor = {uint8: Uint8Array, int8: Int8Array}[v.type];
        feeds[k] = new ort.Tensor(v.type, ctor.from(v.data), v.dims);
      }
      const out = await s.run(feeds);
      const r = {};
      for (const [k, t] of Object.entries(out)) {
        r[k] = {type: t.type, dims: t.dims, data: Array.from(t.data, Number)};
      }
      results.push(r);
    } catch (e) { results.push({error: String(e)}); }
  }
  console.log(JSON.stringify(results));
})();
"""


def pattern(t, shape, mul, add):
    n = int(np.prod(shape))
    v = np.array([(i * mul + add) % 256 for i in range(n)], dtype=np.uint8)
    return v.view(NP[t]).reshape(shape)


def model(folder, name, op, order, feeds, inits, out_t, attrs=None, domain="com.microsoft",
          opset=13):
    """feeds: name -> (dtype, array); inits: name -> (value, numpy dtype)."""
    inputs = [helper.make_tensor_value_info(k, TP[t], list(a.shape)) for k, (t, a) in feeds.items()]
    init = [numpy_helper.from_array(np.array(v, dtype=dt).reshape(()), k)
            for k, (v, dt) in inits.items()]
    node = helper.make_node(op, order, ["y"], domain=domain, **(attrs or {}))
    g = helper.make_graph([node], name, inputs, [helper.make_tensor_value_info("y", TP[out_t], None)],
                          init)
    imports = [helper.make_opsetid("", opset)]
    if domain:
        imports.append(helper.make_opsetid(domain, 1))
    m = helper.make_model(g, opset_imports=imports)
    m.ir_version = 8
    path = os.path.join(folder, name + ".onnx")
    onnx.save(m, path)
    return {"model": path,
            "feeds": {k: {"type": JS_TYPE[t], "dims": list(a.shape), "data": a.flatten().tolist()}
                      for k, (t, a) in feeds.items()}}


def run_ort(folder, jobs):
    with open(os.path.join(folder, "jobs.json"), "w") as f:
        json.dump(jobs, f)
    with open(os.path.join(folder, "run.js"), "w") as f:
        f.write(RUNNER)
    out = subprocess.check_output(["node", os.path.join(folder, "run.js"),
                                   os.path.join(folder, "jobs.json"), ORT_DIR])
    return json.loads(out)


def sc(v):
    return (v, np.float32)


def zp(t, v):
    return (v, NP[t])


def test_cases(folder):
    """(label, job) for every array of the test."""
    cases = []
    for t in ("u8", "s8"):
        za, zb, zc = (128, 100, 120) if t == "u8" else (10, -20, -5)
        for op in ("QLinearAdd", "QLinearMul"):
            sa, sb, scc = (0.05, 0.02, 0.07) if op == "QLinearAdd" else (0.05, 0.02, 0.09)
            for bname, bshape in (("same", (2, 3, 4)), ("bcast", (3, 1)), ("scalar", (1,)),
                                  ("bcast2", (2, 1, 4))):
                ashape = (2, 3, 4) if bname != "bcast2" else (3, 1)
                feeds = {"a": (t, pattern(t, ashape, 37, 11)), "b": (t, pattern(t, bshape, 53, 7))}
                inits = {"sa": sc(sa), "za": zp(t, za), "sb": sc(sb), "zb": zp(t, zb),
                         "sc": sc(scc), "zc": zp(t, zc)}
                label = f"{op}_{t}_{bname}"
                cases.append((label, model(folder, label, op,
                                           ["a", "sa", "za", "b", "sb", "zb", "sc", "zc"], feeds,
                                           inits, t)))
        feeds = {"x": (t, pattern(t, (256,), 1, 0))}
        zx, zy = (128, 0) if t == "u8" else (0, -128)
        label = f"QLinearSigmoid_{t}"
        cases.append((label, model(folder, label, "QLinearSigmoid", ["x", "sx", "zx", "sy", "zy"],
                                   feeds, {"sx": sc(0.1), "zx": zp(t, zx), "sy": sc(1 / 256),
                                           "zy": zp(t, zy)}, t)))
        zx, zy = (100, 60) if t == "u8" else (-20, 5)
        label = f"QLinearLeakyRelu_{t}"
        cases.append((label, model(folder, label, "QLinearLeakyRelu", ["x", "sx", "zx", "sy", "zy"],
                                   feeds, {"sx": sc(0.05), "zx": zp(t, zx), "sy": sc(0.03),
                                           "zy": zp(t, zy)}, t, {"alpha": 0.1})))
        z0, z1, z2, zy = (128, 90, 128, 128) if t == "u8" else (0, -30, 0, 0)
        feeds = {"x0": (t, pattern(t, (2, 2, 3), 37, 11)), "x1": (t, pattern(t, (2, 1, 3), 53, 7)),
                 "x2": (t, pattern(t, (2, 3, 3), 29, 3))}
        label = f"QLinearConcat_{t}"
        cases.append((label, model(folder, label, "QLinearConcat",
                                   ["sy", "zy", "x0", "s0", "z0", "x1", "s1", "z1", "x2", "s2", "z2"],
                                   feeds, {"sy": sc(0.05), "zy": zp(t, zy), "s0": sc(0.03),
                                           "z0": zp(t, z0), "s1": sc(0.11), "z1": zp(t, z1),
                                           "s2": sc(0.05), "z2": zp(t, z2)}, t, {"axis": 1})))
        zx, zy = (128, 110) if t == "u8" else (-3, 7)
        for cl, shape in ((0, (2, 3, 4, 5)), (1, (2, 4, 5, 3))):
            label = f"QLinearGlobalAveragePool_{t}_cl{cl}"
            cases.append((label, model(folder, label, "QLinearGlobalAveragePool",
                                       ["x", "sx", "zx", "sy", "zy"],
                                       {"x": (t, pattern(t, shape, 37, 11))},
                                       {"sx": sc(0.05), "zx": zp(t, zx), "sy": sc(0.013),
                                        "zy": zp(t, zy)}, t, {"channels_last": cl})))
            for cip in (0, 1):
                pshape = (1, 2, 5, 5) if cl == 0 else (1, 5, 5, 2)
                label = f"QLinearAveragePool_{t}_cl{cl}_cip{cip}"
                cases.append((label, model(folder, label, "QLinearAveragePool",
                                           ["x", "sx", "zx", "sy", "zy"],
                                           {"x": (t, pattern(t, pshape, 37, 11))},
                                           {"sx": sc(0.05), "zx": zp(t, zx), "sy": sc(0.03),
                                            "zy": zp(t, zy)}, t,
                                           {"channels_last": cl, "kernel_shape": [3, 3],
                                            "strides": [2, 2], "pads": [1, 1, 1, 1],
                                            "count_include_pad": cip})))
        label = f"MaxPool_{t}"
        cases.append((label, model(folder, label, "MaxPool", ["x"],
                                   {"x": (t, pattern(t, (1, 2, 5, 5), 37, 11))}, {}, t,
                                   {"kernel_shape": [3, 3], "strides": [2, 2],
                                    "pads": [1, 1, 1, 1]}, domain="", opset=12)))
    return cases


def print_arrays(folder):
    cases = test_cases(folder)
    results = run_ort(folder, [j for _, j in cases])
    for (label, _), r in zip(cases, results):
        if "error" in r:
            sys.exit(f"{label}: ORT failed: {r['error']}")
        y = r["y"]
        ident = "k" + "".join(p[:1].upper() + p[1:] for p in label.split("_"))
        print(f"// {label}: ORT output {y['dims']}")
        print(f"const std::vector<int> {ident} = {{")
        line = "   "
        for v in y["data"]:
            item = f" {v},"
            if len(line) + len(item) > 99:
                print(line)
                line = "   "
            line += item
        print(line)
        print("};")


def random_cases(folder, trials, rng):
    """Larger random models: (op, job, inputs in feed order)."""
    cases = []
    for k in range(trials):
        t = ("u8", "s8")[k % 2]
        lo, hi = (0, 256) if t == "u8" else (-128, 128)

        def rz():
            return int(rng.integers(lo, hi))

        def rs():
            return float(np.float32(np.exp(rng.uniform(np.log(1e-3), np.log(0.5)))))

        def rx(shape):
            return rng.integers(lo, hi, size=shape).astype(NP[t])

        for op in ("QLinearAdd", "QLinearMul"):
            shapes = [((8, 16, 32), (8, 16, 32)), ((8, 16, 32), (16, 1)), ((8, 16, 32), (1,))]
            ashape, bshape = shapes[k % 3]
            feeds = {"a": (t, rx(ashape)), "b": (t, rx(bshape))}
            inits = {"sa": sc(rs()), "za": zp(t, rz()), "sb": sc(rs()), "zb": zp(t, rz()),
                     "sc": sc(rs() * (4 if op == "QLinearMul" else 1)), "zc": zp(t, rz())}
            cases.append((op, model(folder, f"r{k}_{op}", op,
                                    ["a", "sa", "za", "b", "sb", "zb", "sc", "zc"], feeds, inits, t)))
        x256 = {"x": (t, pattern(t, (256,), 1, 0))}
        cases.append(("QLinearSigmoid", model(folder, f"r{k}_sig", "QLinearSigmoid",
                                              ["x", "sx", "zx", "sy", "zy"], x256,
                                              {"sx": sc(rs() * 0.2), "zx": zp(t, rz()),
                                               "sy": sc(1 / 256 * rng.uniform(0.5, 2)),
                                               "zy": zp(t, rz() // 4)}, t)))
        cases.append(("QLinearLeakyRelu", model(folder, f"r{k}_lrelu", "QLinearLeakyRelu",
                                                ["x", "sx", "zx", "sy", "zy"], x256,
                                                {"sx": sc(rs()), "zx": zp(t, rz()), "sy": sc(rs()),
                                                 "zy": zp(t, rz())}, t,
                                                {"alpha": float(rng.uniform(0.01, 0.3))})))
        feeds = {"x0": (t, rx((4, 8, 9))), "x1": (t, rx((4, 3, 9)))}
        cases.append(("QLinearConcat", model(folder, f"r{k}_cat", "QLinearConcat",
                                             ["sy", "zy", "x0", "s0", "z0", "x1", "s1", "z1"], feeds,
                                             {"sy": sc(rs()), "zy": zp(t, rz()), "s0": sc(rs()),
                                              "z0": zp(t, rz()), "s1": sc(rs()), "z1": zp(t, rz())},
                                             t, {"axis": 1})))
        cl = k % 2
        shape = (2, 32, 7, 7) if cl == 0 else (2, 7, 7, 32)
        sx = rs()
        cases.append(("QLinearGlobalAveragePool", model(
            folder, f"r{k}_gap", "QLinearGlobalAveragePool", ["x", "sx", "zx", "sy", "zy"],
            {"x": (t, rx(shape))}, {"sx": sc(sx), "zx": zp(t, rz()), "sy": sc(sx * rng.uniform(0.05, 1)),
                                   "zy": zp(t, rz())}, t, {"channels_last": cl})))
        shape = (1, 8, 15, 15) if cl == 0 else (1, 15, 15, 8)
        cases.append(("QLinearAveragePool", model(
            folder, f"r{k}_ap", "QLinearAveragePool", ["x", "sx", "zx", "sy", "zy"],
            {"x": (t, rx(shape))}, {"sx": sc(sx), "zx": zp(t, rz()), "sy": sc(sx * rng.uniform(0.1, 1)),
                                   "zy": zp(t, rz())}, t,
            {"channels_last": cl, "kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1],
             "count_include_pad": (k // 2) % 2})))
    return cases


def compare(folder, inlay, trials):
    rng = np.random.default_rng(15)
    cases = random_cases(folder, trials, rng)
    results = run_ort(folder, [j for _, j in cases])
    stats = {}
    for (op, job), r in zip(cases, results):
        if "error" in r:
            sys.exit(f"{job['model']}: ORT failed: {r['error']}")
        args = [inlay, "run", job["model"]]
        for k, v in job["feeds"].items():
            a = np.array(v["data"], dtype=NP["u8" if v["type"] == "uint8" else "s8"])
            p = job["model"] + "." + k + ".pb"
            tp = numpy_helper.from_array(a.reshape(v["dims"]), k)
            with open(p, "wb") as f:
                f.write(tp.SerializeToString())
            args += ["-i", p]
        out = job["model"][:-len(".onnx")] + "_out"
        subprocess.check_call(args + ["-o", out, "--npy"], stdout=subprocess.DEVNULL)
        got = np.load(os.path.join(out, "output_0.npy")).astype(np.int32).flatten()
        want = np.array(r["y"]["data"], dtype=np.int32)
        d = np.abs(got - want)
        s = stats.setdefault(op, [0, 0, 0, 0])
        s[0] += 1
        s[1] += d.size
        s[2] += int((d == 1).sum())
        s[3] = max(s[3], int(d.max()) if d.size else 0)
    print(f"{'op':26} models  elements  off by 1  max |diff|")
    for op, (m, n, one, worst) in stats.items():
        print(f"{op:26} {m:6} {n:9} {one:9} {worst:11}")
    return all(s[3] <= 1 for s in stats.values())


def main():
    folder = tempfile.mkdtemp(prefix="qlinear_ort_")
    if len(sys.argv) > 2 and sys.argv[1] == "--compare":
        trials = int(sys.argv[sys.argv.index("--trials") + 1]) if "--trials" in sys.argv else 20
        sys.exit(0 if compare(folder, sys.argv[2], trials) else 1)
    print_arrays(folder)


if __name__ == "__main__":
    main()
