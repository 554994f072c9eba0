// The fusions of the LayerNorm and GELU that exporters before opsets 17 and 20 write as chains of
// element-wise ops (graph/impl/fuse.hpp): a fused graph plans one LayerNormalization or Gelu (or a
// MatMul with the GELU in its epilogue) and gives the outputs of the graph run node by node
// (ModelOptions{optimize = false}); near misses keep every node.
#include <cmath>
#include <string>
#include <vector>

#include "graph/fuse_compare.hpp"

using namespace inlay_test;
using inlay::DType;

namespace {

using Planned = FusedAndPlain;

// Runs the model fused and unfused on `x` on every CPU target; the outputs agree within 1e-5
// (relative above 1).
Planned compare_fusion(const OpTester& m, const std::vector<std::int64_t>& x_dims,
                       std::uint32_t seed = 3) {
  const inlay::Shape shape(x_dims.data(), x_dims.size());
  std::vector<float> x = values(static_cast<std::size_t>(shape.numel()), seed, -3.0f, 3.0f);
  return run_fused_and_plain(m, {inlay::Tensor::view(x.data(), shape)}, 1e-5f, 1e-5f);
}

// What a layer-norm chain may differ in; the defaults give the PyTorch export (opset 13).
struct NormChain {
  int opset = 13;
  bool axes_as_input = false;           // opset 18's ReduceMean
  std::int64_t axis1 = -1, axis2 = -1;  // of the two ReduceMeans
  float exponent = 2.0f;
  bool eps_first = false;  // Add(eps, var)
  bool eps_input = false;  // eps a graph input, not a constant
  bool gamma = true, beta = true;
  bool gamma_first = false;  // Mul(gamma, q)
  bool mean_read_elsewhere = false;
};

// x [2, 3, 8] -> the chain -> y.
OpTester norm_chain(const NormChain& c) {
  OpTester m;
  m.opset(c.opset);
  m.input("x", DType::f32, {2, 3, 8});
  if (c.eps_input) m.input("eps", DType::f32, std::vector<std::int64_t>{});
  else m.init("eps", {}, {1e-5f});
  m.init("two", {}, {c.exponent}).init("gamma", {8}, values(8, 1, 0.5f, 1.5f));
  m.init("beta", {8}, values(8, 2));
  const auto mean = [&](const std::string& in, const std::string& out, std::int64_t axis,
                        const std::string& axes_name) {
    if (c.axes_as_input) {
      m.init(axes_name, i64s({axis})).node("ReduceMean", {in, axes_name}, {out});
    } else {
      m.node("ReduceMean", {in}, {out}, {attr_ints("axes", {axis})});
    }
  };
  mean("x", "mean", c.axis1, "axes1");
  m.node("Sub", {"x", "mean"}, {"d"}).node("Pow", {"d", "two"}, {"sq"});
  mean("sq", "var", c.axis2, "axes2");
  m.node(
      "Add",
      c.eps_first ? std::vector<std::string>{"eps", "var"} : std::vector<std::string>{"var", "eps"},
      {"ve"});
  m.node("Sqrt", {"ve"}, {"sd"}).node("Div", {"d", "sd"}, {"q"});
  std::string out = "q";
  if (c.gamma) {
    m.node("Mul",
           c.gamma_first ? std::vector<std::string>{"gamma", "q"}
                         : std::vector<std::string>{"q", "gamma"},
           {"g"});
    out = "g";
    if (c.beta) {
      m.node("Add", {"beta", "g"}, {"y"});
      out = "y";
    }
  }
  m.output(out);
  if (c.mean_read_elsewhere) m.node("Neg", {"mean"}, {"neg_mean"}).output("neg_mean");
  return m;
}

// Runs a chain with eps fed as a graph input (eps_input) or without.
Planned compare_norm(const NormChain& c) {
  if (!c.eps_input) return compare_fusion(norm_chain(c), {2, 3, 8});
  // With eps an input, both models run with x and eps as feeds.
  std::vector<float> x = values(48, 5, -3.0f, 3.0f);
  float eps = 1e-5f;
  return run_fused_and_plain(
      norm_chain(c),
      {inlay::Tensor::view(x.data(), {2, 3, 8}), inlay::Tensor::view(&eps, inlay::Shape{})}, 1e-5f,
      0.0f);
}

}  // namespace

TEST_CASE("A decomposed LayerNorm with gamma and beta becomes one LayerNormalization",
          "[graph/fuse_transformer]") {
  NormChain c;
  Planned p = compare_norm(c);
  CHECK(p.plain_nodes == 9);
  CHECK(p.fused_nodes == 1);
  CHECK(p.count("LayerNormalization") == 1);

  c.eps_first = true;  // Add(eps, var), Mul(gamma, q)
  c.gamma_first = true;
  p = compare_norm(c);
  CHECK(p.fused_nodes == 1);
  CHECK(p.count("LayerNormalization") == 1);

  c = NormChain();  // the last axis given as rank - 1
  c.axis1 = 2;
  c.axis2 = -1;
  p = compare_norm(c);
  CHECK(p.fused_nodes == 1);
}

TEST_CASE("LayerNorm fusion: opset 18 axes inputs, and chains without beta or gamma",
          "[graph/fuse_transformer]") {
  NormChain c;
  c.opset = 18;
  c.axes_as_input = true;
  Planned p = compare_norm(c);
  CHECK(p.plain_nodes == 9);
  CHECK(p.fused_nodes == 1);
  CHECK(p.count("LayerNormalization") == 1);

  c.beta = false;  // Mul(gamma) only
  p = compare_norm(c);
  CHECK(p.plain_nodes == 8);
  CHECK(p.fused_nodes == 1);

  c.gamma = false;  // ends at the Div
  p = compare_norm(c);
  CHECK(p.plain_nodes == 7);
  CHECK(p.fused_nodes == 1);
  CHECK(p.count("LayerNormalization") == 1);
}

TEST_CASE("LayerNorm near misses keep every node", "[graph/fuse_transformer]") {
  NormChain c;
  c.axis1 = c.axis2 = 1;  // not the last axis
  CHECK(compare_norm(c).fused_nodes == 9);

  c = NormChain();
  c.axis2 = 1;  // the variance over another axis than the mean
  CHECK(compare_norm(c).fused_nodes == 9);

  c = NormChain();
  c.exponent = 3.0f;
  CHECK(compare_norm(c).fused_nodes == 9);

  c = NormChain();
  c.mean_read_elsewhere = true;
  CHECK(compare_norm(c).fused_nodes == 10);

  c = NormChain();
  c.eps_input = true;
  CHECK(compare_norm(c).fused_nodes == 9);
}

TEST_CASE("LayerNorm fusion: Sub(mean, x) and a Div by something else do not fuse",
          "[graph/fuse_transformer]") {
  OpTester m;
  m.opset(13);
  m.input("x", DType::f32, {2, 8})
      .init("two", {}, {2.0f})
      .init("eps", {}, {1e-5f})
      .node("ReduceMean", {"x"}, {"mean"}, {attr_ints("axes", {-1})})
      .node("Sub", {"mean", "x"}, {"d"})  // operands swapped
      .node("Pow", {"d", "two"}, {"sq"})
      .node("ReduceMean", {"sq"}, {"var"}, {attr_ints("axes", {-1})})
      .node("Add", {"var", "eps"}, {"ve"})
      .node("Sqrt", {"ve"}, {"sd"})
      .node("Div", {"d", "sd"}, {"y"})
      .output("y");
  CHECK(compare_fusion(m, {2, 8}).fused_nodes == 7);

  OpTester k;  // keepdims 0 on the variance: the Div broadcasts differently
  k.opset(13);
  k.input("x", DType::f32, {4, 4})
      .init("two", {}, {2.0f})
      .init("eps", {}, {1e-5f})
      .node("ReduceMean", {"x"}, {"mean"}, {attr_ints("axes", {-1})})
      .node("Sub", {"x", "mean"}, {"d"})
      .node("Pow", {"d", "two"}, {"sq"})
      .node("ReduceMean", {"sq"}, {"var"}, {attr_ints("axes", {-1}), attr_int("keepdims", 0)})
      .node("Add", {"var", "eps"}, {"ve"})
      .node("Sqrt", {"ve"}, {"sd"})
      .node("Div", {"d", "sd"}, {"y"})
      .output("y");
  CHECK(compare_fusion(k, {4, 4}).fused_nodes == 7);
}

namespace {

enum class GeluForm {
  half_last,   // Mul(Mul(x, a), 0.5)
  half_first,  // Mul(Mul(0.5, x), a)
  half_of_a,   // Mul(x, Mul(a, 0.5))
};

struct GeluChain {
  GeluForm form = GeluForm::half_last;
  bool mul_inverse = false;  // Mul(x, 0.70710678) instead of Div(x, 1.4142135)
  float divisor = 1.4142135f, one = 1.0f, half = 0.5f;
  bool erf_read_elsewhere = false;
  bool matmul = false;  // x = MatMul(in, w) + b
};

OpTester gelu_chain(const GeluChain& c) {
  OpTester m;
  m.opset(13);
  std::string x = "x";
  if (c.matmul) {
    m.input("in", DType::f32, {3, 5})
        .init("w", {5, 6}, values(30, 8))
        .init("b", {6}, values(6, 9))
        .node("MatMul", {"in", "w"}, {"mm"})
        .node("Add", {"mm", "b"}, {"x"});
  } else {
    m.input("x", DType::f32, {3, 6});
  }
  m.init("one", {}, {c.one}).init("half", {}, {c.half});
  if (c.mul_inverse) {
    m.init("inv", {}, {0.70710678f}).node("Mul", {"inv", x}, {"h"});
  } else {
    m.init("sqrt2", {}, {c.divisor}).node("Div", {x, "sqrt2"}, {"h"});
  }
  m.node("Erf", {"h"}, {"e"}).node("Add", {"one", "e"}, {"a"});
  switch (c.form) {
    case GeluForm::half_last:
      m.node("Mul", {"a", x}, {"xa"}).node("Mul", {"xa", "half"}, {"y"});
      break;
    case GeluForm::half_first:
      m.node("Mul", {"half", x}, {"hx"}).node("Mul", {"hx", "a"}, {"y"});
      break;
    case GeluForm::half_of_a:
      m.node("Mul", {"a", "half"}, {"ha"}).node("Mul", {x, "ha"}, {"y"});
      break;
  }
  m.output("y");
  if (c.erf_read_elsewhere) m.node("Neg", {"e"}, {"ne"}).output("ne");
  return m;
}

Planned compare_gelu(const GeluChain& c) {
  return compare_fusion(
      gelu_chain(c), c.matmul ? std::vector<std::int64_t>{3, 5} : std::vector<std::int64_t>{3, 6});
}

}  // namespace

TEST_CASE("The erf GELU in each operand order becomes one Gelu", "[graph/fuse_transformer]") {
  for (GeluForm form : {GeluForm::half_last, GeluForm::half_first, GeluForm::half_of_a}) {
    for (bool inverse : {false, true}) {
      INFO("form " << static_cast<int>(form) << " mul_inverse " << inverse);
      GeluChain c;
      c.form = form;
      c.mul_inverse = inverse;
      const Planned p = compare_gelu(c);
      CHECK(p.plain_nodes == 5);
      CHECK(p.fused_nodes == 1);
      CHECK(p.count("Gelu") == 1);
    }
  }
}

TEST_CASE("A GELU after MatMul + bias runs in the GEMM's epilogue", "[graph/fuse_transformer]") {
  GeluChain c;
  c.matmul = true;
  Planned p = compare_gelu(c);
  CHECK(p.plain_nodes == 7);
  CHECK(p.fused_nodes == 1);
  CHECK(p.count("MatMul") == 1);
  CHECK(p.count("Gelu") == 0);

  c.form = GeluForm::half_first;  // x read by the Div and the Mul(0.5): both are the pattern's
  p = compare_gelu(c);
  CHECK(p.fused_nodes == 1);
}

TEST_CASE("GELU near misses keep every node", "[graph/fuse_transformer]") {
  GeluChain c;
  c.divisor = 2.0f;
  CHECK(compare_gelu(c).fused_nodes == 5);

  c = GeluChain();
  c.one = 2.0f;
  CHECK(compare_gelu(c).fused_nodes == 5);

  c = GeluChain();
  c.half = 0.25f;
  CHECK(compare_gelu(c).fused_nodes == 5);

  c = GeluChain();
  c.form = GeluForm::half_first;
  c.erf_read_elsewhere = true;
  CHECK(compare_gelu(c).fused_nodes == 6);
}
