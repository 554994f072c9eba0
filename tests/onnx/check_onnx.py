#!/usr/bin/env python3
"""Checks a model written by inlay's ONNX writer with the official onnx package.

  check_onnx.py MODEL.onnx

onnx.checker.check_model with full_check (strict shape inference), then: onnx's own
serialization of the loaded model must equal the file byte for byte (inlay writes fields in
field-number order, unpacked, as protobuf does for proto2), and the inferred output shape must
be [3, N]. Exits 77 (CTest's SKIP_RETURN_CODE) when this Python has no onnx package.
"""
import sys

try:
    import onnx
    import onnx.shape_inference
except ImportError as e:
    print(f"SKIPPED: {sys.executable} cannot import onnx ({e}); install python3-onnx")
    sys.exit(77)


def main():
    path = sys.argv[1]
    data = open(path, "rb").read()
    model = onnx.load_from_string(data)
    onnx.checker.check_model(model, full_check=True)
    if model.SerializeToString() != data:
        sys.exit(f"{path}: onnx re-serializes the model to different bytes")
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    dims = [d.dim_value or d.dim_param for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    if dims != [3, "N"]:
        sys.exit(f"{path}: output shape {dims}, expected [3, 'N']")
    attrs = {a.name: a for n in model.graph.node for a in n.attribute}
    kinds = {onnx.AttributeProto.AttributeType.Name(a.type) for a in attrs.values()}
    expected = {"FLOAT", "INT", "STRING", "TENSOR", "FLOATS", "INTS", "STRINGS"}
    if not expected <= kinds:
        sys.exit(f"{path}: attribute kinds {sorted(kinds)}, expected {sorted(expected)}")
    print(f"{path}: onnx {onnx.__version__} checker passed; {len(model.graph.node)} nodes, "
          f"attribute kinds {sorted(kinds)}")


if __name__ == "__main__":
    main()
