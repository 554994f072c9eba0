// The graph door's tester (after ggml's test-backend-ops and XNNPACK's operator testers): an ONNX
// model written in the test, one node or a small graph, run once, run on every CPU target against
// a reference, or expected to fail with an error of a given kind; and the tensor helpers, the one
// output comparison and the readers of ONNX test-data folders that the graph tests share.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <inlay/inlay.hpp>

#include "onnx/proto_writer.hpp"
#include "test_util.hpp"

namespace inlay_test {

// ---- tensors ----

// TensorProto.DataType of an inlay dtype.
inline int onnx_type(inlay::DType t) { return static_cast<int>(inlay::onnx::data_type_of(t)); }

// A TensorProto holding t's elements as raw_data (strings: string_data).
inline Pb tensor_proto(const std::string& name, const inlay::Tensor& t) {
  Pb p;
  for (std::int64_t d : t.shape()) p.u(1, static_cast<std::uint64_t>(d));
  p.u(2, static_cast<std::uint64_t>(onnx_type(t.dtype())));
  p.s(8, name);
  if (t.dtype() == inlay::DType::string) {
    for (std::int64_t i = 0; i < t.numel(); ++i) p.s(6, t.data<std::string>()[i]);
  } else {
    p.s(9, std::string(static_cast<const char*>(t.raw_data()), t.nbytes()));
  }
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
template <class T>
inlay::Tensor make_tensor(const inlay::Shape& shape, const std::vector<T>& values) {
  inlay::Tensor t(inlay::dtype_of_v<T>, shape);
  REQUIRE(static_cast<std::int64_t>(values.size()) == shape.numel());
  for (std::size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
  return t;
}

// Scalars (shape []) and string tensors.
inline inlay::Tensor scalar_f32(float v) { return make_tensor<float>(inlay::Shape{}, {v}); }
inline inlay::Tensor scalar_i64(std::int64_t v) {
  return make_tensor<std::int64_t>(inlay::Shape{}, {v});
}
inline inlay::Tensor strings(const inlay::Shape& shape, const std::vector<std::string>& v) {
  return make_tensor<std::string>(shape, v);
}

// How many nodes of type op the model's plan runs (after fusion).
inline std::size_t planned(const inlay::Model& m, const std::string& op) {
  const auto& c = m.summary().planned_op_counts;
  const auto it = c.find(op);
  return it == c.end() ? 0 : it->second;
}

// 1-D tensors of the given values.
inline inlay::Tensor i64s(std::initializer_list<std::int64_t> v) {
  return make_tensor<std::int64_t>(inlay::Shape{static_cast<std::int64_t>(v.size())}, v);
}
inline inlay::Tensor f32s(std::initializer_list<float> v) {
  return make_tensor<float>(inlay::Shape{static_cast<std::int64_t>(v.size())}, v);
}

// A non-owning f32 tensor over v with the given dimensions.
inline inlay::Tensor f32_view(std::vector<float>& v, const std::vector<std::int64_t>& dims) {
  return inlay::Tensor::view(v.data(), inlay::Shape(dims.data(), dims.size()));
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

// ---- the comparison ----

// Element i of t as a double.
inline double element_as_double(const inlay::Tensor& t, std::int64_t i) {
  using inlay::DType;
  switch (t.dtype()) {
    case DType::f32: return t.data<float>()[i];
    case DType::f64: return t.data<double>()[i];
    case DType::f16: return inlay::to_float(t.data<inlay::float16>()[i]);
    case DType::bf16: return inlay::to_float(t.data<inlay::bfloat16>()[i]);
    case DType::i8: return t.data<std::int8_t>()[i];
    case DType::u8: return t.data<std::uint8_t>()[i];
    case DType::i16: return t.data<std::int16_t>()[i];
    case DType::u16: return t.data<std::uint16_t>()[i];
    case DType::i32: return t.data<std::int32_t>()[i];
    case DType::u32: return t.data<std::uint32_t>()[i];
    case DType::i64: return static_cast<double>(t.data<std::int64_t>()[i]);
    case DType::u64: return static_cast<double>(t.data<std::uint64_t>()[i]);
    case DType::boolean: return t.data<bool>()[i];
    case DType::string: break;
  }
  FAIL("unexpected dtype in a comparison");
  return 0;
}

// CHECKs got against ref: the same dtype and shape, and every element close (check_all_close:
// |got - ref| <= atol + rtol |ref|, NaN matches NaN). `what` names the output in a failure.
inline bool outputs_match(const inlay::Tensor& got, const inlay::Tensor& ref, double rtol,
                          double atol, const std::string& what = "") {
  INFO(what);
  CHECK(inlay::dtype_name(got.dtype()) == std::string(inlay::dtype_name(ref.dtype())));
  CHECK(got.shape().to_string() == ref.shape().to_string());
  if (got.dtype() != ref.dtype() || got.shape() != ref.shape()) return false;
  if (ref.dtype() == inlay::DType::string) {  // text: equal element by element
    const std::vector<std::string> g = values_of<std::string>(got), r = values_of<std::string>(ref);
    CHECK(g == r);
    return g == r;
  }
  return check_all_close(
      static_cast<std::size_t>(ref.numel()),
      [&](std::size_t i) { return element_as_double(got, static_cast<std::int64_t>(i)); },
      [&](std::size_t i) { return element_as_double(ref, static_cast<std::int64_t>(i)); }, rtol,
      atol);
}

// The f32 tensor `got` against expected values (its shape unchecked), within
// tol + tol |want|.
inline void check_close(const inlay::Tensor& got, const std::vector<float>& want,
                        float tol = 1e-4f) {
  REQUIRE(got.numel() == static_cast<std::int64_t>(want.size()));
  check_close(got.data<float>(), want.data(), want.size(), tol, tol);
}

struct Tolerance {
  double rtol = 1e-4, atol = 1e-4;
};

// ---- models ----

// A dimension of a declared shape: a number or a symbolic name ("batch").
struct Dim {
  Dim(std::int64_t v) : value(v) {}  // NOLINT: numbers and names mix in one list
  template <std::size_t N>
  Dim(const char (&p)[N]) : param(p) {}  // NOLINT (an array, so that a literal 0 is a number)
  std::int64_t value = -1;
  std::string param;
};
struct Dims {
  Dims(std::initializer_list<Dim> d) : dims(d) {}
  Dims(const std::vector<std::int64_t>& d) : dims(d.begin(), d.end()) {}  // NOLINT
  std::vector<Dim> dims;
};

// Attributes (AttributeProto) of every kind.
inline Pb attr_int(const std::string& name, std::int64_t v) {
  return Pb().s(1, name).u(20, 2).u(3, static_cast<std::uint64_t>(v));
}
inline Pb attr_float(const std::string& name, float v) {
  return Pb().s(1, name).u(20, 1).f32(2, v);
}
inline Pb attr_string(const std::string& name, const std::string& v) {
  return Pb().s(1, name).u(20, 3).s(4, v);
}
inline Pb attr_tensor(const std::string& name, const inlay::Tensor& t) {
  return Pb().s(1, name).u(20, 4).m(5, tensor_proto(name, t));
}
inline Pb attr_floats(const std::string& name, const std::vector<float>& v) {
  Pb a;
  a.s(1, name).u(20, 6);
  for (float x : v) a.f32(7, x);
  return a;
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

// An ONNX model built in the test, and what a test does with it.
//
// OpTester("Transpose") is one node of that op: in(), input(), constant(), init() and none() add
// its inputs in order, attr() its attributes, output() or outputs(n) its outputs (one unnamed
// output by default). OpTester() is a graph: input(), init(), node() and output() add to it.
// Inputs given a tensor (in()) are fed with it; inputs declared with a shape and not fed are fed
// zeros; run(feeds) feeds every input instead.
class OpTester {
 public:
  OpTester() = default;
  explicit OpTester(std::string op, int opset = 17) : op_(std::move(op)), opset_(opset) {}

  OpTester& opset(int v) {
    opset_ = v;
    return *this;
  }
  // The one node's domain ("com.microsoft"), imported at `version` beside ONNX's opset.
  OpTester& domain(const std::string& d, int version = 1) {
    domain_ = d;
    domain_version_ = version;
    return *this;
  }

  // A graph input of t's dtype (no declared shape) fed with t.
  OpTester& in(const inlay::Tensor& t) { return add_input(next_name(), t.dtype(), nullptr, &t); }
  // A graph input fed with t, declared with its dtype and shape.
  OpTester& in_shaped(const inlay::Tensor& t) {
    const Dims dims(std::vector<std::int64_t>(t.shape().begin(), t.shape().end()));
    return add_input(next_name(), t.dtype(), &dims, &t);
  }
  // A graph input of this dtype, any shape, fed by run(feeds).
  OpTester& in(inlay::DType dtype) { return add_input(next_name(), dtype, nullptr, nullptr); }
  OpTester& input(const std::string& name, inlay::DType dtype) {
    return add_input(name, dtype, nullptr, nullptr);
  }
  OpTester& input(const std::string& name, inlay::DType dtype, const Dims& dims) {
    return add_input(name, dtype, &dims, nullptr);
  }
  // An input declared without a type: legal for a subgraph (a Loop body's inputs are typed by
  // what the node passes), refused for a model's own input.
  OpTester& untyped_input(const std::string& name) {
    graph_.m(11, Pb().s(1, name));
    inputs_.push_back(Input{name, inlay::DType::f32, false, false, {}, inlay::Tensor()});
    return node_input(name);
  }
  // An initializer: a node may fold at load.
  OpTester& constant(const inlay::Tensor& t) { return init(next_name(), t); }
  OpTester& init(const std::string& name, const inlay::Tensor& t) {
    graph_.m(5, tensor_proto(name, t));
    return node_input(name);
  }
  OpTester& init(const std::string& name, const std::vector<std::int64_t>& dims,
                 const std::vector<float>& values) {
    return init(name, make_tensor<float>(inlay::Shape(dims.data(), dims.size()), values));
  }
  // An initializer written as a TensorProto by the test (for element types inlay has no dtype
  // for), named `name`.
  OpTester& init_proto(const std::string& name, const Pb& tensor) {
    graph_.m(5, tensor);
    return node_input(name);
  }
  // An omitted optional input.
  OpTester& none() { return node_input(""); }

  OpTester& attr(const Pb& a) {
    attrs_.push_back(a);
    return *this;
  }
  OpTester& attr(const std::string& name, std::int64_t v) { return attr(attr_int(name, v)); }
  OpTester& attr(const std::string& name, float v) { return attr(attr_float(name, v)); }
  OpTester& attr(const std::string& name, const std::string& v) {
    return attr(attr_string(name, v));
  }
  OpTester& attr(const std::string& name, std::initializer_list<std::int64_t> v) {
    return attr(attr_ints(name, v));
  }
  OpTester& attr(const std::string& name, const std::vector<std::int64_t>& v) {
    return attr(attr_ints(name, v));
  }
  OpTester& attr(const std::string& name, const inlay::Tensor& t) {
    return attr(attr_tensor(name, t));
  }

  // A node of the graph; inputs named "" are omitted optional inputs.
  OpTester& node(const std::string& op, const std::vector<std::string>& inputs,
                 const std::vector<std::string>& outputs, const std::vector<Pb>& attrs = {}) {
    REQUIRE(op_.empty());  // a one-node tester has its node
    Pb n;
    for (const std::string& i : inputs) n.s(1, i);
    for (const std::string& o : outputs) n.s(2, o);
    n.s(3, op + "_" + std::to_string(nodes_++)).s(4, op);
    for (const Pb& a : attrs) n.m(5, a);
    graph_.m(1, n);
    return *this;
  }

  // A graph output (the node's next output), of any dtype, or declared with a dtype and a shape.
  OpTester& output(const std::string& name) { return add_output(name, Pb()); }
  OpTester& output(const std::string& name, inlay::DType dtype) {
    return add_output(name, Pb().u(1, static_cast<std::uint64_t>(onnx_type(dtype))));
  }
  OpTester& output(const std::string& name, inlay::DType dtype, const Dims& dims) {
    return add_output(
        name, Pb().u(1, static_cast<std::uint64_t>(onnx_type(dtype))).m(2, shape_proto(dims)));
  }
  // n unnamed outputs of the node.
  OpTester& outputs(int n) {
    unnamed_outputs_ = n;
    return *this;
  }

  // The GraphProto, named `name` (a body for attr_graph).
  Pb graph(const std::string& name = "g") const {
    Pb g = graph_;
    if (!op_.empty()) {
      Pb n;
      for (const std::string& i : node_inputs_) n.s(1, i);
      for (const std::string& o : node_outputs_) n.s(2, o);
      if (node_outputs_.empty()) {
        for (int i = 0; i < unnamed_outputs_; ++i) {
          const std::string o = "y" + std::to_string(i);
          n.s(2, o);
          g.m(12, Pb().s(1, o).m(2, Pb().m(1, Pb())));
        }
      }
      n.s(3, "n").s(4, op_);
      for (const Pb& a : attrs_) n.m(5, a);
      if (!domain_.empty()) n.s(7, domain_);
      g.m(1, n);
    }
    return g.s(2, name);
  }
  // The ModelProto bytes.
  std::string bytes() const {
    Pb model = Pb().u(1, 8).m(8, Pb().s(1, "").u(2, static_cast<std::uint64_t>(opset_)));
    if (!domain_.empty()) {
      model.m(8, Pb().s(1, domain_).u(2, static_cast<std::uint64_t>(domain_version_)));
    }
    return model.m(7, graph()).bytes;
  }
  inlay::Model load(const inlay::ModelOptions& options = {}) const {
    const std::string b = bytes();
    return inlay::Model::copy_from_bytes(b.data(), b.size(), options);
  }

  // The inputs run() feeds: the tensors given to in(), zeros for inputs declared with a shape.
  std::vector<inlay::Tensor> feeds() const {
    std::vector<inlay::Tensor> out;
    for (const Input& i : inputs_) {
      if (i.fed) {
        out.push_back(i.feed);
      } else {
        INFO("input '" << i.name << "' has neither a tensor nor a shape: run(feeds) feeds it");
        REQUIRE(i.has_shape);
        out.emplace_back(i.dtype, inlay::Shape(i.dims.data(), i.dims.size()));
      }
    }
    return out;
  }

  // Loads the model and runs it once.
  std::vector<inlay::Tensor> run() const { return run(feeds()); }
  std::vector<inlay::Tensor> run(const std::vector<inlay::Tensor>& feeds) const {
    const inlay::Model model = load();
    inlay::Session session(model);
    return session.run(feeds);
  }
  inlay::Tensor run1() const { return run1(feeds()); }
  inlay::Tensor run1(const std::vector<inlay::Tensor>& feeds) const {
    const auto out = run(feeds);
    REQUIRE(out.size() == 1);
    return out[0];
  }

  // On every CPU target: loads and runs the model, and CHECKs each output against `expected`
  // (outputs_match), or against what reference(feeds) returns.
  void check(const std::vector<inlay::Tensor>& expected, Tolerance tol = {}) const {
    check(feeds(), expected, tol);
  }
  void check(const std::vector<inlay::Tensor>& feeds, const std::vector<inlay::Tensor>& expected,
             Tolerance tol) const {
    for_each_cpu_target([&] {
      const std::vector<inlay::Tensor> got = run(feeds);
      REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        outputs_match(got[i], expected[i], tol.rtol, tol.atol, "output " + std::to_string(i));
      }
    });
  }
  template <class Reference>
  void check_with(Reference reference, Tolerance tol = {}) const {
    const std::vector<inlay::Tensor> f = feeds();
    check(f, reference(f), tol);
  }

  // Loading (load_error), or loading and running (run_error), fails with an error of `kind`;
  // returns its message. expect_*_error also CHECK that the message holds `phrase`.
  std::string load_error(inlay::ErrorKind kind) const {
    return error_of([&] { load(); }, kind);
  }
  std::string run_error(inlay::ErrorKind kind) const { return run_error(feeds(), kind); }
  std::string run_error(const std::vector<inlay::Tensor>& feeds, inlay::ErrorKind kind) const {
    return error_of([&] { run(feeds); }, kind);
  }
  void expect_load_error(inlay::ErrorKind kind, const std::string& phrase) const {
    CHECK_THAT(load_error(kind), Catch::Matchers::Contains(phrase));
  }
  void expect_run_error(inlay::ErrorKind kind, const std::string& phrase) const {
    CHECK_THAT(run_error(kind), Catch::Matchers::Contains(phrase));
  }
  void expect_run_error(const std::vector<inlay::Tensor>& feeds, inlay::ErrorKind kind,
                        const std::string& phrase) const {
    CHECK_THAT(run_error(feeds, kind), Catch::Matchers::Contains(phrase));
  }

 private:
  struct Input {
    std::string name;
    inlay::DType dtype;
    bool has_shape = false, fed = false;  // has_shape: all dimensions numbers
    std::vector<std::int64_t> dims;
    inlay::Tensor feed;
  };

  OpTester& add_input(const std::string& name, inlay::DType dtype, const Dims* dims,
                      const inlay::Tensor* feed) {
    Pb type = Pb().u(1, static_cast<std::uint64_t>(onnx_type(dtype)));
    Input in{name, dtype, dims != nullptr, feed != nullptr, {}, feed ? *feed : inlay::Tensor()};
    if (dims) {
      for (const Dim& d : dims->dims) {
        if (!d.param.empty()) in.has_shape = false;  // a symbolic shape: no zeros to feed
        in.dims.push_back(d.value);
      }
      type.m(2, shape_proto(*dims));
    }
    graph_.m(11, Pb().s(1, name).m(2, Pb().m(1, type)));
    inputs_.push_back(std::move(in));
    return node_input(name);
  }
  static Pb shape_proto(const Dims& dims) {
    Pb shape;
    for (const Dim& d : dims.dims) {
      shape.m(
          1, d.param.empty() ? Pb().u(1, static_cast<std::uint64_t>(d.value)) : Pb().s(2, d.param));
    }
    return shape;
  }
  OpTester& node_input(const std::string& name) {
    if (!op_.empty()) node_inputs_.push_back(name);
    return *this;
  }
  OpTester& add_output(const std::string& name, const Pb& tensor_type) {
    graph_.m(12, Pb().s(1, name).m(2, Pb().m(1, tensor_type)));
    if (!op_.empty()) node_outputs_.push_back(name);
    return *this;
  }
  std::string next_name() { return "x" + std::to_string(count_++); }

  std::string op_;
  int opset_ = 17;
  std::string domain_;
  int domain_version_ = 1;
  int count_ = 0, nodes_ = 0, unnamed_outputs_ = 1;
  Pb graph_;
  std::vector<Input> inputs_;
  std::vector<std::string> node_inputs_, node_outputs_;
  std::vector<Pb> attrs_;
};

// A graph attribute holding body's graph, named graph_name. Names the body reads but does not
// define are captured from the enclosing graph.
inline Pb attr_graph(const std::string& name, const OpTester& body, const std::string& graph_name) {
  return Pb().s(1, name).u(20, 5).m(6, body.graph(graph_name));
}

// ---- ONNX test-data folders (the bench models, the backend tests) ----

namespace fs = std::filesystem;

inline std::string shared_dir() { return INLAY_SHARED_DIR; }

inline inlay::Tensor read_pb(const fs::path& path) {
  const inlay::onnx::TensorFile f = inlay::onnx::read_tensor_file(path.string());
  return inlay::onnx::to_tensor(f.tensor, f.directory);
}

// input_*.pb / output_*.pb of one test_data_set folder, in index order.
inline std::vector<inlay::Tensor> read_set(const fs::path& dir, const std::string& prefix) {
  std::vector<inlay::Tensor> out;
  for (std::size_t i = 0;; ++i) {
    const fs::path p = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    out.push_back(read_pb(p));
  }
  return out;
}

// The "atol" of a model folder's meta.json (suggested_tolerance), or `fallback`.
inline double meta_atol(const fs::path& model_dir, double fallback) {
  std::ifstream in(model_dir / "meta.json");
  if (!in) return fallback;
  std::stringstream ss;
  ss << in.rdbuf();
  std::smatch m;
  const std::string text = ss.str();
  if (std::regex_search(text, m, std::regex("\"atol\"\\s*:\\s*([0-9.eE+-]+)"))) {
    return std::stod(m[1].str());
  }
  return fallback;
}

}  // namespace inlay_test
