// The banded inverted bottleneck (kernels/inverted_bottleneck.hpp) on every CPU target against
// its three layers run one by one on whole planes (gemm_f32, depthwise_conv2d_nchw_f32,
// gemm_f32): the same kernels on the same sums, so the results must agree bit for bit, for
// bands that keep rows from the band before, strides 1 and 2, padded and unpadded windows,
// several images and a thread pool.
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "inlay/kernels/impl/paths.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;
using inlay::kernels::Activation;

namespace {

struct BottleneckCase {
  std::size_t batch, in_c, expanded, out_c, h, w, kernel, stride, pad_top, pad_left, pad_bottom,
      pad_right;
};

std::string describe(const BottleneckCase& c) {
  std::ostringstream s;
  s << "N" << c.batch << " C" << c.in_c << " -> " << c.expanded << " -> " << c.out_c << " " << c.h
    << "x" << c.w << " k" << c.kernel << " s" << c.stride << " pads " << c.pad_top << ","
    << c.pad_left << "," << c.pad_bottom << "," << c.pad_right;
  return s.str();
}

k::InvertedBottleneckParams params_of(const BottleneckCase& c) {
  k::InvertedBottleneckParams p;
  k::Conv2dParams& d = p.depthwise;
  d.batch = c.batch;
  d.in_channels = d.out_channels = d.groups = c.expanded;
  d.in_h = c.h, d.in_w = c.w;
  d.kernel_h = d.kernel_w = c.kernel;
  d.stride_h = d.stride_w = c.stride;
  d.pad_top = c.pad_top, d.pad_left = c.pad_left, d.pad_bottom = c.pad_bottom,
  d.pad_right = c.pad_right;
  p.in_channels = c.in_c;
  p.out_channels = c.out_c;
  return p;
}

struct Weights {
  std::vector<float> we, be, wd, bd, wp, bp;
  k::BottleneckStage expand, depthwise, project;
};

Weights weights_of(const BottleneckCase& c, std::uint32_t seed) {
  Weights w;
  w.we = inlay_test::random_floats(c.expanded * c.in_c, seed);
  w.be = inlay_test::random_floats(c.expanded, seed + 1);
  w.wd = inlay_test::random_floats(c.expanded * c.kernel * c.kernel, seed + 2);
  w.bd = inlay_test::random_floats(c.expanded, seed + 3);
  w.wp = inlay_test::random_floats(c.out_c * c.expanded, seed + 4);
  w.bp = inlay_test::random_floats(c.out_c, seed + 5);
  w.expand = {w.we.data(), w.be.data(), Activation::clip(0.0f, 6.0f)};
  w.depthwise = {w.wd.data(), w.bd.data(), Activation::relu()};
  w.project = {w.wp.data(), w.bp.data(), Activation{}};
  return w;
}

// The three layers on whole planes, image by image.
std::vector<float> layer_by_layer(const k::InvertedBottleneckParams& p, const Weights& w,
                                  const std::vector<float>& x) {
  const k::Conv2dParams& d = p.depthwise;
  const std::size_t in_plane = d.in_h * d.in_w, out_plane = d.out_h() * d.out_w();
  std::vector<float> expanded(d.batch * d.in_channels * in_plane);
  std::vector<float> dw(d.batch * d.in_channels * out_plane);
  std::vector<float> y(d.batch * p.out_channels * out_plane);
  for (std::size_t n = 0; n < d.batch; ++n) {
    k::gemm_f32(false, false, d.in_channels, in_plane, p.in_channels, 1.0f, w.expand.w,
                p.in_channels, x.data() + n * p.in_channels * in_plane, in_plane, 0.0f,
                expanded.data() + n * d.in_channels * in_plane, in_plane,
                {w.expand.bias, k::BiasKind::per_row, w.expand.activation});
  }
  k::depthwise_conv2d_nchw_f32(d, expanded.data(), w.depthwise.w, w.depthwise.bias, dw.data(),
                               w.depthwise.activation);
  for (std::size_t n = 0; n < d.batch; ++n) {
    k::gemm_f32(false, false, p.out_channels, out_plane, d.in_channels, 1.0f, w.project.w,
                d.in_channels, dw.data() + n * d.in_channels * out_plane, out_plane, 0.0f,
                y.data() + n * p.out_channels * out_plane, out_plane,
                {w.project.bias, k::BiasKind::per_row, w.project.activation});
  }
  return y;
}

std::vector<float> banded(const k::InvertedBottleneckParams& p, const Weights& w,
                          const std::vector<float>& x, inlay::Executor* executor) {
  const k::Conv2dParams& d = p.depthwise;
  std::vector<float> y(d.batch * p.out_channels * d.out_h() * d.out_w(), -7.0f);
  std::vector<float> workspace(k::inverted_bottleneck_workspace_size_f32(p, executor));
  k::inverted_bottleneck_nchw_f32(p, x.data(), w.expand, w.depthwise, w.project, y.data(),
                                  workspace.data(), executor);
  return y;
}

void check_case(const BottleneckCase& c, inlay::Executor* executor = nullptr) {
  INFO(describe(c));
  const k::InvertedBottleneckParams p = params_of(c);
  const Weights w = weights_of(c, 11);
  const std::vector<float> x =
      inlay_test::random_floats(c.batch * c.in_c * c.h * c.w, 5, -2.0f, 2.0f);
  inlay_test::for_each_cpu_target([&] {
    const std::vector<float> want = layer_by_layer(p, w, x);
    const std::vector<float> got = banded(p, w, x, executor);
    REQUIRE(got.size() == want.size());
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
  });
}

}  // namespace

TEST_CASE("inverted bottleneck: one band, and many bands that keep rows from the band before",
          "[kernels/inverted_bottleneck]") {
  // 64 expanded channels of 200 columns: a few output rows per band.
  const BottleneckCase many{1, 8, 64, 12, 23, 200, 3, 1, 1, 1, 1, 1};
  REQUIRE(k::detail::inverted_bottleneck_band_rows(params_of(many)) < 23 / 3);
  check_case(many);
  check_case({1, 3, 5, 4, 6, 7, 3, 1, 1, 1, 1, 1});        // one band
  check_case({2, 16, 96, 24, 17, 112, 3, 2, 1, 1, 1, 1});  // stride 2, odd height
  check_case({1, 4, 48, 8, 31, 180, 3, 2, 0, 0, 1, 1});    // stride 2, pads at the end only
  check_case({1, 5, 40, 6, 29, 150, 5, 1, 2, 2, 2, 2});    // 5x5 (MnasNet, EfficientNet)
  check_case({3, 6, 32, 7, 9, 11, 3, 1, 0, 0, 0, 0});      // no padding, three images
}

TEST_CASE("inverted bottleneck with a ThreadPool(2) equals the layers run one by one",
          "[kernels/inverted_bottleneck]") {
  inlay::ThreadPool pool(2);
  check_case({1, 16, 96, 24, 56, 112, 3, 2, 1, 1, 1, 1}, &pool);  // rows split over threads
  check_case({1, 24, 144, 24, 56, 56, 3, 1, 1, 1, 1, 1}, &pool);
  check_case({3, 8, 64, 16, 20, 90, 3, 1, 1, 1, 1, 1}, &pool);  // images over threads
}

TEST_CASE("inverted bottleneck refuses inconsistent parameters", "[kernels/inverted_bottleneck]") {
  k::InvertedBottleneckParams p = params_of({1, 4, 8, 4, 6, 6, 3, 1, 1, 1, 1, 1});
  p.depthwise.groups = 4;
  CHECK(inlay_test::error_of([&] { k::validate_inverted_bottleneck(p); },
                             inlay::ErrorKind::invalid_argument)
            .find("groups") != std::string::npos);
  p = params_of({1, 4, 8, 4, 6, 6, 3, 1, 3, 1, 1, 1});
  CHECK(inlay_test::error_of([&] { k::validate_inverted_bottleneck(p); },
                             inlay::ErrorKind::invalid_argument)
            .find("pad_top") != std::string::npos);
  p = params_of({1, 4, 8, 4, 6, 6, 3, 1, 1, 1, 1, 1});
  p.depthwise.dilation_h = 2;
  CHECK(inlay_test::error_of([&] { k::validate_inverted_bottleneck(p); },
                             inlay::ErrorKind::invalid_argument)
            .find("dilation") != std::string::npos);
  p = params_of({1, 4, 8, 4, 6, 6, 3, 1, 1, 1, 1, 1});
  std::vector<float> y(4 * 36);
  const Weights w = weights_of({1, 4, 8, 4, 6, 6, 3, 1, 1, 1, 1, 1}, 1);
  CHECK(inlay_test::error_of(
            [&] {
              k::inverted_bottleneck_nchw_f32(p, nullptr, w.expand, w.depthwise, w.project,
                                              y.data(), y.data());
            },
            inlay::ErrorKind::invalid_argument)
            .find("non-null") != std::string::npos);
}
