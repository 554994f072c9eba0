#!/usr/bin/env python3
"""Integration tests of inlay-serve: each group starts the real server on a free loopback port
(--http-port 0 --port-file), talks to it with Python's standard HTTP client (urllib) and checks
status codes, bodies and /metrics. The model repository is built in WORK from the bench models
in ../shared/models and from small models written here with onnx.

usage: serve_test.py GROUP --server BIN --cli BIN --models DIR --work DIR
Exit 0: passed; 1: failed (every failed check is printed); 77: skipped (no onnx/numpy).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

try:
    import warnings
    import numpy as np
    # onnx 1.12 still names numpy's removed aliases.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alias, value in (("float", float), ("int", int), ("bool", bool), ("object", object)):
            if not hasattr(np, alias):
                setattr(np, alias, value)
    import onnx
    from onnx import helper, numpy_helper, TensorProto
except ImportError as e:  # pragma: no cover
    print(f"SKIPPED: {e}")
    sys.exit(77)

FAILURES = []


def check(condition, message):
    if not condition:
        message = message if len(message) < 600 else message[:600] + "..."
        FAILURES.append(message)
        print(f"FAILED: {message}", flush=True)
    return condition


class Server:
    """inlay-serve on a free port; stop() sends SIGTERM and checks a clean exit."""

    def __init__(self, binary, repository, *extra):
        self.port_file = os.path.join(repository, "..", f"port-{os.getpid()}-{time.time_ns()}")
        self.log = open(self.port_file + ".log", "w+")
        self.proc = subprocess.Popen(
            [binary, "--model-repository", repository, "--http-port", "0", "--port-file",
             self.port_file, *extra], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                self.log.seek(0)
                raise RuntimeError("inlay-serve did not start: " + self.log.read())
            time.sleep(0.05)
        with open(self.port_file) as f:
            self.port = int(f.read())
        self.base = f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, raw=False):
        """(status, headers, parsed JSON body or text)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, hdrs, payload = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, dict(e.headers), e.read()
        if raw:
            return status, hdrs, payload
        text = payload.decode()
        if hdrs.get("Content-Type", "").startswith("application/json"):
            return status, hdrs, json.loads(text)
        return status, hdrs, text

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        check(rc == 0, f"inlay-serve exits 0 on SIGTERM (got {rc})")
        self.log.seek(0)
        return self.log.read()


def model_dir(repo, name, version, source):
    d = os.path.join(repo, name, str(version))
    os.makedirs(d, exist_ok=True)
    shutil.copy(source, os.path.join(d, "model.onnx"))


def save(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


# ---- small models written here
DTYPES = {  # protocol datatype -> (onnx element type, numpy dtype, sample values)
    "FP32": (TensorProto.FLOAT, np.float32, [1.5, -2.25, 3e-8, 1e30]),
    "FP16": (TensorProto.FLOAT16, np.float16, [1.5, -2.25, 0.0009765625, 65504.0]),
    "FP64": (TensorProto.DOUBLE, np.float64, [0.1, -1e-300, 1e300, 2.0]),
    "INT8": (TensorProto.INT8, np.int8, [-128, 127, 0, -1]),
    "UINT8": (TensorProto.UINT8, np.uint8, [0, 255, 1, 128]),
    "INT16": (TensorProto.INT16, np.int16, [-32768, 32767, 0, 5]),
    "UINT16": (TensorProto.UINT16, np.uint16, [0, 65535, 7, 1]),
    "INT32": (TensorProto.INT32, np.int32, [-2147483648, 2147483647, 0, 9]),
    "UINT32": (TensorProto.UINT32, np.uint32, [0, 4294967295, 3, 1]),
    "INT64": (TensorProto.INT64, np.int64, [-9223372036854775808, 9223372036854775807, 0, 1]),
    "UINT64": (TensorProto.UINT64, np.uint64, [0, 18446744073709551615, 2, 1]),
    "BOOL": (TensorProto.BOOL, np.bool_, [True, False, False, True]),
}


def identity_model():
    """One input x_<T> of shape [2, 2] per dtype, each copied to y_<T>."""
    nodes, inputs, outputs = [], [], []
    for name, (elem, _, _) in DTYPES.items():
        inputs.append(helper.make_tensor_value_info(f"x_{name}", elem, [2, 2]))
        outputs.append(helper.make_tensor_value_info(f"y_{name}", elem, [2, 2]))
        nodes.append(helper.make_node("Identity", [f"x_{name}"], [f"y_{name}"]))
    graph = helper.make_graph(nodes, "dtypes", inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def text_model():
    """Strings (BYTES) and bfloat16 (BF16), which numpy cannot hold as the others: x -> y, b -> c."""
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"]), helper.make_node("Identity", ["b"], ["c"])],
        "text",
        [helper.make_tensor_value_info("x", TensorProto.STRING, [2, 2]),
         helper.make_tensor_value_info("b", TensorProto.BFLOAT16, [3])],
        [helper.make_tensor_value_info("y", TensorProto.STRING, [2, 2]),
         helper.make_tensor_value_info("c", TensorProto.BFLOAT16, [3])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def slow_model():
    """x[1, 512] expanded to 2048 rows and sent through 48 MatMuls with a 512x512 weight
    (about 50 GFLOP): a small request that keeps the one session busy for a good while, so that
    other requests queue behind it."""
    w = numpy_helper.from_array(np.full((512, 512), 1e-3, np.float32), "w")
    rows = numpy_helper.from_array(np.array([2048, 512], np.int64), "rows")
    nodes, prev = [helper.make_node("Expand", ["x", "rows"], ["h"])], "h"
    for i in range(48):
        nodes.append(helper.make_node("MatMul", [prev, "w"], [f"h{i}"]))
        prev = f"h{i}"
    nodes.append(helper.make_node("ReduceMax", [prev], ["y"], axes=[0], keepdims=1))
    graph = helper.make_graph(
        nodes, "slow", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 512])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 512])], [w, rows])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def mlp_input(models):
    t = onnx.load_tensor(os.path.join(models, "mlp", "test_data_set_0", "input_0.pb"))
    return numpy_helper.to_array(t)


def infer_body(name, array, datatype="FP32", nested=False):
    data = array.tolist() if nested else array.reshape(-1).tolist()
    return {"inputs": [{"name": name, "shape": list(array.shape), "datatype": datatype,
                        "data": data}]}


def metric(text, line_start):
    """The value of the first metrics line that starts with line_start, or None."""
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.split(" ")[-1])
    return None


# ---- groups
def group_protocol(a):
    repo = os.path.join(a.work, "repo_protocol")
    model_dir(repo, "mlp", 1, os.path.join(a.models, "mlp", "model.onnx"))
    save(identity_model(), os.path.join(repo, "dtypes", "1", "model.onnx"))
    save(text_model(), os.path.join(repo, "text", "1", "model.onnx"))
    server = Server(a.server, repo, "--max-body-bytes", "2000000", "--max-elements", "5000")
    try:
        s, _, b = server.request("GET", "/v2/health/live")
        check(s == 200 and b == {"live": True}, f"live: {s} {b}")
        s, _, b = server.request("GET", "/v2/health/ready")
        check(s == 200 and b == {"ready": True}, f"ready: {s} {b}")
        s, _, b = server.request("GET", "/v2")
        check(s == 200 and b.get("name") == "inlay-serve", f"server metadata: {s} {b}")

        s, _, b = server.request("GET", "/v2/models/mlp")
        check(s == 200 and b["name"] == "mlp" and b["versions"] == ["1"], f"metadata: {s} {b}")
        check(b["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [1, 100]}],
              f"metadata inputs: {b.get('inputs')}")
        check(b["outputs"] == [{"name": "probabilities", "datatype": "FP32", "shape": [1, 10]}],
              f"metadata outputs: {b.get('outputs')}")
        s, _, b = server.request("GET", "/v2/models/mlp/versions/1")
        check(s == 200 and b["name"] == "mlp", f"metadata of version 1: {s}")
        s, _, b = server.request("GET", "/v2/models/mlp/ready")
        check(s == 200 and b["ready"] is True, f"model ready: {s} {b}")
        s, _, b = server.request("GET", "/v2/models/mlp/versions/1/ready")
        check(s == 200, f"version ready: {s} {b}")

        # Outputs equal `inlay run`'s, bit for bit.
        x = mlp_input(a.models)
        out_npy = os.path.join(a.work, "mlp_run_out.npy")
        subprocess.run([a.cli, "run", os.path.join(repo, "mlp", "1", "model.onnx"), "-i",
                        os.path.join(a.models, "mlp", "test_data_set_0", "input_0.pb"), "-o",
                        out_npy], check=True, stdout=subprocess.DEVNULL)
        expected = np.load(out_npy)
        body = infer_body("input", x)
        body["id"] = "req-7"
        s, _, b = server.request("POST", "/v2/models/mlp/infer", body)
        ok = check(s == 200, f"infer: {s} {b}")
        if ok:
            check(b["model_name"] == "mlp" and b["model_version"] == "1" and b["id"] == "req-7",
                  f"infer response fields: {b}")
            out = b["outputs"][0]
            check(out["name"] == "probabilities" and out["datatype"] == "FP32" and
                  out["shape"] == [1, 10], f"output header: {out}")
            got = np.array(out["data"], dtype=np.float32).reshape(out["shape"])
            check(np.array_equal(got, expected), f"infer equals inlay run: {got} vs {expected}")
        s, _, b2 = server.request("POST", "/v2/models/mlp/infer",
                                  infer_body("input", x, nested=True))
        check(s == 200 and ok and b2["outputs"][0]["data"] == b["outputs"][0]["data"],
              "nested data gives the same outputs as flat data")
        body = infer_body("input", x)
        body["outputs"] = [{"name": "probabilities"}]
        s, _, b = server.request("POST", "/v2/models/mlp/infer", body)
        check(s == 200 and len(b["outputs"]) == 1, f"requested output: {s} {b}")

        # Every dtype inlay holds, through Identity.
        body = {"inputs": []}
        for name, (_, npt, values) in DTYPES.items():
            body["inputs"].append({"name": f"x_{name}", "shape": [2, 2], "datatype": name,
                                   "data": [values[:2], values[2:]]})
        s, _, b = server.request("POST", "/v2/models/dtypes/infer", body)
        if check(s == 200, f"dtypes infer: {s} {b}"):
            by_name = {o["name"]: o for o in b["outputs"]}
            for name, (_, npt, values) in DTYPES.items():
                o = by_name.get(f"y_{name}")
                check(o is not None and o["datatype"] == name and o["shape"] == [2, 2] and
                      np.array_equal(np.array(o["data"], dtype=npt), np.array(values, dtype=npt)),
                      f"dtype {name} round trip: {o}")

        # The binary tensor data extension, both ways.
        def binary_request(header, payload, path):
            text = json.dumps(header).encode()
            return server.request("POST", path, text + payload,
                                  {"Inference-Header-Content-Length": str(len(text)),
                                   "Content-Type": "application/octet-stream"}, raw=True)

        header = {"inputs": [{"name": "input", "shape": [1, 100], "datatype": "FP32",
                              "parameters": {"binary_data_size": 400}}],
                  "parameters": {"binary_data_output": True}}
        s, h, raw = binary_request(header, x.astype("<f4").tobytes(), "/v2/models/mlp/infer")
        if check(s == 200 and "Inference-Header-Content-Length" in h, f"binary infer: {s} {raw[:200]}"):
            n = int(h["Inference-Header-Content-Length"])
            head = json.loads(raw[:n])
            out = head["outputs"][0]
            check(out["parameters"] == {"binary_data_size": 40} and "data" not in out,
                  f"binary output header: {out}")
            got = np.frombuffer(raw[n:], dtype="<f4").reshape(1, 10)
            check(len(raw) == n + 40 and np.array_equal(got, expected),
                  "binary output equals inlay run")
        header = {"inputs": [], "outputs": []}
        payload = b""
        for name, (_, npt, values) in DTYPES.items():
            data = np.array(values, dtype=npt).reshape(2, 2)
            raw_in = data.astype(data.dtype.newbyteorder("<")).tobytes()
            header["inputs"].append({"name": f"x_{name}", "shape": [2, 2], "datatype": name,
                                     "parameters": {"binary_data_size": len(raw_in)}})
            header["outputs"].append({"name": f"y_{name}", "parameters": {"binary_data": True}})
            payload += raw_in
        s, h, raw = binary_request(header, payload, "/v2/models/dtypes/infer")
        if check(s == 200, f"binary dtypes: {s} {raw[:300]}"):
            n = int(h["Inference-Header-Content-Length"])
            check(raw[n:] == payload, "every dtype's bytes come back unchanged")
        # BYTES and BF16: JSON strings and numbers; binary BYTES as 4-byte lengths and bytes.
        words = ["", "h\u00e9llo", "a b", "x" * 300]
        bf16 = [1.5, -2.25, 256.0]  # exact in bfloat16
        body = {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "BYTES",
                            "data": [words[:2], words[2:]]},
                           {"name": "b", "shape": [3], "datatype": "BF16", "data": bf16}]}
        s, _, b = server.request("POST", "/v2/models/text/infer", body)
        if check(s == 200, f"text infer: {s} {b}"):
            by_name = {o["name"]: o for o in b["outputs"]}
            check(by_name["y"]["datatype"] == "BYTES" and by_name["y"]["data"] == words,
                  f"BYTES round trip: {by_name['y']}")
            check(by_name["c"]["datatype"] == "BF16" and by_name["c"]["data"] == bf16,
                  f"BF16 round trip: {by_name['c']}")
        text = b"".join(struct.pack("<I", len(w.encode())) + w.encode() for w in words)
        header = {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "BYTES",
                              "parameters": {"binary_data_size": len(text)}},
                             {"name": "b", "shape": [3], "datatype": "BF16", "data": bf16}],
                  "outputs": [{"name": "y", "parameters": {"binary_data": True}}]}
        s, h, raw = binary_request(header, text, "/v2/models/text/infer")
        if check(s == 200, f"binary BYTES: {s} {raw[:300]}"):
            n = int(h["Inference-Header-Content-Length"])
            out = json.loads(raw[:n])["outputs"][0]
            check(raw[n:] == text and out["parameters"] == {"binary_data_size": len(text)},
                  f"binary BYTES come back as sent: {out}")
        header["inputs"][0]["parameters"]["binary_data_size"] = len(text) - 1
        s, _, raw = binary_request(header, text[:-1], "/v2/models/text/infer")
        check(s == 400 and b"element 3 is longer than the binary data left" in raw,
              f"binary BYTES cut short: {s} {raw}")
        body["inputs"][0]["data"] = [["a", 1], ["b", "c"]]
        error_status, _, b = server.request("POST", "/v2/models/text/infer", body)
        check(error_status == 400 and "element 1 (1) is not a string" in b.get("error", ""),
              f"a number in BYTES data: {error_status} {b}")

        bad = {"inputs": [{"name": "input", "shape": [1, 100], "datatype": "FP32",
                           "parameters": {"binary_data_size": 396}}]}
        s, _, raw = binary_request(bad, x.tobytes()[:396], "/v2/models/mlp/infer")
        check(s == 400 and b"binary_data_size 396, its shape and datatype take 400 bytes" in raw,
              f"wrong binary_data_size: {s} {raw}")
        bad["inputs"][0]["parameters"]["binary_data_size"] = 400
        s, _, raw = binary_request(bad, x.tobytes() + b"1234", "/v2/models/mlp/infer")
        check(s == 400 and b"4 bytes of binary data belong to no input" in raw,
              f"binary data left over: {s} {raw}")
        s, _, raw = binary_request(bad, x.tobytes()[:100], "/v2/models/mlp/infer")
        check(s == 400 and b"the binary data ends before its bytes" in raw,
              f"binary data too short: {s} {raw}")
        s, _, raw = server.request("POST", "/v2/models/mlp/infer", b"{}",
                                   {"Inference-Header-Content-Length": "99"}, raw=True)
        check(s == 400 and b"not a length within the body" in raw, f"header too long: {s} {raw}")
        s, _, raw = server.request("POST", "/v2/models/mlp/infer", bad, raw=True)
        check(s == 400 and b"binary_data_size without binary data" in raw,
              f"binary_data_size in a JSON request: {s} {raw}")

        # Errors: status and a JSON body that says what is wrong; the server keeps serving.
        def error(method, path, body, status, needle, headers=None):
            s, h, b = server.request(method, path, body, headers)
            check(s == status and isinstance(b, dict) and needle in b.get("error", ""),
                  f"{method} {path}: expected {status} with '{needle}', got {s} {b}")

        error("POST", "/v2/models/mlp/infer", b"{\"inputs\": [", 400, "malformed JSON")
        error("POST", "/v2/models/mlp/infer", b"[1, 2]", 400, "not a JSON object")
        error("POST", "/v2/models/mlp/infer", {"input": []}, 400, "no \"inputs\" array")
        error("POST", "/v2/models/mlp/infer", infer_body("input", x.astype(np.float64), "FP64"),
              400, "datatype FP64, the model takes FP32")
        error("POST", "/v2/models/mlp/infer", infer_body("input", x, "FP99"), 400,
              "\"datatype\" must be one of")
        error("POST", "/v2/models/mlp/infer", infer_body("input", x.reshape(2, 50)), 400,
              "input 'input': shape [2, 50], the model takes [1,100]")
        short = infer_body("input", x)
        short["inputs"][0]["data"] = short["inputs"][0]["data"][:99]
        error("POST", "/v2/models/mlp/infer", short, 400, "\"data\" holds 99 elements")
        text = infer_body("input", x)
        text["inputs"][0]["data"][3] = "a"
        error("POST", "/v2/models/mlp/infer", text, 400, "element 3 (\"a\") is not a number")
        error("POST", "/v2/models/mlp/infer", infer_body("wrong", x), 400,
              "model 'mlp' has no input 'wrong'")
        error("POST", "/v2/models/mlp/infer", {"inputs": []}, 400, "input 'input' is missing")
        twice = infer_body("input", x)
        twice["inputs"].append(twice["inputs"][0])
        error("POST", "/v2/models/mlp/infer", twice, 400, "given twice")
        wrong_out = infer_body("input", x)
        wrong_out["outputs"] = [{"name": "nope"}]
        error("POST", "/v2/models/mlp/infer", wrong_out, 400, "has no output 'nope'")
        bad_int = {"inputs": [{"name": "x_UINT8", "shape": [2, 2], "datatype": "UINT8",
                               "data": [1, 2, 3, 256]}]}
        error("POST", "/v2/models/dtypes/infer", bad_int, 400,
              "element 3 (256) is not an integer of its datatype")
        error("POST", "/v2/models/nosuch/infer", infer_body("input", x), 404,
              "unknown model 'nosuch'")
        error("POST", "/v2/models/mlp/versions/2/infer", infer_body("input", x), 404,
              "unknown model 'mlp' version 2")
        error("GET", "/v2/models/nosuch", None, 404, "unknown model")
        error("GET", "/v2/models/nosuch/ready", None, 404, "unknown model")
        error("GET", "/v2/models/..%2F..%2Fetc/ready", None, 404, "")
        error("GET", "/v2/nothing/here", None, 404, "no such endpoint")
        # A body over the limit is refused from its Content-Length, before it is read (a client
        # that keeps sending it then sees the connection closed, so the headers go alone here).
        with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
            sock.sendall(b"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n")
            answer = b""
            while b"}" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        check(answer.startswith(b"HTTP/1.1 413") and b"larger than the server's limit" in answer,
              f"413 for a body over the limit: {answer[:300]}")
        many = {"inputs": [{"name": "input", "shape": [100, 100], "datatype": "FP32",
                            "data": [0] * 10}]}
        error("POST", "/v2/models/mlp/infer", many, 413, "more elements than the server's limit")
        deep = infer_body("input", x)
        deep["inputs"][0]["data"][0] = json.loads("[" * 100 + "]" * 100)
        error("POST", "/v2/models/mlp/infer", deep, 400, "data nested too deeply")
        nest = 200000  # deeper than any recursion could go
        deep_body = ('{"id": "a", "inputs": [{"name": "input", "shape": [1, 100], "datatype": '
                     '"FP32", "data": [' + '{"a":' * nest + '1' + '}' * nest + ']}]}').encode()
        error("POST", "/v2/models/mlp/infer", deep_body.replace(b"[1, 100]", b"[1, 1]"), 400,
              "element 0 (an object) is not a number")
        deep_id = ('{"id": ' + '[' * nest + ']' * nest + ', "inputs": []}').encode()
        error("POST", "/v2/models/mlp/infer", deep_id, 400, "\"id\" must be a string")
        huge = infer_body("input", x)
        huge["inputs"][0]["data"][0] = 1e300
        s, _, b = server.request("POST", "/v2/models/mlp/infer", huge)
        check(s == 200, f"a double beyond float's range is an infinity: {s} {b}")
        s, _, b = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x))
        check(s == 200, f"still serving after the errors: {s} {b}")
    finally:
        log = server.stop()
    check("listening on 127.0.0.1:" in log, f"start-up line in the log: {log}")


def group_repository(a):
    repo = os.path.join(a.work, "repo_repository")
    mlp = os.path.join(a.models, "mlp", "model.onnx")
    model_dir(repo, "mlp", 1, mlp)
    model_dir(repo, "mlp", 3, mlp)
    os.makedirs(os.path.join(repo, "empty"), exist_ok=True)
    server = Server(a.server, repo)
    x = mlp_input(a.models)
    try:
        s, _, b = server.request("GET", "/v2/models/mlp")
        check(s == 200 and b["versions"] == ["1", "3"], f"versions: {b}")
        s, _, b = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x))
        check(s == 200 and b["model_version"] == "3", f"the newest version serves: {s} {b}")
        s, _, b = server.request("POST", "/v2/models/mlp/versions/1/infer", infer_body("input", x))
        check(s == 200 and b["model_version"] == "1", f"an explicit version: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/index")
        check(s == 200 and {"name": "mlp", "version": "3", "state": "READY"} in b and
              {"name": "empty", "state": "UNAVAILABLE"} in b, f"index: {b}")

        s, _, b = server.request("POST", "/v2/repository/models/mlp/unload")
        check(s == 200, f"unload: {s} {b}")
        s, _, b = server.request("GET", "/v2/models/mlp/ready")
        check(s == 404, f"not ready after unload: {s} {b}")
        s, _, b = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x))
        check(s == 404, f"infer after unload: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/models/mlp/unload")
        check(s == 404, f"unload of an unloaded model: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/models/mlp/load")
        check(s == 200, f"load: {s} {b}")
        s, _, b = server.request("GET", "/v2/models/mlp/ready")
        check(s == 200, f"ready after load: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/models/nosuch/load")
        check(s == 404 and "no model 'nosuch'" in b["error"], f"load unknown: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/models/..%2Fsecret/load")
        check(s == 404, f"load of a path outside the repository: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/models/empty/load")
        check(s == 400 and "no VERSION/model.onnx" in b["error"], f"load empty: {s} {b}")

        # A new version appears and is loaded while a client keeps sending: no request fails.
        stop = threading.Event()
        results = []

        def client():
            while not stop.is_set():
                st, _, bd = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x))
                results.append((st, bd.get("model_version") if isinstance(bd, dict) else None))

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        model_dir(repo, "mlp", 4, mlp)
        for _ in range(5):
            s, _, b = server.request("POST", "/v2/repository/models/mlp/load")
            check(s == 200, f"reload under load: {s} {b}")
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join()
        failed = [r for r in results if r[0] != 200]
        check(len(results) > 20 and not failed,
              f"reload while sending: {len(results)} requests, failures {failed[:5]}")
        check(results and results[-1][1] == "4", f"the new version serves: {results[-1:]}")
    finally:
        server.stop()


def group_poll(a):
    """--poll-seconds: new, changed and removed model folders are picked up by themselves."""
    repo = os.path.join(a.work, "repo_poll")
    mlp = os.path.join(a.models, "mlp", "model.onnx")
    model_dir(repo, "mlp", 1, mlp)
    server = Server(a.server, repo, "--poll-seconds", "1")

    def wait_for(condition, what):
        deadline = time.time() + 60
        while time.time() < deadline:
            if condition():
                return True
            time.sleep(0.1)
        return check(False, f"polling: {what}")

    def versions(name):
        s, _, b = server.request("GET", f"/v2/models/{name}")
        return b["versions"] if s == 200 else None

    try:
        model_dir(repo, "mlp", 2, mlp)
        wait_for(lambda: versions("mlp") == ["1", "2"], "a new version is loaded")
        model_dir(repo, "other", 5, mlp)
        wait_for(lambda: versions("other") == ["5"], "a new model is loaded")
        shutil.rmtree(os.path.join(repo, "other"))
        wait_for(lambda: versions("other") is None, "a removed model is unloaded")
        s, _, _ = server.request("POST", "/v2/repository/models/mlp/unload")
        check(s == 200, "unload")
        time.sleep(2.5)
        check(versions("mlp") is None, "a model unloaded by request stays unloaded")
        os.makedirs(os.path.join(repo, "broken", "1"))
        with open(os.path.join(repo, "broken", "1", "model.onnx"), "wb") as f:
            f.write(b"not a model")
        model_dir(repo, "mlp", 3, mlp)
        wait_for(lambda: versions("mlp") == ["1", "2", "3"], "a changed model is loaded again")
        s, _, _ = server.request("GET", "/v2/models/broken")
        check(s == 404, "a model that fails to load is not served")
    finally:
        log = server.stop()
    check("not loaded: broken: model 'broken' version 1: invalid model" in log,
          f"the failed load is logged: {log}")


def group_metrics(a):
    repo = os.path.join(a.work, "repo_metrics")
    model_dir(repo, "mlp", 2, os.path.join(a.models, "mlp", "model.onnx"))
    server = Server(a.server, repo)
    x = mlp_input(a.models)
    try:
        for _ in range(7):
            s, _, _ = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x))
            check(s == 200, "infer for metrics")
        for _ in range(3):
            server.request("POST", "/v2/models/mlp/infer", b"not json")
        server.request("POST", "/v2/models/nosuch/infer", infer_body("input", x))
        s, h, text = server.request("GET", "/metrics")
        check(s == 200 and h.get("Content-Type", "").startswith("text/plain"), f"metrics: {s}")
        labels = 'model="mlp",version="2"'
        check(metric(text, f'inlay_requests_total{{{labels},status="200"}}') == 7,
              "7 successful requests counted")
        check(metric(text, f'inlay_requests_total{{{labels},status="400"}}') == 3,
              "3 bad requests counted")
        check(metric(text, 'inlay_requests_total{model="",version="",status="404"}') == 1,
              "1 unknown-model request counted")
        check(metric(text, f"inlay_request_failures_total{{{labels}}}") == 3, "failures by model")
        for h in ("inlay_queue_seconds", "inlay_compute_seconds", "inlay_request_seconds"):
            check(metric(text, f"{h}_count{{{labels}}}") == 7, f"{h} counts the 7 requests")
            check(metric(text, f'{h}_bucket{{{labels},le="+Inf"}}') == 7, f"{h} +Inf bucket")
        check(metric(text, f"inlay_batch_size_count{{{labels}}}") == 7, "7 batches of one")
        check(metric(text, "inlay_requests_in_flight") == 0, "nothing in flight")
        load = metric(text, f"inlay_model_load_seconds{{{labels}}}")
        check(load is not None and load > 0, f"model load time: {load}")
        rss = metric(text, "process_resident_memory_bytes")
        check(rss is not None and rss > 1e6, f"resident memory: {rss}")
        heap = metric(text, "inlay_heap_in_use_bytes")
        check(heap is not None and (heap > 1e5 or heap == -1), f"heap in use: {heap}")
        cpu = metric(text, "process_cpu_seconds_total")
        check(cpu is not None and cpu > 0, f"cpu time: {cpu}")
        check("# TYPE inlay_request_seconds histogram" in text, "histogram TYPE line")
        # The status page charts the 7 requests of this second.
        s, h, page = server.request("GET", "/")
        check(s == 200 and h.get("Content-Type", "").startswith("text/html"), f"status page: {s}")
        check(page.count("<svg") == 2 and "mlp: requests per second" in page and
              "mlp: mean latency" in page and page.count("<polyline") == 2,
              "status page has the throughput and latency charts of mlp")
        # No browser here to take a screenshot: each chart must at least be well-formed SVG with
        # one point per second of the last five minutes, inside the picture.
        import xml.etree.ElementTree as ET
        for svg_text in re.findall(r"<svg.*?</svg>", page, re.S):
            svg = ET.fromstring(svg_text)
            line = svg.find("{http://www.w3.org/2000/svg}polyline")
            points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
            check(len(points) == 300 and all(0 <= x <= 600 and 0 <= y <= 160 for x, y in points),
                  f"chart points: {len(points)}")
        peak = re.search(r"max ([0-9.]+) req/s", page)
        # The 7 requests may fall into one second or spread over several.
        check(peak is not None and 1 <= float(peak.group(1)) <= 7,
              f"the throughput chart's maximum counts the requests: {peak and peak.group(0)}")
    finally:
        server.stop()


def read_png_rgb(path):
    """The pixels of an 8-bit RGB or RGBA PNG (what Chromium writes) as rows of (r, g, b), decoded
    with the standard library: IHDR, the zlib stream of the IDAT chunks, the five row filters."""
    import zlib
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), f"PNG depth {depth} color type {color}"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], None
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        up = prev if prev is not None else bytearray(stride)
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            corner = up[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + left) & 255
            elif f == 2:
                line[i] = (line[i] + up[i]) & 255
            elif f == 3:
                line[i] = (line[i] + (left + up[i]) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(up[i] - corner), abs(left - corner), abs(left + up[i] - 2 * corner)
                pred = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
                line[i] = (line[i] + pred) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        prev = line
    return rows


def group_page(a):
    """The status page in headless Chromium (Debian's chromium): the screenshot shows two chart
    panels, each with its blue line, which rises at the right edge (the requests just sent)."""
    browser = shutil.which("chromium")
    if browser is None:
        print("SKIPPED: no chromium (apt-get install chromium)")
        return 77
    repo = os.path.join(a.work, "repo_page")
    model_dir(repo, "mlp", 1, os.path.join(a.models, "mlp", "model.onnx"))
    server = Server(a.server, repo)
    x = mlp_input(a.models)
    try:
        for _ in range(20):
            s, _, _ = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x))
            check(s == 200, "infer for the status page")
        shot = os.path.join(a.work, "page.png")
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=800,600",
                            f"--user-data-dir={os.path.join(a.work, 'chromium')}",
                            f"--screenshot={shot}", server.base + "/"],
                           capture_output=True, timeout=120)
        if not check(r.returncode == 0 and os.path.exists(shot),
                     f"chromium screenshot: {r.returncode} {r.stderr[-500:]}"):
            return
        rows = read_png_rgb(shot)
        panel = (0xf7, 0xf7, 0xf7)
        blue = lambda p: p[2] > 150 and p[0] < 80 and p[2] - p[0] > 100
        # Chart panels: runs of rows whose middle column is the panel's grey.
        mid = len(rows[0]) // 4
        panels, start = [], None
        for y, row in enumerate(rows + [[None] * len(rows[0])]):
            if row[mid] == panel and start is None:
                start = y
            elif row[mid] != panel and start is not None:
                if y - start > 100:
                    panels.append((start, y))
                start = None
        check(len(panels) == 2, f"two chart panels of 160 px in the screenshot: {panels}")
        for top, bottom in panels:
            # The run of grey ends at the chart's baseline, where the line lies while the model
            # had no requests: the rows just below the run belong to the chart too.
            rows_of_chart = range(top, min(bottom + 4, len(rows)))
            line = [(x, y) for y in rows_of_chart for x, p in enumerate(rows[y]) if blue(p)]
            check(len(line) > 300, f"the chart at rows {top}-{bottom} draws its line: {len(line)} px")
            if line:
                right = max(x for x, _ in line)
                spike = [y for x, y in line if x >= right - 8]
                check(min(spike) < top + 60 and max(spike) > bottom - 60,
                      f"the line rises at the right edge (now): rows {min(spike)}-{max(spike)}")
    finally:
        server.stop()


def group_batching(a):
    repo = os.path.join(a.work, "repo_batching")
    model_dir(repo, "digits", 1, os.path.join(a.models, "digits_mlp", "model.onnx"))
    t = onnx.load_tensor(os.path.join(a.models, "digits_mlp", "test_data_set_0", "input_0.pb"))
    rows = numpy_helper.to_array(t)[:24]
    plain = Server(a.server, repo)
    try:
        expected = []
        for i in range(24):
            s, _, b = plain.request("POST", "/v2/models/digits/infer",
                                    infer_body("input", rows[i:i + 1]))
            check(s == 200, f"unbatched infer {i}: {s}")
            expected.append(np.array(b["outputs"][0]["data"], dtype=np.float32))
        s, _, b = plain.request("GET", "/v2/models/digits")
        check(b["parameters"]["dynamic_batching"] is False, f"batching off: {b['parameters']}")
    finally:
        plain.stop()
    # Waiting out the full delay makes the batches independent of how fast requests arrive.
    server = Server(a.server, repo, "--max-batch", "16", "--batch-delay-us", "200000",
                    "--batch-wait", "full")
    try:
        s, _, b = server.request("GET", "/v2/models/digits")
        check(b["parameters"]["dynamic_batching"] is True, f"batching on: {b['parameters']}")
        # The burst below needs a listen queue longer than cpp-httplib's 5: `ss` shows a
        # listening socket's backlog as its Send-Q.
        listening = subprocess.run(["ss", "-Hltn", f"sport = :{server.port}"],
                                   capture_output=True, text=True).stdout.split()
        check(len(listening) >= 3 and int(listening[2]) >= 1024,
              f"the server listens with a backlog of 1024 or more: ss says {listening}")
        got = [None] * 24
        barrier = threading.Barrier(24)

        def one(i):
            barrier.wait()
            # Requests of one and of two rows share batches.
            part = rows[i:i + 1] if i % 2 else np.concatenate([rows[i:i + 1], rows[i:i + 1]])
            try:
                st, _, bd = server.request("POST", "/v2/models/digits/infer",
                                           infer_body("input", part))
                got[i] = (st, bd)
            except OSError as e:  # a reset connection is a failure of the server, not a crash
                got[i] = (None, repr(e))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i, (st, bd) in enumerate(got):
            if not check(st == 200, f"batched infer {i}: {st} {bd}"):
                continue
            out = np.array(bd["outputs"][0]["data"], dtype=np.float32).reshape(bd["outputs"][0]["shape"])
            n = 1 if i % 2 else 2
            check(out.shape == (n, 10), f"request {i} gets its own rows back: {out.shape}")
            for r in range(n):
                check(np.allclose(out[r], expected[i], rtol=1e-5, atol=1e-5),
                      f"request {i} row {r}: batched {out[r]} vs alone {expected[i]}")
        _, _, text = server.request("GET", "/metrics")
        labels = 'model="digits",version="1"'
        batches = metric(text, f"inlay_batch_size_count{{{labels}}}")
        rows_sum = metric(text, f"inlay_batch_size_sum{{{labels}}}")
        check(rows_sum == 36, f"36 rows in all: {rows_sum}")
        check(batches is not None and batches < 24,
              f"requests were batched: {batches} batches for 24 requests")
        over = infer_body("input", np.zeros((17, 64), np.float32))
        s, _, b = server.request("POST", "/v2/models/digits/infer", over)
        check(s == 200 and b["outputs"][0]["shape"] == [17, 10],
              f"a request over max_batch runs alone: {s}")
    finally:
        server.stop()


def group_overload(a):
    if "address" in os.environ.get("INLAY_SERVE_SANITIZED", ""):
        # The slow model must keep the server busy for about a second: 50 GFLOP, which the
        # AddressSanitizer build (Debug) needs minutes for. The other builds run it (TSan: 34 s).
        print("SKIPPED: the overload test needs an optimized build (this one is Debug + ASan)")
        return 77
    repo = os.path.join(a.work, "repo_overload")
    save(slow_model(), os.path.join(repo, "slow", "1", "model.onnx"))
    with open(os.path.join(repo, "slow", "config.json"), "w") as f:
        json.dump({"max_queue": 1, "timeout_ms": 100, "instances": 1}, f)
    server = Server(a.server, repo)
    try:
        x = np.ones((1, 512), np.float32)
        results = {}

        def send(key):
            results[key] = server.request("POST", "/v2/models/slow/infer", infer_body("x", x))

        def wait_in_flight(n):
            # Until n requests are inside the server (the first one then runs: it is alone).
            deadline = time.time() + 60
            while time.time() < deadline:
                _, _, text = server.request("GET", "/metrics")
                if metric(text, "inlay_requests_in_flight") >= n:
                    return
                time.sleep(0.005)

        first = threading.Thread(target=send, args=("first",))
        first.start()
        wait_in_flight(1)
        time.sleep(0.1)
        queued = threading.Thread(target=send, args=("queued",))
        queued.start()
        wait_in_flight(2)
        time.sleep(0.1)
        send("refused")
        first.join()
        queued.join()
        s, _, b = results["refused"]
        check(s == 429 and "queue is full" in b.get("error", ""), f"full queue: {s} {b}")
        s, _, b = results["queued"]
        check(s == 503 and "timed out" in b.get("error", ""), f"timed out in the queue: {s} {b}")
        check(results["first"][0] == 200, f"the running request finishes: {results['first'][0]}")
        s, _, _ = server.request("POST", "/v2/models/slow/infer", infer_body("x", x))
        check(s == 200, f"serving again after the overload: {s}")
        _, _, text = server.request("GET", "/metrics")
        labels = 'model="slow",version="1"'
        check(metric(text, f'inlay_requests_total{{{labels},status="429"}}') == 1, "429 counted")
        check(metric(text, f'inlay_requests_total{{{labels},status="503"}}') == 1, "503 counted")
    finally:
        server.stop()


def group_auth(a):
    repo = os.path.join(a.work, "repo_auth")
    model_dir(repo, "mlp", 1, os.path.join(a.models, "mlp", "model.onnx"))
    infer_token = os.path.join(a.work, "infer.token")
    repo_token = os.path.join(a.work, "repository.token")
    with open(infer_token, "w") as f:
        f.write("s3cret-infer\n")
    with open(repo_token, "w") as f:
        f.write("s3cret-repo\n")
    server = Server(a.server, repo, "--infer-token-file", infer_token, "--repository-token-file",
                    repo_token)
    x = mlp_input(a.models)
    good = {"Authorization": "Bearer s3cret-infer"}
    good_repo = {"Authorization": "Bearer s3cret-repo"}
    try:
        for headers, label in (({}, "no token"),
                               ({"Authorization": "Bearer s3cret-infex"}, "wrong token"),
                               ({"Authorization": "Bearer s3cret-infer-longer"}, "longer token"),
                               ({"Authorization": "Basic s3cret-infer"}, "wrong scheme"),
                               (good_repo, "the repository token")):
            s, h, b = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x),
                                     headers)
            check(s == 401 and h.get("WWW-Authenticate") == "Bearer" and
                  "bearer token" in b["error"], f"infer with {label}: {s} {b}")
            s, _, _ = server.request("GET", "/v2/models/mlp", None, headers)
            check(s == 401, f"metadata with {label}: {s}")
        s, _, b = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x), good)
        check(s == 200, f"infer with the token: {s} {b}")
        s, _, b = server.request("POST", "/v2/models/mlp/infer", infer_body("input", x),
                                 {"Authorization": "bearer s3cret-infer"})
        check(s == 200, f"the scheme is case-insensitive: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/models/mlp/load", None, good)
        check(s == 401, f"repository with the inference token: {s} {b}")
        s, _, b = server.request("POST", "/v2/repository/models/mlp/load", None, good_repo)
        check(s == 200, f"repository with its token: {s} {b}")
        s, _, _ = server.request("GET", "/v2/health/ready")
        check(s == 200, "health stays open")
    finally:
        server.stop()


def group_drift(a):
    """Drift gauges against a reference file, and rolling accuracy from /feedback."""
    repo = os.path.join(a.work, "repo_drift")
    model_dir(repo, "digits", 1, os.path.join(a.models, "digits_mlp", "model.onnx"))
    t = onnx.load_tensor(os.path.join(a.models, "digits_mlp", "test_data_set_0", "input_0.pb"))
    data = numpy_helper.to_array(t)
    reference, live = data[:200], data[200:260]
    edges = [0.25, 0.5]
    features = []
    for f in range(64):
        counts = np.histogram(reference[:, f], bins=[-np.inf] + edges + [np.inf])[0]
        features.append({"edges": edges, "fractions": (counts / counts.sum()).tolist()})
    with open(os.path.join(repo, "digits", "1", "drift_reference.json"), "w") as f:
        json.dump({"features": features}, f)
    server = Server(a.server, repo)
    labels = 'model="digits",version="1",input="input"'
    try:
        for i in range(0, 60, 20):
            s, _, _ = server.request("POST", "/v2/models/digits/infer",
                                     infer_body("input", live[i:i + 20]))
            check(s == 200, "infer for drift")
        _, _, text = server.request("GET", "/metrics")
        check(metric(text, f"inlay_drift_rows_total{{{labels}}}") == 60, "60 rows observed")
        bad = []
        for f in (0, 5, 20, 43, 63):
            lf = f'{labels},feature="{f}"'
            mean, var = metric(text, f"inlay_drift_feature_mean{{{lf}}}"), \
                metric(text, f"inlay_drift_feature_variance{{{lf}}}")
            psi = metric(text, f"inlay_drift_feature_psi{{{lf}}}")
            x = live[:, f].astype(np.float64)
            q = np.histogram(x, bins=[-np.inf] + edges + [np.inf])[0] / len(x)
            p = np.array(features[f]["fractions"])
            q, p = np.maximum(q, 1e-4), np.maximum(p, 1e-4)
            want_psi = float(np.sum((q - p) * np.log(q / p)))
            if not (mean is not None and abs(mean - x.mean()) < 1e-6 and
                    abs(var - x.var()) < 1e-6 and abs(psi - want_psi) < 1e-6):
                bad.append((f, mean, x.mean(), var, x.var(), psi, want_psi))
        check(not bad, f"drift gauges match numpy: {bad}")
        # Inputs in a bin the reference seldom saw move that feature's PSI.
        f = int(np.argmin([features[i]["fractions"][1] for i in range(64)]))
        server.request("POST", "/v2/models/digits/infer",
                       infer_body("input", np.full((100, 64), 0.3, np.float32)))
        _, _, text = server.request("GET", "/metrics")
        psi = metric(text, f'inlay_drift_feature_psi{{{labels},feature="{f}"}}')
        check(psi is not None and psi > 0.25,
              f"shifted inputs give feature {f} a PSI over 0.25: {psi}")

        # Feedback: one right and one wrong label give an accuracy of 0.5.
        predicted = []
        for i, rid in enumerate(("a", "b")):
            body = infer_body("input", live[i:i + 1])
            body["id"] = rid
            s, _, b = server.request("POST", "/v2/models/digits/infer", body)
            predicted.append(int(np.argmax(b["outputs"][0]["data"])))
        s, _, _ = server.request("POST", "/v2/models/digits/feedback",
                                 {"id": "a", "label": predicted[0]})
        check(s == 200, f"feedback: {s}")
        s, _, _ = server.request("POST", "/v2/models/digits/feedback",
                                 {"id": "b", "label": (predicted[1] + 1) % 10})
        check(s == 200, f"feedback: {s}")
        s, _, b = server.request("POST", "/v2/models/digits/feedback", {"id": "zz", "label": 1})
        check(s == 404 and "no recent prediction" in b["error"], f"feedback unknown id: {s} {b}")
        s, _, b = server.request("POST", "/v2/models/digits/feedback", {"id": "a"})
        check(s == 400, f"feedback without a label: {s} {b}")
        _, _, text = server.request("GET", "/metrics")
        ml = 'model="digits",version="1"'
        check(metric(text, f"inlay_feedback_total{{{ml}}}") == 2, "2 feedbacks")
        check(metric(text, f"inlay_feedback_accuracy{{{ml}}}") == 0.5, "accuracy 0.5")
        types = [l for l in text.splitlines() if l.startswith("# TYPE ")]
        check(len(types) == len(set(types)), "each metric has one TYPE line")
    finally:
        server.stop()
    drift_of_every_input(a)


def drift_of_every_input(a):
    """A model with two f32 inputs and an int64 one: both f32 inputs are watched, against a
    reference that `inlay drift-reference` records from sets of input files."""
    repo = os.path.join(a.work, "repo_drift2")
    graph = helper.make_graph(
        [helper.make_node("Relu", ["a"], ["ya"]), helper.make_node("Relu", ["b"], ["yb"]),
         helper.make_node("Identity", ["k"], ["yk"])], "two_inputs",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n", 3]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["n", 2]),
         helper.make_tensor_value_info("k", TensorProto.INT64, ["n", 1])],
        [helper.make_tensor_value_info("ya", TensorProto.FLOAT, ["n", 3]),
         helper.make_tensor_value_info("yb", TensorProto.FLOAT, ["n", 2]),
         helper.make_tensor_value_info("yk", TensorProto.INT64, ["n", 1])])
    model_path = os.path.join(repo, "two", "1", "model.onnx")
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), model_path)
    rng = np.random.default_rng(3)
    sets = []
    for i in range(3):  # three sets of 100 rows, as files in the backend-test layout
        arrays = [rng.normal(0, 1, (100, 3)).astype(np.float32),
                  rng.uniform(0, 10, (100, 2)).astype(np.float32),
                  np.zeros((100, 1), np.int64)]
        d = os.path.join(a.work, f"drift_data_{i}")
        os.makedirs(d, exist_ok=True)
        for j, x in enumerate(arrays):
            with open(os.path.join(d, f"input_{j}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(x).SerializeToString())
        sets.append((d, arrays))
    reference = os.path.join(repo, "two", "1", "drift_reference.json")
    r = subprocess.run([a.cli, "drift-reference", model_path, "--bins", "5", "-o", reference,
                        "--data"] + [d for d, _ in sets], capture_output=True, text=True)
    if not check(r.returncode == 0, f"inlay drift-reference: {r.returncode} {r.stderr}"):
        return
    with open(reference) as f:
        ref = json.load(f)["inputs"]
    check(sorted(ref) == ["a", "b"], f"the reference covers the f32 inputs a and b: {sorted(ref)}")
    for name, j in (("a", 0), ("b", 1)):
        data = np.concatenate([arrays[j] for _, arrays in sets])
        for f, feature in enumerate(ref.get(name, {}).get("features", [])):
            edges = np.array(feature["edges"])
            want = np.bincount(np.searchsorted(edges, data[:, f], side="right"),
                               minlength=len(edges) + 1) / len(data)
            check(len(edges) == 4 and np.allclose(feature["fractions"], want, atol=1e-9) and
                  max(want) < 0.3, f"input {name} feature {f}: quantile bins {feature}")
    r = subprocess.run([a.cli, "drift-reference", model_path, "-o", reference + ".x", "--data",
                        sets[0][0], os.path.join(a.work, "no_such_folder")],
                       capture_output=True, text=True)
    check(r.returncode != 0 and "no_such_folder: not a folder" in r.stderr,
          f"a missing data folder is named: {r.returncode} {r.stderr}")

    server = Server(a.server, repo)
    try:
        for _, arrays in sets:  # the reference data itself: no drift
            body = {"inputs": [{"name": n, "shape": list(x.shape), "datatype": t,
                                "data": x.reshape(-1).tolist()}
                               for n, x, t in zip("abk", arrays, ("FP32", "FP32", "INT64"))]}
            s, _, _ = server.request("POST", "/v2/models/two/infer", body)
            check(s == 200, f"infer with three inputs: {s}")
        _, _, text = server.request("GET", "/metrics")
        for name, features in (("a", 3), ("b", 2)):
            labels = f'model="two",version="1",input="{name}"'
            check(metric(text, f"inlay_drift_rows_total{{{labels}}}") == 300,
                  f"300 rows of input {name} observed")
            for f in range(features):
                psi = metric(text, f'inlay_drift_feature_psi{{{labels},feature="{f}"}}')
                check(psi is not None and abs(psi) < 1e-9,
                      f"input {name} feature {f}: the reference data has PSI 0, not {psi}")
        check('input="k"' not in text, "the int64 input is not watched")
        # Input b shifted by 5: its PSI rises, a's stays 0.
        shifted = [x.copy() for x in sets[0][1]]
        shifted[1] += 5
        body = {"inputs": [{"name": n, "shape": list(x.shape), "datatype": t,
                            "data": x.reshape(-1).tolist()}
                           for n, x, t in zip("abk", shifted, ("FP32", "FP32", "INT64"))]}
        for _ in range(3):  # then half of all rows seen are shifted
            server.request("POST", "/v2/models/two/infer", body)
        _, _, text = server.request("GET", "/metrics")
        psi_b = metric(text, 'inlay_drift_feature_psi{model="two",version="1",input="b",feature="0"}')
        psi_a = metric(text, 'inlay_drift_feature_psi{model="two",version="1",input="a",feature="0"}')
        check(psi_b is not None and psi_b > 0.25 and psi_a is not None and abs(psi_a) < 0.05,
              f"shifting input b moves its PSI ({psi_b}) and not a's ({psi_a})")
    finally:
        server.stop()


def group_deploy(a):
    """The Dockerfile and the Kubernetes manifests (they cannot run here): parsed and checked
    against the server's options and endpoints."""
    import yaml
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "serve",
                        "deploy")
    with open(os.path.join(root, "kubernetes.yaml")) as f:
        docs = {d["kind"]: d for d in yaml.safe_load_all(f)}
    check(set(docs) == {"Deployment", "Service", "HorizontalPodAutoscaler"}, f"kinds: {set(docs)}")
    c = docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    check(c["livenessProbe"]["httpGet"]["path"] == "/v2/health/live", "liveness probe")
    check(c["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready", "readiness probe")
    check(c["ports"][0]["containerPort"] == 8000, "container port 8000")
    help_text = subprocess.run([a.server, "--help"], capture_output=True, text=True).stdout
    for option in c["args"][::2]:
        check(option in help_text, f"manifest option {option} exists")
    check(docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] ==
          docs["Deployment"]["metadata"]["name"], "the autoscaler scales the deployment")
    check(docs["Service"]["spec"]["selector"] ==
          docs["Deployment"]["spec"]["selector"]["matchLabels"], "the service selects the pods")
    with open(os.path.join(root, "kserve.yaml")) as f:
        isvc = yaml.safe_load(f)
    check(isvc["kind"] == "InferenceService" and
          isvc["spec"]["predictor"]["containers"][0]["readinessProbe"]["httpGet"]["path"] ==
          "/v2/health/ready", "KServe predictor")
    with open(os.path.join(root, "Dockerfile")) as f:
        docker = f.read()
    check('ENTRYPOINT ["inlay-serve", "--host", "0.0.0.0", "--http-port", "8000"]' in docker and
          "EXPOSE 8000" in docker, "Dockerfile entry point and port")
    # The programs are copied from where the build puts them (beside each other, as here).
    built = os.path.relpath(a.server, os.path.dirname(os.path.dirname(os.path.dirname(a.server))))
    check(f"/build/{built} " in docker, f"Dockerfile copies /build/{built}")
    # The run stage installs a Debian package for every shared library inlay-serve links.
    libs = subprocess.run(["ldd", a.server], capture_output=True, text=True).stdout
    for lib, package in (("libhwy.so", "libhwy1"), ("libcpp-httplib.so", "libcpp-httplib0.11")):
        check(lib not in libs or package in docker, f"Dockerfile installs {package} for {lib}")


def group_tls(a):
    """HTTPS with a self-signed certificate made here by the openssl command."""
    import ssl
    if shutil.which("openssl") is None:
        print("SKIPPED: no openssl command")
        sys.exit(77)
    repo = os.path.join(a.work, "repo_tls")
    model_dir(repo, "mlp", 1, os.path.join(a.models, "mlp", "model.onnx"))
    cert, key = os.path.join(a.work, "cert.pem"), os.path.join(a.work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert], check=True,
                   capture_output=True)
    server = Server(a.server, repo, "--tls-cert", cert, "--tls-key", key)
    try:
        context = ssl.create_default_context(cafile=cert)
        context.check_hostname = False
        url = f"https://127.0.0.1:{server.port}"
        body = json.dumps(infer_body("input", mlp_input(a.models))).encode()
        req = urllib.request.Request(url + "/v2/models/mlp/infer", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=context, timeout=60) as r:
            b = json.loads(r.read())
            check(r.status == 200 and b["outputs"][0]["shape"] == [1, 10], f"infer over TLS: {b}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/v2/health/live", timeout=10)
            check(False, "plain HTTP is refused on the TLS port")
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
            pass
    finally:
        server.stop()
    r = subprocess.run([a.server, "--model-repository", repo, "--tls-cert", cert, "--tls-key",
                        cert], capture_output=True, text=True)
    check(r.returncode == 1 and "for TLS" in r.stderr, f"a bad key: {r.returncode} {r.stderr}")


def group_cli(a):
    # Without inlay-serve beside it, `inlay serve` says so.
    alone = os.path.join(a.work, "alone")
    os.makedirs(alone)
    shutil.copy(a.cli, alone)
    r = subprocess.run([os.path.join(alone, os.path.basename(a.cli)), "serve", "--help"],
                       capture_output=True, text=True)
    check(r.returncode == 1 and "inlay-serve is not installed" in r.stderr,
          f"inlay serve without inlay-serve: {r.returncode} {r.stderr}")
    r = subprocess.run([a.cli, "serve", "--help"], capture_output=True, text=True)
    check(r.returncode == 0 and "usage: inlay-serve --model-repository DIR" in r.stdout,
          f"inlay serve --help runs inlay-serve: {r.returncode} {r.stdout[:200]} {r.stderr}")
    r = subprocess.run([a.server, "--http-port", "1"], capture_output=True, text=True)
    check(r.returncode == 1 and "--model-repository DIR is required" in r.stderr,
          f"no repository: {r.returncode} {r.stderr}")
    r = subprocess.run([a.server, "--model-repository", a.work, "--max-batch", "x"],
                       capture_output=True, text=True)
    check(r.returncode == 1 and "--max-batch needs a whole number" in r.stderr,
          f"bad number: {r.stderr}")
    r = subprocess.run([a.server, "--model-repository", os.path.join(a.work, "nope")],
                       capture_output=True, text=True)
    check(r.returncode == 1 and "not a folder" in r.stderr, f"missing repository: {r.stderr}")


GROUPS = {name[6:]: f for name, f in globals().items() if name.startswith("group_")}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("group", choices=sorted(GROUPS))
    p.add_argument("--server", required=True)
    p.add_argument("--cli", required=True)
    p.add_argument("--models", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    if not os.path.isdir(os.path.join(a.models, "mlp")):
        print(f"SKIPPED: no bench models in {a.models}")
        return 77
    a.work = os.path.join(a.work, a.group)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    if GROUPS[a.group](a) == 77:
        return 77  # what the group needs is not installed; it said what
    if FAILURES:
        print(f"{len(FAILURES)} checks failed")
        return 1
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
