// One-node ONNX models for the operator tests: inputs fed at run time or stored as
// initializers, attributes of every kind, built with the test-only protobuf writer and run
// through Model::from_bytes and Session.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "onnx/onnx_test_util.hpp"

namespace inlay_test {
// Its own (inline) namespace: another test header defines a different OpModel, and two classes
// of one name in one program would break the one-definition rule.
inline namespace movement_models {

// TensorProto.DataType of an inlay dtype.
inline int onnx_data_type(inlay::DType t) { return static_cast<int>(inlay::onnx::data_type_of(t)); }

inline Pb tensor_proto(const std::string& name, const inlay::Tensor& t) {
  Pb p;
  for (std::int64_t d : t.shape()) p.u(1, static_cast<std::uint64_t>(d));
  p.u(2, static_cast<std::uint64_t>(onnx_data_type(t.dtype())));
  p.s(8, name);
  p.s(9, std::string(static_cast<const char*>(t.raw_data()), t.nbytes()));
  return p;
}

// A tensor of dtype T and the given shape holding `values` (converted).
template <class T, class V = T>
inlay::Tensor make_tensor(const inlay::Shape& shape, std::initializer_list<V> values) {
  inlay::Tensor t(inlay::dtype_of_v<T>, shape);
  REQUIRE(static_cast<std::int64_t>(values.size()) == shape.numel());
  T* p = t.data<T>();
  for (V v : values) *p++ = static_cast<T>(v);
  return t;
}

class OpModel {
 public:
  explicit OpModel(std::string op_type, int opset = 17) : op_(std::move(op_type)), opset_(opset) {}

  // An input fed when the model runs.
  OpModel& in(const inlay::Tensor& t) {
    const std::string name = next_name();
    node_.s(1, name);
    Pb type;
    type.m(1, Pb().u(1, static_cast<std::uint64_t>(onnx_data_type(t.dtype()))));
    graph_.m(11, Pb().s(1, name).m(2, type));
    feeds_.push_back(t);
    return *this;
  }
  // An input stored in the model (an initializer): the node may fold at load.
  OpModel& constant(const inlay::Tensor& t) {
    const std::string name = next_name();
    node_.s(1, name);
    graph_.m(5, tensor_proto(name, t));
    return *this;
  }
  // An omitted optional input.
  OpModel& none() {
    node_.s(1, "");
    return *this;
  }
  OpModel& attr(const std::string& name, std::int64_t v) {
    return attribute(Pb().s(1, name).u(3, static_cast<std::uint64_t>(v)).u(20, 2));
  }
  OpModel& attr(const std::string& name, float v) {
    return attribute(Pb().s(1, name).f32(2, v).u(20, 1));
  }
  OpModel& attr(const std::string& name, const std::string& v) {
    return attribute(Pb().s(1, name).s(4, v).u(20, 3));
  }
  OpModel& attr(const std::string& name, std::initializer_list<std::int64_t> v) {
    Pb a;
    a.s(1, name);
    for (std::int64_t x : v) a.u(8, static_cast<std::uint64_t>(x));
    return attribute(a.u(20, 7));
  }
  OpModel& attr_floats(const std::string& name, std::initializer_list<float> v) {
    Pb a;
    a.s(1, name);
    for (float x : v) a.f32(7, x);
    return attribute(a.u(20, 6));
  }
  OpModel& attr(const std::string& name, const inlay::Tensor& t) {
    return attribute(Pb().s(1, name).m(5, tensor_proto(name, t)).u(20, 4));
  }
  OpModel& outputs(int n) {
    outputs_ = n;
    return *this;
  }

  std::string bytes() const {
    Pb node = node_;
    Pb graph = graph_;
    for (int i = 0; i < outputs_; ++i) {
      node.s(2, "y" + std::to_string(i));
      graph.m(12,
              Pb().s(1, "y" + std::to_string(i)).m(2, Pb().m(1, Pb())));  // a tensor, dtype unknown
    }
    node.s(3, "n").s(4, op_);
    graph.m(1, node).s(2, "g");
    return Pb()
        .u(1, 8)
        .m(8, Pb().s(1, "").u(2, static_cast<std::uint64_t>(opset_)))
        .m(7, graph)
        .bytes;
  }

  // Loads the model and runs it once with the fed inputs.
  std::vector<inlay::Tensor> run() const {
    const std::string b = bytes();
    inlay::Model model = inlay::Model::copy_from_bytes(b.data(), b.size());
    inlay::Session session(model);
    return session.run(feeds_);
  }
  inlay::Tensor run1() const {
    const auto out = run();
    REQUIRE(out.size() == 1);
    return out[0];
  }

 private:
  OpModel& attribute(const Pb& a) {
    node_.m(5, a);
    return *this;
  }
  std::string next_name() { return "x" + std::to_string(count_++); }

  std::string op_;
  int opset_;
  int outputs_ = 1;
  int count_ = 0;
  Pb node_, graph_;
  std::vector<inlay::Tensor> feeds_;
};

// 1-D tensors of the given values.
inline inlay::Tensor i64s(std::initializer_list<std::int64_t> v) {
  return make_tensor<std::int64_t>(inlay::Shape{static_cast<std::int64_t>(v.size())}, v);
}
inline inlay::Tensor f32s(std::initializer_list<float> v) {
  return make_tensor<float>(inlay::Shape{static_cast<std::int64_t>(v.size())}, v);
}

// The elements of t as a vector of T (for comparisons).
template <class T>
std::vector<T> values_of(const inlay::Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}

inline std::vector<inlay::DType> all_dtypes() {
  using inlay::DType;
  return {DType::f32,     DType::f16, DType::i8,  DType::u8,  DType::i32, DType::i64,
          DType::boolean, DType::f64, DType::i16, DType::u16, DType::u32, DType::u64};
}

// A tensor whose elements are distinct valid values of the dtype where the dtype allows it
// (bool alternates), for checking ops that only move elements.
inline inlay::Tensor pattern_tensor(inlay::DType dtype, const inlay::Shape& shape) {
  inlay::Tensor t(dtype, shape);
  auto* p = static_cast<unsigned char*>(const_cast<void*>(t.raw_data()));
  const std::size_t size = inlay::dtype_size(dtype);
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    unsigned char* e = p + static_cast<std::size_t>(i) * size;
    if (dtype == inlay::DType::boolean) {
      *e = static_cast<unsigned char>(i % 2);
    } else if (dtype == inlay::DType::f32) {
      const float v = static_cast<float>(i) + 0.5f;
      std::memcpy(e, &v, 4);
    } else if (dtype == inlay::DType::f64) {
      const double v = static_cast<double>(i) + 0.25;
      std::memcpy(e, &v, 8);
    } else if (dtype == inlay::DType::f16) {
      const inlay::float16 v = inlay::to_float16(static_cast<float>(i) + 0.5f);
      std::memcpy(e, &v, 2);
    } else {  // integers: i + 1, little-endian, in `size` bytes
      const std::uint64_t v = static_cast<std::uint64_t>(i + 1);
      std::memcpy(e, &v, size);
    }
  }
  return t;
}

// CHECKs y[j] == x[source(j)] bytewise for every element j of y.
template <class Source>
void check_moved(const inlay::Tensor& x, const inlay::Tensor& y, Source source) {
  REQUIRE(x.dtype() == y.dtype());
  const std::size_t size = inlay::dtype_size(x.dtype());
  const auto* px = static_cast<const unsigned char*>(x.raw_data());
  const auto* py = static_cast<const unsigned char*>(y.raw_data());
  std::int64_t bad = 0;
  for (std::int64_t j = 0; j < y.numel(); ++j) {
    const std::int64_t i = source(j);
    if (i < 0 || i >= x.numel() ||
        std::memcmp(py + static_cast<std::size_t>(j) * size,
                    px + static_cast<std::size_t>(i) * size, size) != 0) {
      ++bad;
    }
  }
  INFO("dtype " << inlay::dtype_name(x.dtype()) << ", output shape " << y.shape().to_string());
  CHECK(bad == 0);
}

}  // namespace movement_models
}  // namespace inlay_test
