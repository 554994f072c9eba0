// Tiny ONNX models written in the tests (through the test protobuf writer), for the operator and
// fusion tests: graph inputs, f32 initializers, nodes with attributes, outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "onnx/proto_writer.hpp"
#include "test_util.hpp"

namespace inlay_test {

// ONNX TensorProto.DataType values.
constexpr int onnx_float = 1, onnx_uint8 = 2, onnx_int32 = 6, onnx_int64 = 7;

inline Pb attr_int(const std::string& name, std::int64_t v) {
  return Pb().s(1, name).u(20, 2).u(3, static_cast<std::uint64_t>(v));
}
inline Pb attr_float(const std::string& name, float v) {
  return Pb().s(1, name).u(20, 1).f32(2, v);
}
inline Pb attr_string(const std::string& name, const std::string& v) {
  return Pb().s(1, name).u(20, 3).s(4, v);
}
inline Pb attr_ints(const std::string& name, const std::vector<std::int64_t>& v) {
  Pb a;
  a.s(1, name).u(20, 7);
  for (std::int64_t x : v) a.u(8, static_cast<std::uint64_t>(x));
  return a;
}
inline Pb attr_strings(const std::string& name, const std::vector<std::string>& v) {
  Pb a;
  a.s(1, name).u(20, 8);
  for (const std::string& x : v) a.s(9, x);
  return a;
}

struct TinyModel {
  std::int64_t opset = 17;
  Pb graph;

  TinyModel& input(const std::string& name, const std::vector<std::int64_t>& dims,
                   int elem_type = onnx_float) {
    Pb shape;
    for (std::int64_t d : dims) shape.m(1, Pb().u(1, static_cast<std::uint64_t>(d)));
    graph.m(11, Pb().s(1, name).m(2, Pb().m(1, Pb().u(1, elem_type).m(2, shape))));
    return *this;
  }
  TinyModel& output(const std::string& name, int elem_type = onnx_float) {
    graph.m(12, Pb().s(1, name).m(2, Pb().m(1, Pb().u(1, elem_type))));
    return *this;
  }
  TinyModel& init(const std::string& name, const std::vector<std::int64_t>& dims,
                  const std::vector<float>& values) {
    Pb t;
    for (std::int64_t d : dims) t.u(1, static_cast<std::uint64_t>(d));
    std::string raw(values.size() * 4, '\0');
    if (!values.empty()) std::memcpy(&raw[0], values.data(), raw.size());
    t.u(2, onnx_float).s(8, name).s(9, raw);
    graph.m(5, t);
    return *this;
  }
  TinyModel& init_i64(const std::string& name, const std::vector<std::int64_t>& dims,
                      const std::vector<std::int64_t>& values) {
    Pb t;
    for (std::int64_t d : dims) t.u(1, static_cast<std::uint64_t>(d));
    std::string raw(values.size() * 8, '\0');
    if (!values.empty()) std::memcpy(&raw[0], values.data(), raw.size());
    t.u(2, onnx_int64).s(8, name).s(9, raw);
    graph.m(5, t);
    return *this;
  }
  // Inputs named "" are omitted optional inputs.
  TinyModel& node(const std::string& op, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& outputs, const std::vector<Pb>& attrs = {}) {
    Pb n;
    for (const std::string& i : inputs) n.s(1, i);
    for (const std::string& o : outputs) n.s(2, o);
    n.s(3, op + "_" + std::to_string(nodes++)).s(4, op);
    for (const Pb& a : attrs) n.m(5, a);
    graph.m(1, n);
    return *this;
  }
  // The ModelProto bytes (keep them alive as long as a Model made by from_bytes).
  std::string bytes() const {
    Pb g = graph;
    g.s(2, "tiny");
    return Pb().u(1, 8).m(8, Pb().s(1, "").u(2, static_cast<std::uint64_t>(opset))).m(7, g).bytes;
  }

 private:
  int nodes = 0;
};

}  // namespace inlay_test
