// Winograd F(4x4, 3x3) convolution (kernels/winograd.hpp) on every CPU target against a double
// reference loop and against the im2col path (conv2d_nchw_f32), with a measured error bound; the
// graph door (a Conv node with constant weights takes the Winograd path).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "inlay/kernels/impl/paths.hpp"
#include "reference/elementwise.hpp"
#include "test_util.hpp"

using inlay::kernels::Activation;
using inlay::kernels::Conv2dParams;
namespace k = inlay::kernels;

namespace {

std::string describe_conv(const Conv2dParams& p) {
  std::ostringstream s;
  s << "N" << p.batch << " C" << p.in_channels << " " << p.in_h << "x" << p.in_w << " -> "
    << p.out_channels << " pads " << p.pad_top << "," << p.pad_left << "," << p.pad_bottom << ","
    << p.pad_right << " out " << p.out_h() << "x" << p.out_w();
  return s.str();
}

Conv2dParams conv3x3(std::size_t batch, std::size_t in_c, std::size_t out_c, std::size_t h,
                     std::size_t w, std::size_t pt, std::size_t pl, std::size_t pb,
                     std::size_t pr) {
  Conv2dParams p;
  p.batch = batch, p.in_channels = in_c, p.out_channels = out_c, p.in_h = h, p.in_w = w;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = pt, p.pad_left = pl, p.pad_bottom = pb, p.pad_right = pr;
  return p;
}

// The convolution in double before the activation, and for each output the error scale: the
// sum of the absolute values of the terms (bias included) of the 16 outputs of its 4x4 tile,
// the largest of them. Rounding in the tile transforms mixes the terms of the whole tile (and of
// its part outside the output when out_h or out_w is not a multiple of 4), so this is the scale of
// the Winograd error; for im2col + GEMM it overstates a little (its own outputs' sum would do).
struct WinogradReference {
  std::vector<double> y, scale;
};
WinogradReference reference(const Conv2dParams& p, const std::vector<float>& x,
                            const std::vector<float>& w, const float* bias) {
  const std::size_t oh = p.out_h(), ow = p.out_w(), ic = p.in_channels;
  // Value and sum of |terms| of output (oy, ox), which may lie one past the output.
  const auto conv_at = [&](std::size_t n, std::size_t oc, std::size_t oy, std::size_t ox,
                           double& sum_abs) {
    double s = bias ? bias[oc] : 0.0;
    sum_abs = bias ? std::fabs(bias[oc]) : 0.0;
    for (std::size_t c = 0; c < ic; ++c)
      for (std::size_t ki = 0; ki < 3; ++ki)
        for (std::size_t kj = 0; kj < 3; ++kj) {
          const long iy = long(oy + ki) - long(p.pad_top);
          const long ix = long(ox + kj) - long(p.pad_left);
          if (iy < 0 || ix < 0 || iy >= long(p.in_h) || ix >= long(p.in_w)) continue;
          const double t = double(x[((n * ic + c) * p.in_h + iy) * p.in_w + ix]) *
                           w[((oc * ic + c) * 3 + ki) * 3 + kj];
          s += t;
          sum_abs += std::fabs(t);
        }
    return s;
  };
  WinogradReference r;
  r.y.resize(p.batch * p.out_channels * oh * ow);
  r.scale.resize(r.y.size());
  std::size_t i = 0;
  for (std::size_t n = 0; n < p.batch; ++n)
    for (std::size_t oc = 0; oc < p.out_channels; ++oc)
      for (std::size_t oy = 0; oy < oh; ++oy)
        for (std::size_t ox = 0; ox < ow; ++ox, ++i) {
          double sum_abs = 0.0;
          r.y[i] = conv_at(n, oc, oy, ox, sum_abs);
          for (std::size_t dy = 0; dy < 4; ++dy)
            for (std::size_t dx = 0; dx < 4; ++dx) {
              conv_at(n, oc, oy / 4 * 4 + dy, ox / 4 * 4 + dx, sum_abs);
              r.scale[i] = std::max(r.scale[i], sum_abs);
            }
        }
  return r;
}

// Largest error of each path over all the shapes of a test, in units of float epsilon * the
// output's error scale (see WinogradReference); and the largest absolute and relative errors.
struct WinogradError {
  double winograd = 0.0, direct = 0.0, winograd_abs = 0.0, direct_abs = 0.0, winograd_rel = 0.0,
         direct_rel = 0.0;
};

// The error bound the Winograd path must keep, in the units of WinogradError. Measured: at most
// about 22 (im2col + GEMM: 2.4); F(4x4, 3x3)'s transforms multiply by up to 8 and its weight
// transform by 1/24, and the error grows with them; see docs/kernels.md.
constexpr double winograd_error_bound = 32.0;

void measure(const std::vector<float>& y, const WinogradReference& r, const Activation& act,
             double& normalized, double& abs_err, double& rel_err) {
  constexpr double eps = std::numeric_limits<float>::epsilon();
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double want = inlay_ref::activation(act, r.y[i]);
    const double err = std::fabs(double(y[i]) - want);  // act is 1-Lipschitz: same bound
    normalized = std::max(normalized, err / (eps * std::max(r.scale[i], 1e-30)));
    abs_err = std::max(abs_err, err);
    rel_err = std::max(rel_err, err / std::max(std::fabs(r.y[i]), 1e-3));
  }
}

// Runs the Winograd path (exact workspace, guard floats after y) and the im2col path on every
// target; both must be within the bound of the double reference.
void check_winograd(const Conv2dParams& p, bool use_bias, const Activation& act, std::uint32_t seed,
                    WinogradError& stats) {
  INFO(describe_conv(p) << (use_bias ? " bias" : "") << " activation " << int(act.op));
  REQUIRE(k::winograd_supports(p));
  const std::vector<float> x =
      inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, seed);
  const std::vector<float> w =
      inlay_test::random_floats(p.out_channels * p.in_channels * 9, seed + 1);
  const std::vector<float> b = inlay_test::random_floats(p.out_channels, seed + 2);
  const float* bias = use_bias ? b.data() : nullptr;
  const WinogradReference ref = reference(p, x, w, bias);
  std::vector<float> u(k::winograd_weights_size_f32(p.out_channels, p.in_channels));
  k::winograd_transform_weights_f32(p, w.data(), u.data());
  const std::size_t out = ref.y.size();
  constexpr std::size_t guard = 64;
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> y(out + guard, 1234.5f);
    std::vector<float> ws(k::winograd_workspace_size_f32(p));  // exactly the documented size
    k::winograd_conv2d_nchw_f32(p, x.data(), u.data(), bias, y.data(), ws.data(), act);
    CHECK(std::count(y.begin() + out, y.end(), 1234.5f) == guard);
    y.resize(out);
    std::vector<float> direct(out);
    std::vector<float> ws_direct(k::conv2d_workspace_size_f32(p));
    k::conv2d_nchw_f32(p, x.data(), w.data(), bias, direct.data(), ws_direct.data(), act);
    double wino_norm = 0.0, direct_norm = 0.0;
    measure(y, ref, act, wino_norm, stats.winograd_abs, stats.winograd_rel);
    measure(direct, ref, act, direct_norm, stats.direct_abs, stats.direct_rel);
    stats.winograd = std::max(stats.winograd, wino_norm);
    stats.direct = std::max(stats.direct, direct_norm);
    CHECK(wino_norm <= winograd_error_bound);
  });
}

void report(const char* what, const WinogradError& s) {
  std::printf(
      "winograd error (%s): max |err| / (eps * tile scale) %.2f (im2col %.2f); max abs %.3g "
      "(im2col %.3g); max rel %.3g (im2col %.3g)\n",
      what, s.winograd, s.direct, s.winograd_abs, s.direct_abs, s.winograd_rel, s.direct_rel);
}

}  // namespace

TEST_CASE("winograd: odd and even sizes, pads 0, 1 and asymmetric, 1..37 channels",
          "[kernels/winograd]") {
  WinogradError stats;
  std::uint32_t seed = 100;
  // Output sizes 2..9 each way (sizes not a multiple of 4 end in partial tiles), symmetric pads.
  for (std::size_t h = 2; h <= 9; h += 3) {
    for (std::size_t w = 2; w <= 11; w += 3) {
      for (std::size_t pad = 0; pad <= 1; ++pad) {
        if (h + 2 * pad < 4 || w + 2 * pad < 4) continue;  // output at least 2x2
        check_winograd(conv3x3(2, 3, 5, h, w, pad, pad, pad, pad), true, Activation::none(), seed++,
                       stats);
      }
    }
  }
  // Random shapes: channels 1..37, asymmetric pads 0..2, widths past a few vectors.
  std::mt19937 rng(7);
  const Activation acts[] = {Activation::none(), Activation::relu(), Activation::clip(-0.5f, 0.5f)};
  for (int iter = 0; iter < 40; ++iter) {
    using inlay_test::random_size;
    Conv2dParams p =
        conv3x3(random_size(rng, 1, 2), random_size(rng, 1, 37), random_size(rng, 1, 37),
                random_size(rng, 2, 14), random_size(rng, 2, 41), random_size(rng, 0, 2),
                random_size(rng, 0, 2), random_size(rng, 0, 2), random_size(rng, 0, 2));
    if (p.out_h() < 2 || p.out_w() < 2) continue;
    check_winograd(p, iter % 2 == 0, acts[iter % 3], seed++, stats);
  }
  report("small shapes", stats);
  CHECK(stats.winograd <= winograd_error_bound);
}

TEST_CASE("winograd: many blocks of tile rows, across images; tile rows longer than a block",
          "[kernels/winograd]") {
  WinogradError stats;
  // 15 tiles a row, 17 rows a block: blocks straddle the two images.
  check_winograd(conv3x3(2, 17, 19, 60, 60, 1, 1, 1, 1), true, Activation::relu(), 1, stats);
  // 300 tiles a row (more than a block, and several passes of the input transform): one tile
  // row per block.
  check_winograd(conv3x3(1, 4, 6, 5, 1201, 1, 0, 0, 1), false, Activation::none(), 2, stats);
  // 64 channels each way, the ResNet width.
  check_winograd(conv3x3(1, 64, 64, 12, 12, 1, 1, 1, 1), true, Activation::none(), 3, stats);
  report("large shapes", stats);
}

TEST_CASE("winograd with a ThreadPool(2) equals the serial result", "[kernels/winograd]") {
  inlay::ThreadPool pool(2);
  const Conv2dParams p = conv3x3(2, 19, 23, 31, 17, 1, 2, 0, 1);
  const std::vector<float> x =
      inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, 11);
  const std::vector<float> w = inlay_test::random_floats(p.out_channels * p.in_channels * 9, 12);
  const std::vector<float> b = inlay_test::random_floats(p.out_channels, 13);
  std::vector<float> u(k::winograd_weights_size_f32(p.out_channels, p.in_channels));
  k::winograd_transform_weights_f32(p, w.data(), u.data());
  const std::size_t out = p.batch * p.out_channels * p.out_h() * p.out_w();
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> serial(out), parallel(out, 1234.5f);
    std::vector<float> ws(k::winograd_workspace_size_f32(p));
    k::winograd_conv2d_nchw_f32(p, x.data(), u.data(), b.data(), serial.data(), ws.data(),
                                Activation::relu());
    k::winograd_conv2d_nchw_f32(p, x.data(), u.data(), b.data(), parallel.data(), ws.data(),
                                Activation::relu(), &pool);
    inlay_test::check_close(parallel, serial, 0.0f, 0.0f);
  });
}

TEST_CASE("winograd_supports and winograd_applies; unsupported parameters are refused",
          "[kernels/winograd]") {
  Conv2dParams p = conv3x3(1, 16, 16, 8, 10, 0, 0, 0, 0);  // 2 x 2 tiles: too few
  CHECK(k::winograd_supports(p));
  CHECK_FALSE(k::detail::winograd_applies(p));
  p.batch = 4;  // 16 tiles
  CHECK(k::detail::winograd_applies(p));
  p.batch = 1, p.in_h = p.in_w = 16;  // 4 x 4 tiles
  CHECK(k::detail::winograd_applies(p));
  p.in_h = 13;  // 3 x 4 tiles
  CHECK_FALSE(k::detail::winograd_applies(p));
  p.in_h = 16;
  p.in_channels = 15;
  CHECK(k::winograd_supports(p));
  CHECK_FALSE(k::detail::winograd_applies(p));
  p.in_channels = 16, p.out_channels = 15;
  CHECK_FALSE(k::detail::winograd_applies(p));
  p.out_channels = 16;
  Conv2dParams q = p;
  q.stride_w = 2;
  CHECK_FALSE(k::winograd_supports(q));
  q = p, q.dilation_h = 2;
  CHECK_FALSE(k::winograd_supports(q));
  q = p, q.groups = 2;
  CHECK_FALSE(k::winograd_supports(q));
  q = p, q.kernel_w = 5;
  CHECK_FALSE(k::winograd_supports(q));
  q = p, q.in_h = 3;  // output 1 x 6
  CHECK_FALSE(k::winograd_supports(q));
  std::vector<float> buf(4096);
  q = p, q.stride_h = 2;
  const std::string msg = inlay_test::error_of(
      [&] {
        k::winograd_conv2d_nchw_f32(q, buf.data(), buf.data(), nullptr, buf.data(), buf.data());
      },
      inlay::ErrorKind::invalid_argument);
  CHECK(msg.find("winograd_conv2d") != std::string::npos);
  CHECK(msg.find("stride 2,1") != std::string::npos);
  inlay_test::error_of(
      [&] { k::winograd_conv2d_nchw_f32(p, nullptr, buf.data(), nullptr, buf.data(), buf.data()); },
      inlay::ErrorKind::invalid_argument);
  q = p, q.kernel_h = 5;
  inlay_test::error_of([&] { k::winograd_transform_weights_f32(q, buf.data(), buf.data()); },
                       inlay::ErrorKind::invalid_argument);
}

TEST_CASE("graph: Conv with constant 3x3 weights takes the Winograd path, same result",
          "[kernels/winograd]") {
  using inlay_test::attr_ints;
  const Conv2dParams p = conv3x3(2, 16, 20, 13, 11, 0, 1, 1, 0);  // 2 x 3 x 3 tiles
  std::vector<float> x = inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, 21);
  std::vector<float> w = inlay_test::random_floats(p.out_channels * p.in_channels * 9, 22);
  const std::vector<float> b = inlay_test::random_floats(p.out_channels, 23);
  const std::vector<std::int64_t> x_dims{2, 16, 13, 11}, w_dims{20, 16, 3, 3};
  const std::vector<inlay_test::Pb> attrs{attr_ints("pads", {0, 1, 1, 0})};
  // Constant weights (the Winograd path) and a fused Relu.
  inlay_test::OpTester constant;
  constant.input("x", inlay::DType::f32, x_dims)
      .init("w", w_dims, w)
      .init("b", {20}, b)
      .node("Conv", {"x", "w", "b"}, {"c"}, attrs)
      .node("Relu", {"c"}, {"y"})
      .output("y");
  // The same weights as a graph input: the im2col path.
  inlay_test::OpTester variable;
  variable.input("x", inlay::DType::f32, x_dims)
      .input("w", inlay::DType::f32, w_dims)
      .init("b", {20}, b)
      .node("Conv", {"x", "w", "b"}, {"c"}, attrs)
      .node("Relu", {"c"}, {"y"})
      .output("y");
  const inlay::Tensor xt = inlay::Tensor::view(x.data(), inlay::Shape(x_dims.data(), 4));
  const inlay::Tensor wt = inlay::Tensor::view(w.data(), inlay::Shape(w_dims.data(), 4));
  const WinogradReference ref = reference(p, x, w, b.data());
  inlay_test::for_each_cpu_target([&] {
    const std::vector<float> wino = inlay_test::values_of<float>(constant.run1({xt}));
    const std::vector<float> im2col = inlay_test::values_of<float>(variable.run1({xt, wt}));
    REQUIRE(wino.size() == ref.y.size());
    double norm = 0.0, abs_err = 0.0, rel_err = 0.0;
    measure(wino, ref, Activation::relu(), norm, abs_err, rel_err);
    CHECK(norm <= winograd_error_bound);
    inlay_test::check_close(wino, im2col, 1e-4f, 2e-4f);  // F(4x4, 3x3): see the bound above
    // Winograd rounds differently from im2col + GEMM: bit-equal results would mean the
    // Winograd path did not run.
    CHECK(wino != im2col);
  });
  // A 5x5 output (4 tiles, too few to pay) with the same constant weights: the im2col path,
  // bit for bit.
  std::vector<float> small = inlay_test::random_floats(16 * 5 * 5, 24);
  const std::vector<std::int64_t> small_dims{1, 16, 5, 5};
  const inlay::Tensor st = inlay::Tensor::view(small.data(), inlay::Shape(small_dims.data(), 4));
  inlay_test::OpTester constant_small;
  constant_small.input("x", inlay::DType::f32, small_dims)
      .init("w", w_dims, w)
      .node("Conv", {"x", "w"}, {"y"}, {attr_ints("pads", {1, 1, 1, 1})})
      .output("y");
  inlay_test::OpTester variable_small;
  variable_small.input("x", inlay::DType::f32, small_dims)
      .input("w", inlay::DType::f32, w_dims)
      .node("Conv", {"x", "w"}, {"y"}, {attr_ints("pads", {1, 1, 1, 1})})
      .output("y");
  const std::vector<float> a = inlay_test::values_of<float>(constant_small.run1({st}));
  const std::vector<float> b2 = inlay_test::values_of<float>(variable_small.run1({st, wt}));
  REQUIRE(a.size() == 20 * 25);
  CHECK(a == b2);
}
