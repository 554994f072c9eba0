// One-node ONNX models for the operator tests: the node's inputs are graph inputs (so nothing
// is folded at load and the kernel runs in Session::run) or initializers; attributes of every
// kind the operators read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "catch.hpp"
#include "test_util.hpp"

#include "../onnx/proto_writer.hpp"

namespace inlay_test {
// Its own (inline) namespace: another test header defines a different OpModel, and two classes
// of one name in one program would break the one-definition rule.
inline namespace elementwise_models {

inline int onnx_type_of(inlay::DType t) { return static_cast<int>(inlay::onnx::data_type_of(t)); }

class OpModel {
 public:
  explicit OpModel(std::string op_type, std::int64_t opset = 17)
      : op_type_(std::move(op_type)), opset_(opset) {}

  // A graph input of this dtype (any shape) feeding the node's next input.
  OpModel& input(const std::string& name, inlay::DType dtype) {
    node_inputs_.push_back(name);
    graph_.m(11, value_info(name, onnx_type_of(dtype)));
    return *this;
  }
  // An initializer feeding the node's next input.
  OpModel& constant(const std::string& name, const inlay::Tensor& t) {
    node_inputs_.push_back(name);
    Pb tensor;
    for (std::int64_t d : t.shape()) tensor.u(1, static_cast<std::uint64_t>(d));
    tensor.u(2, static_cast<std::uint64_t>(onnx_type_of(t.dtype()))).s(8, name);
    tensor.s(9, std::string(static_cast<const char*>(t.raw_data()), t.nbytes()));
    graph_.m(5, tensor);
    return *this;
  }
  // An omitted optional input (an empty name).
  OpModel& omitted() {
    node_inputs_.emplace_back();
    return *this;
  }
  OpModel& output(const std::string& name) {
    node_outputs_.push_back(name);
    graph_.m(12, value_info(name, 0));
    return *this;
  }
  OpModel& attr(const std::string& name, std::int64_t v) {
    node_.m(5, Pb().s(1, name).u(3, static_cast<std::uint64_t>(v)).u(20, 2));
    return *this;
  }
  OpModel& attr(const std::string& name, float v) {
    node_.m(5, Pb().s(1, name).f32(2, v).u(20, 1));
    return *this;
  }
  OpModel& attr(const std::string& name, const std::string& v) {
    node_.m(5, Pb().s(1, name).s(4, v).u(20, 3));
    return *this;
  }
  OpModel& attr(const std::string& name, const std::vector<std::int64_t>& v) {
    Pb a = Pb().s(1, name);
    for (std::int64_t x : v) a.u(8, static_cast<std::uint64_t>(x));
    node_.m(5, a.u(20, 7));
    return *this;
  }

  std::string bytes() const {
    Pb node = node_;
    for (const auto& s : node_inputs_) node.s(1, s);
    for (const auto& s : node_outputs_) node.s(2, s);
    node.s(4, op_type_);
    Pb graph = Pb().m(1, node).s(2, "g").raw(graph_.bytes);
    return Pb()
        .u(1, 8)
        .m(8, Pb().s(1, "").u(2, static_cast<std::uint64_t>(opset_)))
        .m(7, graph)
        .bytes;
  }
  inlay::Model load() const {
    const std::string b = bytes();
    return inlay::Model::copy_from_bytes(b.data(), b.size());
  }
  // Loads the model and runs it once on `inputs`.
  std::vector<inlay::Tensor> run(const std::vector<inlay::Tensor>& inputs) const {
    const inlay::Model model = load();
    inlay::Session session(model);
    return session.run(inputs);
  }

 private:
  static Pb value_info(const std::string& name, int elem_type) {
    Pb tensor_type;
    if (elem_type) tensor_type.u(1, static_cast<std::uint64_t>(elem_type));
    return Pb().s(1, name).m(2, Pb().m(1, tensor_type));
  }
  std::string op_type_;
  std::int64_t opset_;
  std::vector<std::string> node_inputs_, node_outputs_;
  Pb node_, graph_;
};

// A tensor of dtype T with the given shape and values.
template <class T>
inlay::Tensor make_tensor(const inlay::Shape& shape, const std::vector<T>& values) {
  inlay::Tensor t(inlay::dtype_of_v<T>, shape);
  REQUIRE(static_cast<std::int64_t>(values.size()) == shape.numel());
  for (std::size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
  return t;
}

template <class T>
std::vector<T> values_of(const inlay::Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}

}  // namespace elementwise_models
}  // namespace inlay_test
