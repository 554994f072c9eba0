#!/usr/bin/python3
"""Writes tests/graph/malformed/: small ONNX models that are each broken in one named way, and
cases.tsv, which says for every file the inlay::ErrorKind that loading it must raise and words
the message must contain (tests/graph/malformed_test.cpp checks them).

    /usr/bin/python3 tools/make-malformed-models.py        # needs python3-onnx (Debian)

The files are committed; run this again only to change the corpus. Structure-level cases are built
with onnx.helper (which does not validate); wire-level cases are written byte by byte.
"""
import os
import struct
import sys

from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "graph", "malformed")
OPSET = 13
cases = []  # (file name, error kind, [words the message must contain])


def save(name, data, kind, *words):
    if not isinstance(data, (bytes, bytearray)):
        data = data.SerializeToString()
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(data)
    cases.append((name + ".onnx", kind, list(words)))


# ---- protobuf encoding, for what onnx.helper cannot write ----
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def tag(field, wire):
    return varint((field << 3) | wire)


def ld(field, payload):  # length-delimited field
    return tag(field, 2) + varint(len(payload)) + payload


def vi(field, v):  # varint field
    return tag(field, 0) + varint(v)


OPSET_BYTES = ld(8, vi(2, OPSET))


# ---- the well-formed model the structural cases start from: y = Relu(x W + B) ----
def value(name, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, dims)


def tensor(name, elem, dims, **fields):
    """A TensorProto as given, without onnx.helper's checks (which refuse the bad ones)."""
    t = TensorProto()
    t.name, t.data_type = name, elem
    t.dims.extend(dims)
    for field, values in fields.items():
        if field == "raw_data":
            t.raw_data = values
        else:
            getattr(t, field).extend(values)
    return t


def weights(name="W", dims=(4, 3)):
    n = 1
    for d in dims:
        n *= d
    return helper.make_tensor(name, TensorProto.FLOAT, dims, [0.5] * n)


def graph(nodes, inputs=None, outputs=None, initializers=None, name="g"):
    return helper.make_graph(
        nodes, name,
        [value("x", [1, 4])] if inputs is None else inputs,
        [value("y", [1, 3])] if outputs is None else outputs,
        [weights(), helper.make_tensor("B", TensorProto.FLOAT, [3], [0.1, 0.2, 0.3])]
        if initializers is None else initializers)


def base_nodes():
    return [helper.make_node("Gemm", ["x", "W", "B"], ["h"], name="gemm"),
            helper.make_node("Relu", ["h"], ["y"], name="relu")]


def model(g, opsets=None, functions=None):
    m = helper.make_model(g, opset_imports=opsets or [helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    if functions:
        m.functions.extend(functions)
    return m


def good_model():
    return model(graph(base_nodes()))


def top_level_fields(data):
    """(start, end) of every top-level field of a serialized message."""
    spans, p = [], 0
    while p < len(data):
        start = p
        key = 0
        shift = 0
        while True:
            b = data[p]
            p += 1
            key |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        wire = key & 7
        if wire == 0:
            while data[p] & 0x80:
                p += 1
            p += 1
        elif wire == 2:
            n = 0
            shift = 0
            while True:
                b = data[p]
                p += 1
                n |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            p += n
        elif wire == 5:
            p += 4
        elif wire == 1:
            p += 8
        spans.append((start, p))
    return spans


def wire_cases():
    good = good_model().SerializeToString()
    # Cuts strictly inside a top-level field (a cut between fields leaves a shorter valid message).
    boundaries = {end for _, end in top_level_fields(good)} | {0}
    offsets = sorted({1, 2, 3, 5, 8, 13, 21, 34, 55, 89, len(good) // 2, len(good) - 9,
                      len(good) - 3, len(good) - 1})
    for cut in offsets:
        if 0 < cut < len(good) and cut not in boundaries:
            save("truncated_at_%d_of_%d" % (cut, len(good)), good[:cut], "invalid_model",
                 "ModelProto", "past the end", "at byte")
    save("empty_file", b"", "invalid_model", "no graph")

    graph_bytes = good_model().graph.SerializeToString()
    save("wire_type_graph_as_varint", vi(7, 5) + OPSET_BYTES, "invalid_model",
         "ModelProto.graph", "wire type varint", "expected length-delimited", "at byte")
    # An initializer whose dims field (1) is written as fixed32 (wire type 5).
    bad_tensor = tag(1, 5) + b"\x04\x00\x00\x00" + vi(2, 1) + ld(8, b"W")
    save("wire_type_dims_as_fixed32", ld(7, ld(5, bad_tensor) + ld(2, b"g")) + OPSET_BYTES,
         "invalid_model", "ModelProto.graph.initializer[0].dims", "wire type fixed32")
    # A node name (field 3, a string) written as fixed64.
    bad_node = ld(4, b"Relu") + tag(3, 1) + b"\x00" * 8
    save("wire_type_node_name_as_fixed64", ld(7, ld(1, bad_node)) + OPSET_BYTES, "invalid_model",
         "ModelProto.graph.node[0].name", "wire type fixed64")
    save("wire_type_group", ld(7, graph_bytes) + tag(9, 3) + OPSET_BYTES, "invalid_model",
         "ModelProto", "groups", "not supported", "at byte")
    save("wire_type_7", ld(7, graph_bytes) + tag(9, 7) + OPSET_BYTES, "invalid_model",
         "ModelProto", "invalid wire type 7", "at byte")
    save("field_number_zero", tag(0, 0) + b"\x01" + ld(7, graph_bytes) + OPSET_BYTES,
         "invalid_model", "invalid field number 0", "at byte 0")
    save("varint_overflows_64_bits", tag(1, 0) + b"\xff" * 9 + b"\x7f" + ld(7, graph_bytes),
         "invalid_model", "varint overflows 64 bits", "at byte 1")
    save("varint_unterminated", ld(7, graph_bytes) + OPSET_BYTES + tag(1, 0) + b"\xff\xff\xff",
         "invalid_model", "varint runs past the end")
    save("length_overflows", tag(7, 2) + varint(1 << 63) + graph_bytes, "invalid_model",
         "length 9223372036854775808", "past the end")
    # Graph attributes nested 70 deep: past the reader's limit of 64 levels.
    g = ld(1, ld(4, b"Identity"))
    for _ in range(70):
        g = ld(1, ld(4, b"If") + ld(5, ld(1, b"then_branch") + vi(20, 5) + ld(6, g)))
    save("nesting_too_deep", ld(7, g) + OPSET_BYTES, "invalid_model", "nested deeper than 64")


def tensor_cases():
    def with_w(name, w, kind, *words, inputs=None):
        save(name, model(graph(base_nodes(), inputs=inputs,
                               initializers=[w, helper.make_tensor("B", TensorProto.FLOAT, [3],
                                                                   [0, 0, 0])])),
             kind, *words)

    w = weights()
    w.dims[:] = [-4, 3]
    with_w("initializer_dim_negative", w, "invalid_model", "tensor 'W'", "dims[0] is negative")
    w = tensor("W", TensorProto.FLOAT, [1 << 40, 1 << 40])
    with_w("initializer_dims_overflow", w, "invalid_model", "tensor 'W'", "overflows")
    w = tensor("W", TensorProto.FLOAT, [1 << 40], raw_data=b"\0" * 16)
    with_w("initializer_huge_dims_few_bytes", w, "invalid_model", "tensor 'W'",
           "raw_data holds 16 bytes", "need 4398046511104")
    w = tensor("W", TensorProto.FLOAT, [4, 3], raw_data=b"\0" * 44)
    with_w("initializer_raw_data_short", w, "invalid_model", "tensor 'W'", "raw_data holds 44 bytes",
           "need 48")
    w = tensor("W", TensorProto.FLOAT, [4, 3], float_data=[1.0, 2.0, 3.0])
    with_w("initializer_float_data_count", w, "invalid_model", "tensor 'W'",
           "float_data holds 3 elements", "need 12")
    w = tensor("W", TensorProto.INT64, [4, 3], int64_data=[1, 2])
    with_w("initializer_int64_data_count", w, "invalid_model", "tensor 'W'",
           "int64_data holds 2 elements")
    w = tensor("W", TensorProto.INT8, [2], int32_data=[1, 300])
    with_w("initializer_int8_out_of_range", w, "invalid_model", "tensor 'W'", "int32_data[1] = 300",
           "does not fit INT8")
    w = tensor("W", TensorProto.COMPLEX64, [1], float_data=[1.0, 2.0])
    with_w("initializer_complex_dtype", w, "unsupported_op", "tensor 'W'", "COMPLEX64")
    w = tensor("W", TensorProto.FLOAT, [1] * 9, float_data=[1.0])
    with_w("initializer_rank_9", w, "unsupported_op", "tensor 'W'", "rank 9")
    w = weights()
    w.name = ""
    with_w("initializer_no_name", w, "invalid_model", "graph 'g'", "initializer has no name")

    def with_input(name, x, kind, *words):
        save(name, model(graph(base_nodes(), inputs=[x])), kind, *words)

    with_input("input_dim_negative", value("x", [1, -3]), "invalid_model", "value 'x'",
               "negative dimension -3")
    with_input("input_rank_9", value("x", [1] * 9), "unsupported_op", "value 'x'", "rank 9")
    with_input("input_no_element_type", value("x", [1, 4], TensorProto.UNDEFINED), "invalid_model",
               "input 'x'", "no element type")
    with_input("input_complex_dtype", value("x", [1, 4], TensorProto.COMPLEX64), "unsupported_op",
               "value 'x'", "COMPLEX64")
    # Sequences of tensors and optionals are values (docs/graph.md); a sequence of sequences is not.
    nested = helper.make_sequence_type_proto(
        helper.make_sequence_type_proto(helper.make_tensor_type_proto(TensorProto.FLOAT, [1, 4])))
    with_input("input_sequence_of_sequences", helper.make_value_info("x", nested),
               "unsupported_op", "value 'x'", "nests sequences or optionals")


def graph_cases():
    relu = lambda i, o, n: helper.make_node("Relu", [i], [o], name=n)
    no_init = dict(initializers=[])
    save("cycle_two_nodes", model(graph([relu("x", "a", "first"), helper.make_node(
        "Add", ["a", "b"], ["y"], name="add"), relu("y", "b", "back")], **no_init)),
         "invalid_model", "graph 'g'", "cycle")
    save("cycle_self", model(graph([helper.make_node("Add", ["x", "y"], ["y"], name="self")],
                                   **no_init)),
         "invalid_model", "graph 'g'", "'self' (Add)", "cycle")
    save("dangling_input", model(graph([helper.make_node("Add", ["x", "ghost"], ["y"], name="add")],
                                       **no_init)),
         "invalid_model", "graph 'g'", "'add' (Add)", "reads 'ghost'")
    save("duplicate_node_output", model(graph([relu("x", "y", "one"), relu("x", "y", "two")],
                                              **no_init)),
         "invalid_model", "graph 'g'", "'y'", "name of another value")
    save("duplicate_initializer", model(graph(base_nodes(), initializers=[
        weights(), weights(), helper.make_tensor("B", TensorProto.FLOAT, [3], [0, 0, 0])])),
         "invalid_model", "initializer 'W'", "name of another value")
    save("duplicate_input", model(graph(base_nodes(), inputs=[value("x", [1, 4]),
                                                              value("x", [1, 4])])),
         "invalid_model", "input 'x'", "name of another value")
    save("node_output_shadows_input", model(graph([relu("x", "x", "shadow"), relu("x", "y", "r")],
                                                  **no_init)),
         "invalid_model", "'x'", "name of another value")
    save("output_names_nothing", model(graph(base_nodes(), outputs=[value("nothing", [1, 3])])),
         "invalid_model", "graph 'g'", "output 'nothing'", "no input, initializer or node output")
    save("missing_graph", OPSET_BYTES + vi(1, 8), "invalid_model", "no graph")
    save("unknown_op", model(graph([helper.make_node("Frobnicate", ["x"], ["y"], name="frob")],
                                   **no_init)),
         "unsupported_op", "'frob'", "Frobnicate", "ai.onnx", "opset 13")
    save("unknown_domain_op", model(graph([helper.make_node(
        "Foo", ["x"], ["y"], name="foo", domain="com.example")], **no_init),
        opsets=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.example", 1)]),
         "unsupported_op", "'foo'", "Foo", "com.example", "opset 1")
    save("domain_not_imported", model(graph([helper.make_node(
        "Relu", ["x"], ["y"], name="r", domain="com.example")], **no_init)),
         "invalid_model", "'r' (Relu)", "domain 'com.example'", "does not import")
    m = good_model()
    del m.opset_import[:]
    save("no_opset_import", m, "invalid_model", "imports no opset", "IR version 8")
    save("opset_zero", model(graph(base_nodes()), opsets=[helper.make_opsetid("", 0)]),
         "unsupported_op", "Gemm", "opset 0")


def attribute_cases():
    def gemm_with(name, attr, kind, *words):
        node = helper.make_node("Gemm", ["x", "W", "B"], ["h"], name="gemm")
        node.attribute.append(attr)
        save(name, model(graph([node, helper.make_node("Relu", ["h"], ["y"], name="relu")])),
             kind, *words)

    gemm_with("attribute_float_given_as_int", helper.make_attribute("alpha", 2), "invalid_model",
              "'gemm'", "Gemm", "attribute 'alpha'", "must be of kind float, not int")
    gemm_with("attribute_int_given_as_string", helper.make_attribute("transB", "yes"),
              "invalid_model", "'gemm'", "attribute 'transB'", "must be of kind int, not string")
    gemm_with("attribute_int_given_as_ints", helper.make_attribute("transA", [0, 1]),
              "invalid_model", "'gemm'", "attribute 'transA'", "must be of kind int, not ints")
    a = helper.make_attribute("alpha", 1.0)
    a.type = 11  # SPARSE_TENSOR, with nothing in it
    gemm_with("attribute_sparse_tensor", a, "unsupported_op", "'gemm'", "attribute 'alpha'",
              "type 11")
    a = helper.make_attribute("alpha", 1.0)
    a.type = 4  # TENSOR without the tensor
    gemm_with("attribute_tensor_missing", a, "invalid_model", "'gemm'",
              "tensor attribute 'alpha' has no tensor")
    a = helper.make_attribute("alpha", 1.0)
    a.type = 5  # GRAPH without the graph
    gemm_with("attribute_graph_missing", a, "invalid_model", "'gemm'",
              "graph attribute 'alpha' has no graph")


def subgraph_cases():
    no_init = dict(initializers=[])
    then_g = helper.make_graph([helper.make_node("Add", ["x", "ghost"], ["t"], name="inner")],
                               "then", [], [value("t", [1, 4])])
    else_g = helper.make_graph([helper.make_node("Identity", ["x"], ["e"], name="inner_e")],
                               "else", [], [value("e", [1, 4])])
    cond = helper.make_tensor("c", TensorProto.BOOL, [], [True])
    save("subgraph_captures_missing", model(graph(
        [helper.make_node("If", ["c"], ["y"], name="if", then_branch=then_g, else_branch=else_g)],
        initializers=[cond], outputs=[value("y", [1, 4])])),
         "invalid_model", "graph 'then'", "'inner' (Add)", "reads 'ghost'")
    # The branch reads 'late', which is computed from the If's own output: a cycle through a
    # captured name.
    then_g = helper.make_graph([helper.make_node("Add", ["x", "late"], ["t"], name="inner")],
                               "then", [], [value("t", [1, 4])])
    save("subgraph_captures_own_output", model(graph(
        [helper.make_node("If", ["c"], ["z"], name="if", then_branch=then_g, else_branch=else_g),
         helper.make_node("Relu", ["z"], ["late"], name="late"),
         helper.make_node("Identity", ["late"], ["y"], name="out")],
        initializers=[cond], outputs=[value("y", [1, 4])])),
         "invalid_model", "graph 'g'", "cycle")


def relu_node():
    return helper.make_node("Relu", ["a"], ["b"], name="leaf")


def function_cases():
    def fn(name, nodes, inputs=("a",), outputs=("b",)):
        return helper.make_function("local", name, list(inputs), list(outputs), nodes,
                                    [helper.make_opsetid("", OPSET)])

    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("local", 1)]
    call = lambda op, i, o, n: helper.make_node(op, [i], [o], name=n, domain="local")
    save("function_recursive", model(graph([call("F", "x", "y", "call")], initializers=[],
                                           outputs=[value("y", [1, 4])]), opsets=opsets,
                                     functions=[fn("F", [call("F", "a", "b", "again")])]),
         "invalid_model", "function 'F'", "recursive")
    save("function_mutually_recursive", model(
        graph([call("F", "x", "y", "call")], initializers=[], outputs=[value("y", [1, 4])]),
        opsets=opsets, functions=[fn("F", [call("G", "a", "b", "to_g")]),
                                  fn("G", [call("F", "a", "b", "to_f")])]),
         "invalid_model", "function 'F'", "recursive")
    # F0 calls F1 twice, F1 calls F2 twice ... : 2^29 nodes once expanded, from 60 nodes.
    funcs = []
    for k in range(30):
        inner = ([helper.make_node("Relu", ["a"], ["b"], name="leaf")] if k == 29 else
                 [call("F%d" % (k + 1), "a", "m", "c1"), call("F%d" % (k + 1), "m", "b", "c2")])
        funcs.append(fn("F%d" % k, inner))
    save("function_expansion_bomb", model(
        graph([call("F0", "x", "y", "call")], initializers=[], outputs=[value("y", [1, 4])]),
        opsets=opsets, functions=funcs),
         "invalid_model", "node 'call' calls function 'F0'", "more than 65536 nodes")
    # A chain F0 -> F1 -> ... -> F39: deeper than the 32 levels allowed.
    funcs = [fn("F%d" % k, [call("F%d" % (k + 1), "a", "b", "next")] if k < 39 else
                [helper.make_node("Relu", ["a"], ["b"], name="leaf")]) for k in range(40)]
    save("function_chain_too_deep", model(
        graph([call("F0", "x", "y", "call")], initializers=[], outputs=[value("y", [1, 4])]),
        opsets=opsets, functions=funcs),
         "invalid_model", "function 'F32'", "more than 32 function levels deep")
    save("function_defined_twice", model(
        graph([call("F", "x", "y", "call")], initializers=[], outputs=[value("y", [1, 4])]),
        opsets=opsets, functions=[fn("F", [relu_node()]), fn("F", [relu_node()])]),
         "invalid_model", "function 'F' of domain 'local'", "defined twice")


def external_cases():
    with open(os.path.join(OUT, "weights.bin"), "wb") as f:
        f.write(struct.pack("<12f", *([0.25] * 12)))
    link = os.path.join(OUT, "link_out.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink("../malformed_test.cpp", link)  # a file that exists, outside the corpus folder

    def ext(name, entries, kind, *words):
        w = weights()
        w.ClearField("float_data")
        w.data_location = TensorProto.EXTERNAL
        for k, v in entries:
            e = w.external_data.add()
            e.key, e.value = k, v
        save(name, model(graph(base_nodes(), initializers=[
            w, helper.make_tensor("B", TensorProto.FLOAT, [3], [0, 0, 0])])), kind, *words)

    ext("external_absolute_path", [("location", "/etc/passwd")], "invalid_model", "tensor 'W'",
        "'/etc/passwd'", "relative path inside the model's folder")
    ext("external_dotdot", [("location", "../malformed_test.cpp")], "invalid_model", "tensor 'W'",
        "'..' component")
    ext("external_dotdot_inner", [("location", "sub/../../malformed_test.cpp")], "invalid_model",
        "tensor 'W'", "'..' component")
    ext("external_symlink_out", [("location", "link_out.bin")], "invalid_model", "tensor 'W'",
        "'link_out.bin'", "outside the model's folder")
    ext("external_missing_file", [("location", "no_such_file.bin")], "io", "tensor 'W'",
        "no_such_file.bin")
    ext("external_no_location", [("offset", "0")], "invalid_model", "tensor 'W'",
        "without a location")
    ext("external_offset_past_end", [("location", "weights.bin"), ("offset", "8")],
        "invalid_model", "tensor 'W'", "offset 8", "runs past the end")
    ext("external_length_mismatch", [("location", "weights.bin"), ("length", "40")],
        "invalid_model", "tensor 'W'", "length 40", "need 48 bytes")
    ext("external_offset_not_a_number", [("location", "weights.bin"), ("offset", "-8")],
        "invalid_model", "tensor 'W'", "'offset'", "not a number")
    ext("external_offset_overflows", [("location", "weights.bin"),
                                      ("offset", "99999999999999999999999")],
        "invalid_model", "tensor 'W'", "does not fit 64 bits")


def quantization_cases():
    """QDQ models (as ONNX Runtime's quantizer writes them) with broken quantization parameters:
    x -> Q -> DQ -> MatMul(DQ(int8 W)) -> Q -> DQ -> y. Refused at load, naming node and tensor,
    whether or not the pattern would have fused (graph/impl/fuse_qdq.hpp leaves a broken pattern
    to the DQ/Q kernels' checks)."""
    def qdq(w_scale, w_zero=None, x_zero=("u8", 128), w_axis=1, w_data=None, y_zero=("u8", 128),
            drop_scale=False):
        elem = {"u8": TensorProto.UINT8, "i8": TensorProto.INT8, "i32": TensorProto.INT32}
        inits = [helper.make_tensor("xs", TensorProto.FLOAT, [], [0.02]),
                 helper.make_tensor("xz", elem[x_zero[0]], [], [x_zero[1]]),
                 helper.make_tensor("ys", TensorProto.FLOAT, [], [0.05]),
                 helper.make_tensor("yz", elem[y_zero[0]], [], [y_zero[1]]),
                 w_data or helper.make_tensor("W", TensorProto.INT8, [4, 3], list(range(-6, 6))),
                 helper.make_tensor("ws", TensorProto.FLOAT, [len(w_scale)] if len(w_scale) > 1
                                    else [], w_scale)]
        w_inputs = ["W", "" if drop_scale else "ws"]
        if w_zero is not None:
            inits.append(helper.make_tensor("wz", TensorProto.INT8, [len(w_zero)], w_zero))
            w_inputs.append("wz")
        nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="quantize_x"),
                 helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dequantize_x"),
                 helper.make_node("DequantizeLinear", w_inputs, ["wd"], name="dequantize_w",
                                  axis=w_axis),
                 helper.make_node("MatMul", ["xd", "wd"], ["h"], name="matmul"),
                 helper.make_node("QuantizeLinear", ["h", "ys", "yz"], ["hq"], name="quantize_h"),
                 helper.make_node("DequantizeLinear", ["hq", "ys", "yz"], ["y"],
                                  name="dequantize_h")]
        return model(graph(nodes, initializers=inits))

    save("qdq_weight_scale_zero", qdq([0.0]), "invalid_model", "dequantize_w", "x_scale",
         "finite and > 0")
    save("qdq_weight_scale_negative", qdq([0.1, -0.1, 0.1]), "invalid_model", "dequantize_w",
         "x_scale", "finite and > 0")
    save("qdq_weight_scale_nan", qdq([float("nan")]), "invalid_model", "dequantize_w", "x_scale")
    save("qdq_weight_scales_wrong_length", qdq([0.1, 0.1, 0.1, 0.1]), "shape_mismatch",
         "dequantize_w", "x_scale", "4 elements", "axis 1")
    save("qdq_weight_zero_points_wrong_length", qdq([0.1, 0.2, 0.3], w_zero=[0, 0]),
         "shape_mismatch", "dequantize_w", "x_zero_point", "same shape")
    save("qdq_weight_without_scale", qdq([0.1], drop_scale=True), "invalid_model",
         "dequantize_w", "x_scale")
    save("qdq_activation_zero_point_int32", qdq([0.1], x_zero=("i32", 0)), "unsupported_op",
         "quantize_x", "y_zero_point", "i32")
    save("qdq_output_scale_infinite", model(graph([
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="quantize_inf")],
        outputs=[value("y", [1, 4], TensorProto.UINT8)],
        initializers=[helper.make_tensor("s", TensorProto.FLOAT, [], [float("inf")]),
                      helper.make_tensor("z", TensorProto.UINT8, [], [0])])),
        "invalid_model", "quantize_inf", "y_scale", "finite and > 0")


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".onnx"):
            os.remove(os.path.join(OUT, f))
    wire_cases()
    tensor_cases()
    graph_cases()
    attribute_cases()
    subgraph_cases()
    function_cases()
    external_cases()
    quantization_cases()
    with open(os.path.join(OUT, "cases.tsv"), "w") as f:
        f.write("# file\terror kind\twords the message must contain (written by "
                "tools/make-malformed-models.py)\n")
        for name, kind, words in cases:
            f.write("\t".join([name, kind] + words) + "\n")
    print("%d malformed models in %s" % (len(cases), os.path.normpath(OUT)))


if __name__ == "__main__":
    sys.exit(main())
