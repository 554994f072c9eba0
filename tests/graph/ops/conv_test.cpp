// Graph-door tests of the convolution operators (include/inlay/graph/ops/conv.hpp): 1-D, grouped
// and depthwise Conv against a direct loop, the errors on bad attributes, shapes and weights, and
// Conv's constant weights prepared on demand: Winograd's U only when an input takes the Winograd
// path, W^T packed only when one takes the small-plane path, each once, also when two sessions on
// two threads run the model for the first time together; the results match a direct convolution.
// ConvInteger and QLinearConv (per-channel weights, groups, strides, pads, dilations, 1x1)
// against the reference integer convolution (reference/qgemm.hpp).
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <inlay/inlay.hpp>
// Internal (not in the umbrella header): the counts of prepared forms.
#include <inlay/kernels/impl/paths.hpp>

#include "alloc_counter.hpp"
#include "graph/op_tester.hpp"
#include "reference/qgemm.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;

namespace {

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

OpTester conv_model(const std::vector<std::int64_t>& x_dims,
                    const std::vector<std::int64_t>& w_dims, const std::vector<Pb>& attrs,
                    bool with_bias = false) {
  std::size_t wn = 1;
  for (std::int64_t d : w_dims) wn *= static_cast<std::size_t>(d);
  OpTester m;
  m.input("x", DType::f32, x_dims).init("w", w_dims, std::vector<float>(wn, 0.5f));
  if (with_bias) m.init("b", {5}, std::vector<float>(5, 1.0f));
  m.node("Conv",
         with_bias ? std::vector<std::string>{"x", "w", "b"} : std::vector<std::string>{"x", "w"},
         {"y"}, attrs)
      .output("y");
  return m;
}

// A Conv of `c` -> `m` channels, k x k kernel with padding k / 2, stride 1, on a [1, c, h, h]
// input; constant weights and bias.
struct ConvCase {
  std::int64_t c, m, k, h;
  std::vector<float> w, b;

  ConvCase(std::int64_t c_, std::int64_t m_, std::int64_t k_, std::int64_t h_)
      : c(c_),
        m(m_),
        k(k_),
        h(h_),
        w(random_floats(static_cast<std::size_t>(m * c * k * k), 11)),
        b(random_floats(static_cast<std::size_t>(m), 12)) {}

  OpTester model() const {
    const std::int64_t pad = k / 2;
    OpTester t;
    t.input("x", DType::f32, {1, c, h, h}).init("w", {m, c, k, k}, w).init("b", {m}, b);
    t.node("Conv", {"x", "w", "b"}, {"y"},
           {attr_ints("kernel_shape", {k, k}), attr_ints("pads", {pad, pad, pad, pad})})
        .output("y");
    return t;
  }
  std::vector<float> input(std::uint32_t seed) const {
    return random_floats(static_cast<std::size_t>(c * h * h), seed);
  }
  std::vector<float> run(const inlay::Model& model, std::vector<float>& x) const {
    const std::vector<std::int64_t> dims{1, c, h, h};
    inlay::Session session(model);
    const auto y = session.run({inlay::Tensor::view(x.data(), inlay::Shape(dims.data(), 4))});
    return std::vector<float>(y[0].data<float>(), y[0].data<float>() + y[0].numel());
  }
  // The direct sum in double, same padding (the output has the input's size).
  std::vector<float> reference(const std::vector<float>& x) const {
    const std::int64_t pad = k / 2;
    std::vector<float> y(static_cast<std::size_t>(m * h * h));
    for (std::int64_t o = 0; o < m; ++o)
      for (std::int64_t r = 0; r < h; ++r)
        for (std::int64_t q = 0; q < h; ++q) {
          double s = b[static_cast<std::size_t>(o)];
          for (std::int64_t i = 0; i < c; ++i)
            for (std::int64_t a = 0; a < k; ++a)
              for (std::int64_t e = 0; e < k; ++e) {
                const std::int64_t iy = r + a - pad, ix = q + e - pad;
                if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                s += double(x[static_cast<std::size_t>((i * h + iy) * h + ix)]) *
                     w[static_cast<std::size_t>(((o * c + i) * k + a) * k + e)];
              }
          y[static_cast<std::size_t>((o * h + r) * h + q)] = static_cast<float>(s);
        }
    return y;
  }
};

struct Counts {
  std::size_t winograd, packed;
};
Counts counts_now() {
  auto& c = inlay::kernels::detail::conv_form_counts();
  return {c.winograd.load(), c.packed.load()};
}

// Loads the case's model, runs it `runs` times on one session each, and returns how many forms
// were built at load and over the runs.
struct Prepared {
  Counts at_load, after_runs;
};
Prepared load_and_run(const ConvCase& cc, int runs) {
  const std::string bytes = cc.model().bytes();
  const Counts before = counts_now();
  inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
  const Counts loaded = counts_now();
  for (int i = 0; i < runs; ++i) {
    std::vector<float> x = cc.input(static_cast<std::uint32_t>(20 + i));
    inlay_test::check_close(cc.run(model, x), cc.reference(x), 1e-4f, 1e-4f);
  }
  const Counts after = counts_now();
  return {{loaded.winograd - before.winograd, loaded.packed - before.packed},
          {after.winograd - loaded.winograd, after.packed - loaded.packed}};
}

}  // namespace

TEST_CASE("Conv 1-D, grouped and depthwise match a direct convolution", "[graph/ops/conv]") {
  SECTION("1-D with strides, asymmetric pads, dilations and a bias") {
    ConvRef r{2, 3, 1, 9, 4, 1, 3};
    r.sw = 2;
    r.dw = 2;
    r.pl = 1;
    r.pr = 2;
    auto x = random_floats(2 * 3 * 9, 1), w = random_floats(4 * 3 * 3, 2), b = random_floats(4, 3);
    OpTester m;
    m.input("x", DType::f32, {2, 3, 9})
        .init("w", {4, 3, 3}, w)
        .init("b", {4}, b)
        .node("Conv", {"x", "w", "b"}, {"y"},
              {attr_ints("strides", {2}), attr_ints("pads", {1, 2}), attr_ints("dilations", {2})})
        .output("y");
    m.check({f32_view(x, {2, 3, 9})}, {make_tensor<float>({2, 4, r.ow()}, r.run(x, w, b))}, {});
  }
  SECTION("depthwise with channel multiplier 2") {
    ConvRef r{1, 3, 6, 5, 6, 3, 3};
    r.pt = r.pl = r.pb = r.pr = 1;
    r.group = 3;
    auto x = random_floats(3 * 6 * 5, 4), w = random_floats(6 * 9, 5), b = random_floats(6, 6);
    OpTester m;
    m.input("x", DType::f32, {1, 3, 6, 5})
        .init("w", {6, 1, 3, 3}, w)
        .init("b", {6}, b)
        .node("Conv", {"x", "w", "b"}, {"y"},
              {attr_int("group", 3), attr_ints("pads", {1, 1, 1, 1})})
        .output("y");
    m.check({f32_view(x, {1, 3, 6, 5})}, {make_tensor<float>({1, 6, 6, 5}, r.run(x, w, b))}, {});
  }
  SECTION("grouped, strided, SAME_LOWER padding") {
    ConvRef r{1, 4, 5, 5, 6, 2, 2};
    r.sh = r.sw = 2;
    r.group = 2;
    r.pt = r.pl = 1;  // SAME_LOWER: out 3, one row of padding, at the beginning
    auto x = random_floats(4 * 25, 7), w = random_floats(6 * 2 * 4, 8);
    OpTester m;
    m.input("x", DType::f32, {1, 4, 5, 5})
        .init("w", {6, 2, 2, 2}, w)
        .node("Conv", {"x", "w"}, {"y"},
              {attr_int("group", 2), attr_ints("strides", {2, 2}),
               attr_string("auto_pad", "SAME_LOWER")})
        .output("y");
    m.check({f32_view(x, {1, 4, 5, 5})}, {make_tensor<float>({1, 6, 3, 3}, r.run(x, w, {}))}, {});
  }
}

TEST_CASE("Conv and ConvTranspose refuse bad attributes and weights", "[graph/ops/conv]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(conv_model({1, 3, 5, 5}, {2, 2, 3, 3}, {}).run_error(ErrorKind::shape_mismatch),
             Contains("W[1] * group != C") && Contains("Conv"));
  conv_model({1, 4, 5, 5}, {3, 2, 3, 3}, {attr_int("group", 2)})
      .expect_load_error(ErrorKind::invalid_model, "does not divide the output channels");
  conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_string("auto_pad", "SAME")})
      .expect_load_error(ErrorKind::invalid_model, "auto_pad 'SAME'");
  conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_ints("strides", {0, 1})})
      .expect_load_error(ErrorKind::invalid_model, "strides holds 0");
  conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_ints("strides", {1, 1, 1})})
      .expect_run_error(ErrorKind::invalid_model, "strides has 3 values");
  conv_model({1, 1, 5, 5}, {1, 1, 3, 3}, {attr_ints("kernel_shape", {2, 2})})
      .expect_run_error(ErrorKind::shape_mismatch, "kernel_shape does not match");
  // The integer convolutions stay 1-D and 2-D (the float Conv runs any rank: conv_nd_test.cpp).
  OpTester ci;
  ci.input("x", DType::u8, {1, 1, 3, 3, 3})
      .init("w", make_tensor<std::uint8_t>({1, 1, 2, 2, 2}, std::vector<std::uint8_t>(8, 1)))
      .node("ConvInteger", {"x", "w"}, {"y"})
      .output("y");
  ci.expect_run_error(ErrorKind::unsupported_op, "only 1-D and 2-D integer");
  conv_model({1, 1, 5, 5}, {4, 1, 3, 3}, {}, true)
      .expect_run_error(ErrorKind::shape_mismatch, "B [5] must be [4]");

  // output_shape far beyond what output_padding can reach.
  OpTester t;
  t.input("x", DType::f32, {1, 1, 3, 3})
      .init("w", {1, 1, 2, 2}, std::vector<float>(4, 1.0f))
      .node("ConvTranspose", {"x", "w"}, {"y"}, {attr_ints("output_shape", {9, 9})})
      .output("y");
  t.expect_run_error(ErrorKind::unsupported_op, "output padding");
}

TEST_CASE("Conv prepares no weight form at load", "[graph/ops/conv]") {
  const Prepared p = load_and_run(ConvCase(16, 80, 3, 8), 0);
  CHECK(p.at_load.winograd == 0);
  CHECK(p.at_load.packed == 0);
}

TEST_CASE("Conv on a small plane builds only the packed weights, once", "[graph/ops/conv]") {
  // 8x8 output, 80 output channels (past the direct kernel's 64): the small-plane path.
  const Prepared p = load_and_run(ConvCase(16, 80, 3, 8), 3);
  CHECK(p.after_runs.packed == 1);
  CHECK(p.after_runs.winograd == 0);
}

TEST_CASE("Conv on a large plane builds only Winograd's U, once", "[graph/ops/conv]") {
  // 3x3 on 20x20 (100 tiles of 2x2, 400 output pixels): Winograd, never the small-plane path.
  const Prepared p = load_and_run(ConvCase(16, 32, 3, 20), 3);
  CHECK(p.after_runs.winograd == 1);
  CHECK(p.after_runs.packed == 0);
}

TEST_CASE("A 1x1 Conv on a large plane builds no form", "[graph/ops/conv]") {
  // 400 output pixels: im2col-free GEMM on the raw weights; packing them would be waste.
  const Prepared p = load_and_run(ConvCase(16, 32, 1, 20), 2);
  CHECK(p.after_runs.winograd == 0);
  CHECK(p.after_runs.packed == 0);
}

TEST_CASE("Two sessions on two threads run a fresh model at once", "[graph/ops/conv]") {
  const ConvCase small(16, 80, 3, 8), large(16, 32, 3, 20);
  for (const ConvCase* cc : {&small, &large}) {
    const bool winograd = cc == &large;
    INFO((winograd ? "Winograd" : "packed") << " path");
    for (int round = 0; round < 4; ++round) {
      const std::string bytes = cc->model().bytes();
      inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
      const Counts before = counts_now();
      std::vector<float> x[2] = {cc->input(30), cc->input(31)};
      std::vector<float> y[2];
      std::string error[2];
      std::atomic<int> ready{0};
      auto body = [&](int t) {
        // Both threads start running together, so the first runs overlap.
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        try {
          y[t] = cc->run(model, x[t]);
        } catch (const std::exception& e) { error[t] = e.what(); }
      };
      std::thread a(body, 0), b(body, 1);
      a.join();
      b.join();
      const Counts after = counts_now();
      CHECK(after.winograd - before.winograd == (winograd ? 1u : 0u));
      CHECK(after.packed - before.packed == (winograd ? 0u : 1u));
      CHECK(error[0].empty());
      CHECK(error[1].empty());
      for (int t = 0; t < 2; ++t) check_close(y[t], cc->reference(x[t]), 1e-4f, 1e-4f);
    }
  }
}

// ---- ConvInteger and QLinearConv on the int8 GEMM ----

namespace {

template <class Q>
inlay::Tensor random_q8(const inlay::Shape& shape, std::uint32_t seed,
                        std::vector<std::int32_t>* values) {
  inlay::Tensor t(inlay::dtype_of_v<Q>, shape);
  std::mt19937 rng(seed);
  values->resize(static_cast<std::size_t>(shape.numel()));
  for (std::int64_t i = 0; i < shape.numel(); ++i) {
    const auto v = static_cast<Q>(static_cast<std::uint8_t>(rng()));
    t.data<Q>()[i] = v;
    (*values)[static_cast<std::size_t>(i)] = v;
  }
  return t;
}

struct QConvCase {
  inlay_ref::IntegerConvShape s;
  bool per_channel = true, constant_w = true, bias = true;
  bool seven_bit = false;  // W's values fit 7 bits: int8 in [-64, 63], uint8 in [64, 191]
};

// QLinearConv x (X) with w (W), per-channel w_scale / w_zero_point, against the reference.
template <class X, class W, class Y>
void check_qlinear_conv(const QConvCase& c) {
  const inlay_ref::IntegerConvShape& s = c.s;
  INFO("c " << s.c << " m " << s.m << " group " << s.group << " kernel " << s.kh << "x" << s.kw
            << " stride " << s.stride_h << " pad " << s.pad_t << " dilation " << s.dil_h
            << " per_channel " << c.per_channel << " constant_w " << c.constant_w);
  const auto m = static_cast<std::int64_t>(s.m);
  std::vector<std::int32_t> xv, wv;
  const inlay::Tensor x = random_q8<X>(
      {std::int64_t(s.batch), std::int64_t(s.c), std::int64_t(s.ih), std::int64_t(s.iw)}, 21, &xv);
  inlay::Tensor w = random_q8<W>(
      {m, std::int64_t(s.c / s.group), std::int64_t(s.kh), std::int64_t(s.kw)}, 22, &wv);
  if (c.seven_bit) {  // the kernel's vpmaddubsw path on SSSE3 .. AVX3
    const int base = std::is_same<W, std::uint8_t>::value ? 64 : -64;
    for (std::size_t i = 0; i < wv.size(); ++i) {
      wv[i] = (wv[i] & 0x7F) + base;
      w.data<W>()[i] = static_cast<W>(wv[i]);
    }
  }
  const std::size_t channels = c.per_channel ? s.m : 1;
  std::vector<float> w_scale(channels);
  std::vector<W> w_zero(channels);
  std::vector<std::int32_t> wz(channels), bias(s.m);
  std::mt19937 rng(23);
  for (std::size_t o = 0; o < channels; ++o) {
    w_scale[o] = 0.0005f * float(1 + rng() % 40);
    w_zero[o] = static_cast<W>(static_cast<std::uint8_t>(rng()));
    wz[o] = w_zero[o];
  }
  for (auto& b : bias) b = c.bias ? static_cast<std::int32_t>(rng() % 40001) - 20000 : 0;
  const float x_scale = 0.03f, y_scale = 0.2f;
  const X x_zero = static_cast<X>(static_cast<std::uint8_t>(99));
  const Y y_zero = static_cast<Y>(static_cast<std::uint8_t>(250));
  const auto acc = inlay_ref::integer_conv(s, xv, x_zero, wv, wz);
  const std::int64_t plane = std::int64_t(s.oh() * s.ow());
  inlay::Tensor want(inlay::dtype_of_v<Y>,
                     {std::int64_t(s.batch), m, std::int64_t(s.oh()), std::int64_t(s.ow())});
  const bool y_unsigned = std::is_same<Y, std::uint8_t>::value;
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    const auto o = static_cast<std::size_t>(i / plane % m);
    const float mult = x_scale * w_scale[c.per_channel ? o : 0] / y_scale;
    want.data<Y>()[i] = static_cast<Y>(
        inlay_ref::requantize(acc[static_cast<std::size_t>(i)], bias[o], mult, y_zero,
                              y_unsigned ? 0 : -128, y_unsigned ? 255 : 127));
  }
  OpTester t("QLinearConv");
  t.attr("group", std::int64_t(s.group))
      .attr("kernel_shape", {std::int64_t(s.kh), std::int64_t(s.kw)})
      .attr("strides", {std::int64_t(s.stride_h), std::int64_t(s.stride_w)})
      .attr("dilations", {std::int64_t(s.dil_h), std::int64_t(s.dil_w)})
      .attr("pads", {std::int64_t(s.pad_t), std::int64_t(s.pad_l), std::int64_t(s.pad_b),
                     std::int64_t(s.pad_r)});
  t.in(x).constant(make_tensor<float>({}, {x_scale})).constant(make_tensor<X>({}, {x_zero}));
  if (c.constant_w) t.constant(w);
  else t.in(w);
  const auto ch = static_cast<std::int64_t>(channels);
  t.constant(make_tensor<float>(c.per_channel ? inlay::Shape{ch} : inlay::Shape{}, w_scale))
      .constant(make_tensor<W>(c.per_channel ? inlay::Shape{ch} : inlay::Shape{}, w_zero))
      .constant(make_tensor<float>({}, {y_scale}))
      .constant(make_tensor<Y>({}, {y_zero}));
  if (c.bias) t.constant(make_tensor<std::int32_t>({m}, bias));
  t.check({want});
}

inlay_ref::IntegerConvShape conv_shape(std::size_t c, std::size_t m, std::size_t k,
                                       std::size_t group, std::size_t stride, std::size_t pad,
                                       std::size_t dilation) {
  inlay_ref::IntegerConvShape s{2, c, 9, 11, m, k, k, group};
  s.stride_h = s.stride_w = stride;
  s.dil_h = s.dil_w = dilation;
  s.pad_t = s.pad_l = pad;
  s.pad_b = s.pad_r = pad + 1;
  return s;
}

}  // namespace

TEST_CASE("QLinearConv with per-channel weights: groups, strides, pads, dilations, 1x1",
          "[graph/ops/conv]") {
  const QConvCase cases[] = {
      {conv_shape(6, 10, 3, 1, 1, 1, 1), true, true, true},
      {conv_shape(6, 4, 3, 2, 2, 0, 1), true, false, true},
      {conv_shape(8, 8, 3, 8, 1, 1, 2), true, true, false},   // depthwise, dilated
      {conv_shape(7, 7, 3, 7, 2, 1, 1), true, true, true},    // depthwise, stride 2
      {conv_shape(4, 4, 5, 4, 1, 2, 1), false, false, true},  // depthwise 5x5
      {conv_shape(5, 33, 1, 1, 1, 0, 1), false, true, true},  // 1x1 reads x directly
      {conv_shape(4, 6, 1, 2, 2, 0, 1), true, true, true},    // 1x1 with a stride
  };
  for (const QConvCase& c : cases) {
    QConvCase direct = c;
    if (c.s.kh == 1 && c.s.stride_h == 1) direct.s.pad_b = direct.s.pad_r = 0;
    check_qlinear_conv<std::uint8_t, std::int8_t, std::uint8_t>(direct);
    check_qlinear_conv<std::int8_t, std::uint8_t, std::int8_t>(direct);
    check_qlinear_conv<std::uint8_t, std::uint8_t, std::uint8_t>(direct);
    check_qlinear_conv<std::int8_t, std::int8_t, std::int8_t>(direct);
  }
}

TEST_CASE("QLinearConv with 7-bit weights matches the reference", "[graph/ops/conv]") {
  QConvCase cases[] = {
      {conv_shape(6, 10, 3, 1, 1, 1, 1), true, true, true},
      {conv_shape(6, 4, 3, 2, 2, 0, 1), true, false, true},
      {conv_shape(5, 33, 1, 1, 1, 0, 1), false, true, true},
      {conv_shape(9, 13, 3, 1, 1, 1, 1), false, false, false},
  };
  for (QConvCase& c : cases) {
    c.seven_bit = true;
    if (c.s.kh == 1) c.s.pad_b = c.s.pad_r = 0;
    check_qlinear_conv<std::uint8_t, std::int8_t, std::uint8_t>(c);
    check_qlinear_conv<std::int8_t, std::uint8_t, std::int8_t>(c);
  }
}

TEST_CASE("QLinearConv's im2col: rows shorter and longer than a vector, strides 1 to 3",
          "[graph/ops/conv]") {
  // im2col copies rows of stride 1 and 2 16 bytes at a time, past the row's end within x and
  // the column matrix, and pads in one store: rows of 7 to 40 bytes, padding on either side or
  // none, the last rows of x (read near its end), a 7x7 stride-2 stem, dilation, stride 3.
  struct Geometry {
    std::size_t c, ih, iw, m, k, stride, pad_lo, pad_hi, dilation;
  };
  const Geometry shapes[] = {
      {3, 23, 45, 4, 7, 2, 3, 3, 1},  // the stem: rows of 23
      {5, 37, 37, 3, 3, 2, 1, 1, 1},  // rows of 19
      {4, 14, 14, 6, 3, 2, 1, 0, 1},  // rows of 7, padding on the left only
      {6, 16, 34, 5, 1, 2, 0, 0, 1},  // 1x1 stride 2: no padding, rows of 17
      {3, 9, 40, 2, 3, 1, 1, 1, 1},   // stride 1, rows of 40
      {2, 6, 5, 3, 3, 1, 0, 2, 1},    // stride 1, rows of 5, padding on the right only
      {3, 11, 50, 4, 3, 2, 2, 2, 2},  // stride 2, dilation 2
      {2, 12, 31, 3, 4, 3, 1, 2, 1},  // stride 3
  };
  for (const Geometry& g : shapes) {
    QConvCase c;
    c.s = inlay_ref::IntegerConvShape{1, g.c, g.ih, g.iw, g.m, g.k, g.k, 1};
    c.s.stride_h = c.s.stride_w = g.stride;
    c.s.dil_h = c.s.dil_w = g.dilation;
    c.s.pad_t = c.s.pad_l = g.pad_lo;
    c.s.pad_b = c.s.pad_r = g.pad_hi;
    check_qlinear_conv<std::uint8_t, std::int8_t, std::uint8_t>(c);
    check_qlinear_conv<std::int8_t, std::int8_t, std::int8_t>(c);
  }
}

TEST_CASE("ConvInteger with a per-channel w_zero_point", "[graph/ops/conv]") {
  const inlay_ref::IntegerConvShape s = conv_shape(4, 6, 3, 2, 1, 1, 1);
  std::vector<std::int32_t> xv, wv;
  const inlay::Tensor x = random_q8<std::uint8_t>({2, 4, 9, 11}, 31, &xv);
  const inlay::Tensor w = random_q8<std::int8_t>({6, 2, 3, 3}, 32, &wv);
  const std::vector<std::int32_t> wz{-3, 0, 5, 127, -128, 9};
  const std::vector<std::int8_t> wz8(wz.begin(), wz.end());
  const auto acc = inlay_ref::integer_conv(s, xv, 17, wv, wz);
  const inlay::Tensor want =
      make_tensor<std::int32_t>({2, 6, std::int64_t(s.oh()), std::int64_t(s.ow())}, acc);
  OpTester("ConvInteger")
      .attr("group", std::int64_t(2))
      .attr("pads", {1, 1, 2, 2})
      .in(x)
      .constant(w)
      .constant(make_tensor<std::uint8_t>({}, {17}))
      .constant(make_tensor<std::int8_t>({6}, wz8))
      .check({want});
}

// Allocations of 3 runs after the first (which plans the arena).
std::uint64_t allocations_per_3_runs(const OpTester& t) {
  const inlay::Model model = t.load();
  inlay::Session session(model);
  const std::vector<inlay::Tensor> inputs = t.feeds();
  std::vector<inlay::Tensor> outputs;
  session.run_into(inputs, outputs);
  const std::uint64_t before = inlay_test::heap_allocations();
  for (int i = 0; i < 3; ++i) session.run_into(inputs, outputs);
  return inlay_test::heap_allocations() - before;
}

TEST_CASE("QLinearMatMul runs make no heap allocation; QLinearConv no more than Conv",
          "[graph/ops/conv]") {
  std::vector<std::int32_t> xv, wv;
  const inlay::Tensor x = random_q8<std::uint8_t>({1, 8, 10, 10}, 41, &xv);
  const inlay::Tensor w = random_q8<std::int8_t>({16, 8, 3, 3}, 42, &wv);
  std::vector<float> ws(16, 0.01f);
  std::vector<std::int8_t> wz(16, 0);
  OpTester conv("QLinearConv");
  conv.attr("pads", {1, 1, 1, 1})
      .in(x)
      .constant(make_tensor<float>({}, {0.02f}))
      .constant(make_tensor<std::uint8_t>({}, {128}))
      .constant(w)
      .constant(make_tensor<float>({16}, ws))
      .constant(make_tensor<std::int8_t>({16}, wz))
      .constant(make_tensor<float>({}, {0.1f}))
      .constant(make_tensor<std::uint8_t>({}, {128}));
  // The f32 Conv of the same shape: the window attributes are resolved per run by helpers both
  // share (resolve_window, kernel_from_weights), which allocate.
  OpTester f32_conv("Conv");
  f32_conv.attr("pads", {1, 1, 1, 1})
      .in(make_tensor<float>({1, 8, 10, 10}, std::vector<float>(800, 0.5f)))
      .constant(make_tensor<float>({16, 8, 3, 3}, std::vector<float>(16 * 72, 0.25f)));
  CHECK(allocations_per_3_runs(conv) <= allocations_per_3_runs(f32_conv));
  const inlay::Tensor a = random_q8<std::int8_t>({7, 40}, 43, &xv);
  const inlay::Tensor b = random_q8<std::uint8_t>({40, 20}, 44, &wv);
  OpTester mm("QLinearMatMul");
  mm.in(a)
      .constant(make_tensor<float>({}, {0.02f}))
      .constant(make_tensor<std::int8_t>({}, {3}))
      .constant(b)
      .constant(make_tensor<float>({20}, std::vector<float>(20, 0.01f)))
      .constant(make_tensor<std::uint8_t>({20}, std::vector<std::uint8_t>(20, 131)))
      .constant(make_tensor<float>({}, {0.1f}))
      .constant(make_tensor<std::int8_t>({}, {-5}));
  CHECK(allocations_per_3_runs(mm) == 0);
}
