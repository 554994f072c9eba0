// The neural-network operators where the official node tests do not reach: 1-D, grouped and
// depthwise convolution against a direct loop, bidirectional recurrences against their two
// one-way halves, GroupNormalization against its definition, and the errors on bad attributes,
// shapes and weights.
#include <cmath>
#include <string>
#include <vector>

#include "graph/tiny_model.hpp"
#include "onnx/onnx_test_util.hpp"

using namespace inlay_test;
using inlay::ErrorKind;

namespace {

std::vector<inlay::Tensor> run_model(const std::string& bytes,
                                     const std::vector<inlay::Tensor>& inputs) {
  inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
  inlay::Session session(model);
  return session.run(inputs);
}

inlay::Tensor f32_view(std::vector<float>& v, const std::vector<std::int64_t>& dims) {
  return inlay::Tensor::view(v.data(), inlay::Shape(dims.data(), dims.size()));
}

void check_close(const inlay::Tensor& got, const std::vector<float>& want, float tol = 1e-4f) {
  REQUIRE(got.numel() == static_cast<std::int64_t>(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(std::fabs(got.data<float>()[i] - want[i]) <= tol * (1.0f + std::fabs(want[i])));
  }
}

// Direct 2-D convolution, NCHW, for the reference.
struct ConvRef {
  std::int64_t n, c, h, w, m, kh, kw, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0,
                                      pr = 0, group = 1;
  std::int64_t oh() const { return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  std::int64_t ow() const { return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
  std::vector<float> run(const std::vector<float>& x, const std::vector<float>& wt,
                         const std::vector<float>& b) const {
    std::vector<float> y(static_cast<std::size_t>(n * m * oh() * ow()));
    const std::int64_t cg = c / group, mg = m / group;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t o = 0; o < m; ++o)
        for (std::int64_t yy = 0; yy < oh(); ++yy)
          for (std::int64_t xx = 0; xx < ow(); ++xx) {
            double s = b.empty() ? 0.0 : b[static_cast<std::size_t>(o)];
            for (std::int64_t ci = 0; ci < cg; ++ci)
              for (std::int64_t a = 0; a < kh; ++a)
                for (std::int64_t e = 0; e < kw; ++e) {
                  const std::int64_t iy = yy * sh + a * dh - pt, ix = xx * sw + e * dw - pl;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                  const std::int64_t ch = o / mg * cg + ci;
                  s += static_cast<double>(
                           x[static_cast<std::size_t>(((i * c + ch) * h + iy) * w + ix)]) *
                       wt[static_cast<std::size_t>(((o * cg + ci) * kh + a) * kw + e)];
                }
            y[static_cast<std::size_t>(((i * m + o) * oh() + yy) * ow() + xx)] =
                static_cast<float>(s);
          }
    return y;
  }
};

}  // namespace

TEST_CASE("Conv 1-D, grouped and depthwise match a direct convolution", "[nn_ops]") {
  SECTION("1-D with strides, asymmetric pads, dilations and a bias") {
    ConvRef r{2, 3, 1, 9, 4, 1, 3};
    r.sw = 2;
    r.dw = 2;
    r.pl = 1;
    r.pr = 2;
    auto x = random_floats(2 * 3 * 9, 1), w = random_floats(4 * 3 * 3, 2), b = random_floats(4, 3);
    TinyModel m;
    m.input("x", {2, 3, 9})
        .init("w", {4, 3, 3}, w)
        .init("b", {4}, b)
        .node("Conv", {"x", "w", "b"}, {"y"},
              {attr_ints("strides", {2}), attr_ints("pads", {1, 2}), attr_ints("dilations", {2})})
        .output("y");
    const auto out = run_model(m.bytes(), {f32_view(x, {2, 3, 9})});
    CHECK(out[0].shape() == inlay::Shape({2, 4, r.ow()}));
    check_close(out[0], r.run(x, w, b));
  }
  SECTION("depthwise with channel multiplier 2") {
    ConvRef r{1, 3, 6, 5, 6, 3, 3};
    r.pt = r.pl = r.pb = r.pr = 1;
    r.group = 3;
    auto x = random_floats(3 * 6 * 5, 4), w = random_floats(6 * 9, 5), b = random_floats(6, 6);
    TinyModel m;
    m.input("x", {1, 3, 6, 5})
        .init("w", {6, 1, 3, 3}, w)
        .init("b", {6}, b)
        .node("Conv", {"x", "w", "b"}, {"y"},
              {attr_int("group", 3), attr_ints("pads", {1, 1, 1, 1})})
        .output("y");
    check_close(run_model(m.bytes(), {f32_view(x, {1, 3, 6, 5})})[0], r.run(x, w, b));
  }
  SECTION("grouped, strided, SAME_LOWER padding") {
    ConvRef r{1, 4, 5, 5, 6, 2, 2};
    r.sh = r.sw = 2;
    r.group = 2;
    r.pt = r.pl = 1;  // SAME_LOWER: out 3, one row of padding, at the beginning
    auto x = random_floats(4 * 25, 7), w = random_floats(6 * 2 * 4, 8);
    TinyModel m;
    m.input("x", {1, 4, 5, 5})
        .init("w", {6, 2, 2, 2}, w)
        .node("Conv", {"x", "w"}, {"y"},
              {attr_int("group", 2), attr_ints("strides", {2, 2}),
               attr_string("auto_pad", "SAME_LOWER")})
        .output("y");
    const auto out = run_model(m.bytes(), {f32_view(x, {1, 4, 5, 5})});
    CHECK(out[0].shape() == inlay::Shape({1, 6, 3, 3}));
    check_close(out[0], r.run(x, w, {}));
  }
}

namespace {

// One recurrent layer over x [seq, batch, in] with weights of `dirs` directions.
std::vector<inlay::Tensor> run_recurrent(const std::string& op, const std::string& direction,
                                         std::int64_t dirs, std::int64_t gates, std::int64_t hidden,
                                         std::vector<float>& x, const std::vector<float>& w,
                                         const std::vector<float>& r, const std::vector<float>& b,
                                         std::vector<std::int32_t>& lens,
                                         const std::vector<Pb>& extra) {
  const std::int64_t seq = 5, batch = 2, in = 3;
  TinyModel m;
  std::vector<Pb> attrs = extra;
  attrs.push_back(attr_int("hidden_size", hidden));
  attrs.push_back(attr_string("direction", direction));
  m.input("x", {seq, batch, in})
      .input("lens", {batch}, onnx_int32)
      .init("w", {dirs, gates * hidden, in}, w)
      .init("r", {dirs, gates * hidden, hidden}, r)
      .init("b", {dirs, 2 * gates * hidden}, b)
      .node(op, {"x", "w", "r", "b", "lens"}, {"y", "y_h"}, attrs)
      .output("y")
      .output("y_h");
  return run_model(m.bytes(), {f32_view(x, {seq, batch, in}),
                               inlay::Tensor::view(lens.data(), inlay::Shape{batch})});
}

// Checks that the bidirectional layer's two halves are the forward and the reverse layer.
void check_bidirectional(const std::string& op, std::int64_t gates, const std::vector<Pb>& extra) {
  const std::int64_t hidden = 4, in = 3, seq = 5, batch = 2;
  auto x = random_floats(static_cast<std::size_t>(seq * batch * in), 61);
  const std::size_t wn = static_cast<std::size_t>(gates * hidden * in),
                    rn = static_cast<std::size_t>(gates * hidden * hidden),
                    bn = static_cast<std::size_t>(2 * gates * hidden);
  const auto w = random_floats(2 * wn, 62), r = random_floats(2 * rn, 63),
             b = random_floats(2 * bn, 64);
  std::vector<std::int32_t> lens{5, 3};
  auto half = [](const std::vector<float>& v, std::size_t n, std::size_t d) {
    return std::vector<float>(v.begin() + static_cast<std::ptrdiff_t>(d * n),
                              v.begin() + static_cast<std::ptrdiff_t>((d + 1) * n));
  };
  const auto both = run_recurrent(op, "bidirectional", 2, gates, hidden, x, w, r, b, lens, extra);
  const auto fwd = run_recurrent(op, "forward", 1, gates, hidden, x, half(w, wn, 0), half(r, rn, 0),
                                 half(b, bn, 0), lens, extra);
  const auto rev = run_recurrent(op, "reverse", 1, gates, hidden, x, half(w, wn, 1), half(r, rn, 1),
                                 half(b, bn, 1), lens, extra);
  REQUIRE(both[0].shape() == inlay::Shape({seq, 2, batch, hidden}));
  REQUIRE(both[1].shape() == inlay::Shape({2, batch, hidden}));
  for (std::int64_t d = 0; d < 2; ++d) {
    const auto& one = d == 0 ? fwd : rev;
    for (std::int64_t t = 0; t < seq; ++t) {
      for (std::int64_t i = 0; i < batch * hidden; ++i) {
        CHECK(both[0].data<float>()[(t * 2 + d) * batch * hidden + i] ==
              Approx(one[0].data<float>()[t * batch * hidden + i]).margin(1e-6));
      }
    }
    for (std::int64_t i = 0; i < batch * hidden; ++i) {
      CHECK(both[1].data<float>()[d * batch * hidden + i] ==
            Approx(one[1].data<float>()[i]).margin(1e-6));
    }
  }
  // Steps past a sequence's end are zero, and the reverse pass of batch 1 starts at its end.
  for (std::int64_t t = 3; t < seq; ++t) {
    for (std::int64_t i = 0; i < hidden; ++i) {
      CHECK(both[0].data<float>()[((t * 2 + 1) * batch + 1) * hidden + i] == 0.0f);
    }
  }
  float last = 0.0f;
  for (std::int64_t i = 0; i < hidden; ++i) {
    last += std::fabs(both[0].data<float>()[((2 * 2 + 1) * batch + 1) * hidden + i]);
  }
  CHECK(last > 0.0f);
}

}  // namespace

TEST_CASE("Bidirectional RNN, GRU and LSTM are their forward and reverse halves", "[nn_ops]") {
  SECTION("RNN, Relu") { check_bidirectional("RNN", 1, {attr_strings("activations", {"Relu"})}); }
  SECTION("GRU, linear_before_reset") {
    check_bidirectional("GRU", 3, {attr_int("linear_before_reset", 1)});
  }
  SECTION("GRU") { check_bidirectional("GRU", 3, {}); }
  SECTION("LSTM with clip") { check_bidirectional("LSTM", 4, {attr_float("clip", 0.5f)}); }
  SECTION("LSTM with input_forget") {
    check_bidirectional("LSTM", 4, {attr_int("input_forget", 1)});
  }
}

TEST_CASE("GroupNormalization normalizes each group of channels", "[nn_ops]") {
  TinyModel m;
  m.opset = 18;
  auto x = random_floats(2 * 4 * 3, 71, -3.0f, 3.0f);
  const std::vector<float> scale{1.5f, -0.5f}, bias{0.25f, 2.0f};
  m.input("x", {2, 4, 3})
      .init("scale", {2}, scale)
      .init("bias", {2}, bias)
      .node("GroupNormalization", {"x", "scale", "bias"}, {"y"},
            {attr_int("num_groups", 2), attr_float("epsilon", 1e-3f)})
      .output("y");
  std::vector<float> want(x.size());
  for (std::size_t n = 0; n < 2; ++n) {
    for (std::size_t g = 0; g < 2; ++g) {
      const std::size_t base = (n * 4 + g * 2) * 3;
      double mean = 0, var = 0;
      for (std::size_t i = 0; i < 6; ++i) mean += x[base + i] / 6.0;
      for (std::size_t i = 0; i < 6; ++i) var += (x[base + i] - mean) * (x[base + i] - mean) / 6.0;
      for (std::size_t i = 0; i < 6; ++i) {
        want[base + i] =
            static_cast<float>((x[base + i] - mean) / std::sqrt(var + 1e-3) * scale[g] + bias[g]);
      }
    }
  }
  check_close(run_model(m.bytes(), {f32_view(x, {2, 4, 3})})[0], want);
}

namespace {
std::string conv_model(const std::vector<std::int64_t>& x_dims,
                       const std::vector<std::int64_t>& w_dims, const std::vector<Pb>& attrs,
                       bool with_bias = false) {
  std::size_t wn = 1;
  for (std::int64_t d : w_dims) wn *= static_cast<std::size_t>(d);
  TinyModel m;
  m.input("x", x_dims).init("w", w_dims, std::vector<float>(wn, 0.5f));
  if (with_bias) m.init("b", {5}, std::vector<float>(5, 1.0f));
  m.node("Conv",
         with_bias ? std::vector<std::string>{"x", "w", "b"} : std::vector<std::string>{"x", "w"},
         {"y"}, attrs)
      .output("y");
  return m.bytes();
}

void run_on_zeros(const std::string& bytes, const std::vector<std::int64_t>& dims) {
  inlay::Shape s(dims.data(), dims.size());
  std::vector<float> x(static_cast<std::size_t>(s.numel()), 0.0f);
  run_model(bytes, {inlay::Tensor::view(x.data(), s)});
}

std::string load_error(const std::string& bytes, ErrorKind kind) {
  return error_of([&] { inlay::Model::from_bytes(bytes.data(), bytes.size()); }, kind);
}
std::string run_error(const std::string& bytes, const std::vector<std::int64_t>& dims,
                      ErrorKind kind) {
  return error_of([&] { run_on_zeros(bytes, dims); }, kind);
}
}  // namespace

TEST_CASE("Conv and ConvTranspose refuse bad attributes and weights", "[nn_ops]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(run_error(conv_model({1, 3, 5, 5}, {2, 2, 3, 3}, {}), {1, 3, 5, 5},
                       ErrorKind::shape_mismatch),
             Contains("W[1] * group != C") && Contains("Conv"));
  CHECK_THAT(load_error(conv_model({1, 4, 5, 5}, {3, 2, 3, 3}, {attr_int("group", 2)}),
                        ErrorKind::invalid_model),
             Contains("does not divide the output channels"));
  CHECK_THAT(load_error(conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_string("auto_pad", "SAME")}),
                        ErrorKind::invalid_model),
             Contains("auto_pad 'SAME'"));
  CHECK_THAT(load_error(conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_ints("strides", {0, 1})}),
                        ErrorKind::invalid_model),
             Contains("strides holds 0"));
  CHECK_THAT(run_error(conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_ints("strides", {1, 1, 1})}),
                       {1, 1, 5, 5}, ErrorKind::invalid_model),
             Contains("strides has 3 values"));
  CHECK_THAT(run_error(conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_ints("kernel_shape", {2, 2})}),
                       {1, 1, 5, 5}, ErrorKind::shape_mismatch),
             Contains("kernel_shape does not match"));
  CHECK_THAT(run_error(conv_model({1, 1, 3, 3, 3}, {1, 1, 2, 2, 2}, {}), {1, 1, 3, 3, 3},
                       ErrorKind::unsupported_op),
             Contains("only 1-D and 2-D"));
  CHECK_THAT(run_error(conv_model({1, 1, 5, 5}, {4, 1, 3, 3}, {}, true), {1, 1, 5, 5},
                       ErrorKind::shape_mismatch),
             Contains("B [5] must be [4]"));

  // output_shape far beyond what output_padding can reach.
  TinyModel t;
  t.input("x", {1, 1, 3, 3})
      .init("w", {1, 1, 2, 2}, std::vector<float>(4, 1.0f))
      .node("ConvTranspose", {"x", "w"}, {"y"}, {attr_ints("output_shape", {9, 9})})
      .output("y");
  CHECK_THAT(run_error(t.bytes(), {1, 1, 3, 3}, ErrorKind::unsupported_op),
             Contains("output padding"));
}

TEST_CASE("Pools and norms refuse bad attributes and parameters", "[nn_ops]") {
  using Catch::Matchers::Contains;
  TinyModel p;
  p.input("x", {1, 1, 4, 4}).node("MaxPool", {"x"}, {"y"}).output("y");
  CHECK_THAT(load_error(p.bytes(), ErrorKind::invalid_model), Contains("kernel_shape"));
  TinyModel q;
  q.input("x", {1, 1, 4, 4})
      .node("MaxPool", {"x"}, {"y"},
            {attr_ints("kernel_shape", {2, 2}), attr_int("storage_order", 2)})
      .output("y");
  CHECK_THAT(load_error(q.bytes(), ErrorKind::invalid_model), Contains("storage_order 2"));
  TinyModel k;
  k.input("x", {1, 1, 4})
      .node("AveragePool", {"x"}, {"y"}, {attr_ints("kernel_shape", {2, 2})})
      .output("y");
  CHECK_THAT(run_error(k.bytes(), {1, 1, 4}, ErrorKind::shape_mismatch), Contains("spatial"));

  auto bn = [](std::int64_t mean_len, std::int64_t training) {
    TinyModel m;
    m.opset = 15;
    m.input("x", {2, 3, 4})
        .init("s", {3}, {1, 1, 1})
        .init("b", {3}, {0, 0, 0})
        .init("mean", {mean_len}, std::vector<float>(static_cast<std::size_t>(mean_len), 0.0f))
        .init("var", {3}, {1, 1, 1})
        .node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"},
              {attr_int("training_mode", training)})
        .output("y");
    return m.bytes();
  };
  CHECK_THAT(load_error(bn(3, 1), ErrorKind::unsupported_op), Contains("training_mode"));
  CHECK_THAT(run_error(bn(2, 0), {2, 3, 4}, ErrorKind::shape_mismatch), Contains("input_mean [2]"));

  TinyModel ln;
  ln.input("x", {2, 4})
      .init("s", {3}, {1, 1, 1})
      .node("LayerNormalization", {"x", "s"}, {"y"})
      .output("y");
  CHECK_THAT(run_error(ln.bytes(), {2, 4}, ErrorKind::shape_mismatch),
             Contains("do not broadcast"));
  TinyModel le;
  le.input("x", {2, 4})
      .init("s", {4}, {1, 1, 1, 1})
      .node("LayerNormalization", {"x", "s"}, {"y"}, {attr_float("epsilon", -1.0f)})
      .output("y");
  CHECK_THAT(load_error(le.bytes(), ErrorKind::invalid_model), Contains("epsilon"));
  TinyModel gn;
  gn.opset = 18;
  gn.input("x", {1, 4, 2})
      .init("s", {3}, {1, 1, 1})
      .init("b", {3}, {0, 0, 0})
      .node("GroupNormalization", {"x", "s", "b"}, {"y"}, {attr_int("num_groups", 3)})
      .output("y");
  CHECK_THAT(run_error(gn.bytes(), {1, 4, 2}, ErrorKind::shape_mismatch),
             Contains("does not divide"));
}

TEST_CASE("Recurrent layers refuse bad attributes, weights and lengths", "[nn_ops]") {
  using Catch::Matchers::Contains;
  auto lstm = [](const std::vector<Pb>& attrs, std::int64_t r_rows) {
    TinyModel m;
    m.input("x", {2, 1, 3})
        .input("lens", {1}, onnx_int32)
        .init("w", {1, 8, 3}, std::vector<float>(24, 0.1f))
        .init("r", {1, r_rows, 2}, std::vector<float>(static_cast<std::size_t>(r_rows * 2), 0.1f))
        .node("LSTM", {"x", "w", "r", "", "lens"}, {"y"}, attrs)
        .output("y");
    return m.bytes();
  };
  CHECK_THAT(load_error(lstm({attr_string("direction", "sideways")}, 8), ErrorKind::invalid_model),
             Contains("direction 'sideways'"));
  CHECK_THAT(load_error(lstm({}, 6), ErrorKind::shape_mismatch), Contains("R [1, 6, 2]"));
  CHECK_THAT(load_error(lstm({attr_int("hidden_size", 3)}, 8), ErrorKind::shape_mismatch),
             Contains("hidden_size 3"));
  CHECK_THAT(load_error(lstm({attr_strings("activations", {"Sigmoid", "Tanh"})}, 8),
                        ErrorKind::invalid_model),
             Contains("3 are needed"));
  CHECK_THAT(load_error(lstm({attr_strings("activations", {"Sigmoid", "Tanh", "Cosh"})}, 8),
                        ErrorKind::unsupported_op),
             Contains("activation 'Cosh'"));
  CHECK_THAT(load_error(lstm({attr_float("clip", -1.0f)}, 8), ErrorKind::invalid_model),
             Contains("clip"));
  const std::string ok = lstm({}, 8);
  std::vector<float> x(6, 0.5f);
  std::vector<std::int32_t> lens{3};
  CHECK_THAT(error_of(
                 [&] {
                   run_model(ok, {f32_view(x, {2, 1, 3}),
                                  inlay::Tensor::view(lens.data(), inlay::Shape{1})});
                 },
                 ErrorKind::invalid_model),
             Contains("sequence length 3"));
}

TEST_CASE("Einsum refuses malformed equations and computes a contraction", "[nn_ops]") {
  using Catch::Matchers::Contains;
  auto einsum = [](const std::string& eq, std::size_t inputs) {
    TinyModel m;
    m.input("a", {2, 3}).input("b", {3, 4});
    std::vector<std::string> names{"a", "b"};
    names.resize(inputs);
    m.node("Einsum", names, {"y"}, {attr_string("equation", eq)}).output("y");
    return m.bytes();
  };
  CHECK_THAT(load_error(einsum("ij,jk->ik", 1), ErrorKind::invalid_model), Contains("2 operands"));
  CHECK_THAT(load_error(einsum("i$,jk", 2), ErrorKind::invalid_model), Contains("not a letter"));
  auto a = random_floats(6, 81), b = random_floats(12, 82);
  const auto y = run_model(einsum("ij,jk->ki", 2), {f32_view(a, {2, 3}), f32_view(b, {3, 4})});
  REQUIRE(y[0].shape() == inlay::Shape({4, 2}));
  std::vector<float> want(8);
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        want[static_cast<std::size_t>(k * 2 + i)] +=
            a[static_cast<std::size_t>(i * 3 + j)] * b[static_cast<std::size_t>(j * 4 + k)];
  check_close(y[0], want);
  CHECK_THAT(error_of(
                 [&] {
                   run_model(einsum("ij,ik->jk", 2), {f32_view(a, {2, 3}), f32_view(b, {3, 4})});
                 },
                 ErrorKind::shape_mismatch),
             Contains("sizes 2 and 3"));
}
