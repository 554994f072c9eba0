// conv2d, depthwise_conv2d and conv_transpose2d on every CPU target against the direct
// definitions in reference/conv.hpp.
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "reference/conv.hpp"
#include "test_util.hpp"

using inlay::kernels::Activation;
using inlay::kernels::Conv2dParams;
namespace k = inlay::kernels;

namespace {

std::string describe(const Conv2dParams& p) {
  std::ostringstream s;
  s << "N" << p.batch << " C" << p.in_channels << " " << p.in_h << "x" << p.in_w << " -> "
    << p.out_channels << " k" << p.kernel_h << "x" << p.kernel_w << " s" << p.stride_h << ","
    << p.stride_w << " d" << p.dilation_h << "," << p.dilation_w << " pads " << p.pad_top << ","
    << p.pad_left << "," << p.pad_bottom << "," << p.pad_right << " g" << p.groups << " opad "
    << p.output_pad_h << "," << p.output_pad_w;
  return s.str();
}

const Activation activations[] = {Activation::none(), Activation::relu(),
                                  Activation::leaky_relu(0.1f), Activation::clip(-0.5f, 0.5f),
                                  Activation::sigmoid()};

// Random parameters: odd sizes, 1D (in_h = 1) cases, strides 1..3, dilations 1..2, asymmetric
// pads, kernels 1x1 / 3x3 / 5x5 / rectangular; groups == in_channels when `depthwise`.
Conv2dParams random_params(std::mt19937& rng, bool depthwise) {
  using inlay_test::random_size;
  Conv2dParams p;
  p.batch = random_size(rng, 1, 2);
  p.groups = random_size(rng, 1, 3);
  p.in_channels = p.groups * random_size(rng, 1, 3);
  if (depthwise) p.groups = p.in_channels;
  p.out_channels = p.groups * random_size(rng, 1, 3);
  p.in_h = random_size(rng, 0, 3) == 0 ? 1 : random_size(rng, 1, 11);
  p.in_w = random_size(rng, 1, 40);
  const std::size_t kernel_choice = random_size(rng, 0, 3);
  p.kernel_h = kernel_choice == 3 ? random_size(rng, 1, 4) : 2 * kernel_choice + 1;
  p.kernel_w = kernel_choice == 3 ? random_size(rng, 1, 4) : 2 * kernel_choice + 1;
  if (p.in_h == 1) p.kernel_h = 1;
  p.stride_h = random_size(rng, 1, 3);
  p.stride_w = random_size(rng, 1, 3);
  p.dilation_h = random_size(rng, 1, 2);
  p.dilation_w = random_size(rng, 1, 2);
  p.pad_top = random_size(rng, 0, 2);
  p.pad_bottom = random_size(rng, 0, 2);
  p.pad_left = random_size(rng, 0, 2);
  p.pad_right = random_size(rng, 0, 2);
  if (p.in_h == 1) p.pad_top = p.pad_bottom = 0;
  return p;
}

// Runs conv2d (or depthwise) on every target and compares with the reference.
void check_conv2d(const Conv2dParams& p, bool use_bias, const Activation& act, std::uint32_t seed,
                  bool depthwise, bool specials = false) {
  INFO(describe(p) << (use_bias ? " bias" : "") << " activation " << int(act.op));
  std::vector<float> x = inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, seed);
  if (specials) inlay_test::sprinkle_specials(x);
  const std::vector<float> w = inlay_test::random_floats(
      p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w, seed + 1);
  const std::vector<float> b = inlay_test::random_floats(p.out_channels, seed + 2);
  const float* bias = use_bias ? b.data() : nullptr;
  const std::vector<float> expected = inlay_ref::conv2d(p, x, w, bias, act);
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> y(expected.size(), 1234.5f);
    if (depthwise) {
      k::depthwise_conv2d_nchw_f32(p, x.data(), w.data(), bias, y.data(), act);
    } else {
      std::vector<float> ws(k::conv2d_workspace_size_f32(p));  // exactly the documented size
      k::conv2d_nchw_f32(p, x.data(), w.data(), bias, y.data(), ws.data(), act);
    }
    // float accumulation of up to 3*5*5 products in [-1, 1] against double.
    inlay_test::check_close(y, expected, 1e-5f, 1e-5f);
  });
}

void check_conv_transpose2d(const Conv2dParams& p, bool use_bias, const Activation& act,
                            std::uint32_t seed, inlay::Executor* executor = nullptr) {
  INFO(describe(p) << (use_bias ? " bias" : "") << " activation " << int(act.op));
  const std::vector<float> x =
      inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, seed);
  const std::vector<float> w = inlay_test::random_floats(
      p.in_channels * (p.out_channels / p.groups) * p.kernel_h * p.kernel_w, seed + 1);
  const std::vector<float> b = inlay_test::random_floats(p.out_channels, seed + 2);
  const float* bias = use_bias ? b.data() : nullptr;
  const std::vector<float> expected = inlay_ref::conv_transpose2d(p, x, w, bias, act);
  REQUIRE(expected.size() ==
          p.batch * p.out_channels * p.transposed_out_h() * p.transposed_out_w());
  inlay_test::for_each_cpu_target([&] {
    std::vector<float> y(expected.size(), 1234.5f);
    std::vector<float> ws(k::conv_transpose2d_workspace_size_f32(p));
    k::conv_transpose2d_nchw_f32(p, x.data(), w.data(), bias, y.data(), ws.data(), act, executor);
    inlay_test::check_close(y, expected, 1e-5f, 1e-5f);
  });
}

}  // namespace

TEST_CASE("conv2d output size follows ONNX", "[kernels/conv]") {
  Conv2dParams p;
  p.in_channels = 1;
  p.in_h = 32, p.in_w = 7;
  p.kernel_h = 5, p.kernel_w = 3;
  CHECK(p.out_h() == 28);  // 32 - 5 + 1
  CHECK(p.out_w() == 5);
  p.stride_h = 2, p.pad_top = 1, p.pad_bottom = 2;  // floor((32 + 3 - 5) / 2) + 1
  CHECK(p.out_h() == 16);
  p.dilation_w = 4;  // extent 9 > 7: no output
  CHECK(p.out_w() == 0);
  p.stride_w = 3, p.pad_left = 1, p.pad_right = 1, p.dilation_w = 1;  // floor((7 + 2 - 3) / 3) + 1
  CHECK(p.out_w() == 3);
  // Transposed: stride * (in - 1) + output_pad + dilation * (kernel - 1) + 1 - pads.
  Conv2dParams t;
  t.in_h = 3, t.in_w = 4, t.kernel_h = 3, t.kernel_w = 2, t.stride_h = 2, t.stride_w = 3;
  t.output_pad_h = 1, t.pad_left = 1, t.pad_right = 2, t.dilation_w = 2;
  CHECK(t.transposed_out_h() == 2 * 2 + 1 + 2 + 1);
  CHECK(t.transposed_out_w() == 3 * 3 + 0 + 2 * 1 + 1 - 3);
}

TEST_CASE("conv2d matches the direct definition on random shapes", "[kernels/conv]") {
  std::mt19937 rng(17);
  for (int iter = 0; iter < 60; ++iter) {
    const Conv2dParams p = random_params(rng, false);
    check_conv2d(p, iter % 2 == 0, activations[iter % 5], 100 + iter, false);
  }
}

TEST_CASE("conv2d: 1x1 (no im2col), depthwise-by-groups, 1D and the vector-width tails",
          "[kernels/conv]") {
  Conv2dParams p;
  p.batch = 2, p.in_channels = 6, p.out_channels = 9, p.in_h = 5, p.in_w = 7;
  SECTION("pointwise 1x1 stride 1 uses no workspace") {
    CHECK(k::conv2d_workspace_size_f32(p) == 0);
    check_conv2d(p, true, Activation::relu(), 1, false);
    p.groups = 3;
    check_conv2d(p, false, Activation::none(), 2, false);
  }
  SECTION("1x1 with stride or padding goes through im2col") {
    p.stride_w = 2;
    CHECK(k::conv2d_workspace_size_f32(p) == 6 * 5 * 4);
    check_conv2d(p, true, Activation::none(), 3, false);
    p.stride_w = 1, p.pad_left = 1, p.pad_bottom = 2;
    check_conv2d(p, true, Activation::none(), 4, false);
  }
  SECTION("groups == in_channels through conv2d") {
    p.groups = 6, p.out_channels = 12, p.kernel_h = p.kernel_w = 3, p.pad_top = p.pad_left = 1;
    p.pad_bottom = p.pad_right = 1;
    check_conv2d(p, true, Activation::none(), 5, false);
  }
  SECTION("1D: in_h = 1, odd widths around the vector lengths") {
    p.in_h = 1, p.kernel_w = 5, p.pad_left = 2, p.pad_right = 3;
    for (std::size_t w : {1u, 3u, 7u, 15u, 16u, 17u, 33u, 65u}) {
      p.in_w = w;
      check_conv2d(p, true, Activation::none(), 6 + std::uint32_t(w), false);
    }
  }
}

TEST_CASE(
    "conv2d: the GEMM packs the column matrix from x (strides, runs across output rows, "
    "padding wider than the input, dilation)",
    "[kernels/conv]") {
  // Layers with at least 64 taps and at most 64 output channels (conv_makes_columns). Each shape
  // against the double reference on every target; out_w decides whether a panel of 16 columns
  // lies in one output row (stride-2 panels then take the interleaved loads) or is cut into runs.
  struct Shape {
    std::size_t c, oc, h, w, k, stride, pad, dilation;
  };
  const Shape shapes[] = {
      {3, 8, 38, 38, 7, 2, 3, 1},   // ResNet's stem, small: out 19x19, runs across rows
      {8, 5, 64, 70, 3, 2, 1, 1},   // out 32x35, whole stride-2 panels
      {8, 4, 9, 40, 3, 3, 1, 1},    // stride 3: the scalar strided copy
      {8, 6, 12, 13, 3, 1, 4, 2},   // padding wider than the dilated kernel reaches
      {3, 3, 5, 3, 5, 2, 4, 1},     // output wider than the input: whole runs in the padding
      {64, 7, 20, 33, 1, 2, 0, 1},  // 1x1 stride 2
  };
  std::uint32_t seed = 900;
  for (const Shape& s : shapes) {
    Conv2dParams p;
    p.batch = 2, p.in_channels = s.c, p.out_channels = s.oc, p.in_h = s.h, p.in_w = s.w;
    p.kernel_h = p.kernel_w = s.k, p.stride_h = p.stride_w = s.stride;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = s.pad;
    p.dilation_h = p.dilation_w = s.dilation;
    CHECK(k::conv2d_workspace_size_f32(p) == 0);  // strided or dilated: not the direct kernel
    check_conv2d(p, seed % 2 == 0, Activation::relu(), seed, false);
    seed += 3;
  }
}

TEST_CASE("conv2d: small stride-1 layers take the direct kernel", "[kernels/conv]") {
  // LeNet-sized layers: the workspace is the zero-padded input of one (image, group), not the
  // column matrix, which tells the direct kernel ran.
  Conv2dParams p;
  p.batch = 2, p.in_channels = 6, p.out_channels = 16, p.in_h = 12, p.in_w = 12;
  p.kernel_h = p.kernel_w = 5;
  SECTION("LeNet's layers, no padding: no workspace") {
    CHECK(k::conv2d_workspace_size_f32(p) == 0);
    check_conv2d(p, true, Activation::relu(), 31, false);
    p.in_channels = 1, p.out_channels = 6, p.in_h = p.in_w = 28;
    check_conv2d(p, true, Activation::relu(), 32, false);
  }
  SECTION("output channels around the block of 8, groups, padding, every activation") {
    std::uint32_t seed = 40;
    for (std::size_t oc : {1u, 3u, 8u, 9u, 17u}) {
      for (std::size_t groups : {1u, 2u}) {
        p.groups = groups, p.in_channels = 2 * groups, p.out_channels = oc * groups;
        p.pad_top = 1, p.pad_left = 2, p.pad_bottom = 0, p.pad_right = 1;
        p.kernel_h = 3, p.kernel_w = 2;
        CHECK(k::conv2d_workspace_size_f32(p) == 2 * (12 + 1) * (12 + 3));
        check_conv2d(p, oc % 2 == 1, activations[seed % 5], seed, false);
        ++seed;
      }
    }
  }
  SECTION("widths around the vector lengths (overlapping last vector, narrow vectors)") {
    p.in_channels = 3, p.out_channels = 5, p.kernel_h = p.kernel_w = 3;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    for (std::size_t w : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 33u}) {
      p.in_w = w, p.in_h = 4;
      check_conv2d(p, true, activations[w % 5], 60 + std::uint32_t(w), false);
    }
  }
  SECTION("past the size limit: the GEMM again, making its columns (150 taps, <= 64 channels)") {
    p.in_h = p.in_w = 64;  // 150 taps x 60 x 60 output pixels > 64 Ki
    CHECK(k::conv2d_workspace_size_f32(p) == 0);
    check_conv2d(p, true, Activation::none(), 80, false);
  }
}

TEST_CASE("conv2d_nchw_packed_f32: small planes with the roles swapped", "[kernels/conv]") {
  Conv2dParams p;
  p.batch = 2, p.in_channels = 24, p.out_channels = 40, p.in_h = p.in_w = 7;
  auto check_packed = [](const Conv2dParams& q, bool use_bias, const Activation& act,
                         std::uint32_t seed, inlay::Executor* executor) {
    INFO(describe(q) << (use_bias ? " bias" : "") << " activation " << int(act.op));
    REQUIRE(k::conv2d_packed_supports(q));
    const std::vector<float> x =
        inlay_test::random_floats(q.batch * q.in_channels * q.in_h * q.in_w, seed);
    const std::vector<float> w = inlay_test::random_floats(
        q.out_channels * q.in_channels * q.kernel_h * q.kernel_w, seed + 1);
    const std::vector<float> b = inlay_test::random_floats(q.out_channels, seed + 2);
    const float* bias = use_bias ? b.data() : nullptr;
    const std::vector<float> expected = inlay_ref::conv2d(q, x, w, bias, act);
    inlay_test::for_each_cpu_target([&] {
      std::vector<float> packed(k::conv2d_packed_weights_size_f32(q));
      k::conv2d_pack_weights_f32(q, w.data(), packed.data());
      // One guard float past the documented workspace and past y: never written.
      std::vector<float> ws(k::conv2d_packed_workspace_size_f32(q) + 1, 777.0f);
      std::vector<float> y(expected.size() + 1, 1234.5f);
      k::conv2d_nchw_packed_f32(q, x.data(), packed.data(), bias, y.data(), ws.data(), act,
                                executor);
      CHECK(ws.back() == 777.0f);
      CHECK(y.back() == 1234.5f);
      y.pop_back();
      inlay_test::check_close(y, expected, 1e-5f, 1e-5f);
    });
  };
  SECTION("pointwise 7x7 (no column matrix), every activation") {
    for (int a = 0; a < 5; ++a) check_packed(p, a % 2 == 0, activations[a], 200 + a, nullptr);
  }
  SECTION("3x3 pad 1, stride 2 and odd sizes, output channels not a multiple of 16") {
    p.kernel_h = p.kernel_w = 3, p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    p.out_channels = 72;  // past the direct kernel's 64
    check_packed(p, true, Activation::relu(), 210, nullptr);
    p.in_h = 15, p.in_w = 13, p.stride_h = p.stride_w = 2, p.out_channels = 17;
    check_packed(p, true, Activation::clip(0.0f, 6.0f), 211, nullptr);
    p.in_h = 16, p.in_w = 16, p.stride_h = p.stride_w = 1, p.kernel_h = p.kernel_w = 1;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 0;  // 256 pixels: the largest plane
    check_packed(p, false, Activation::none(), 212, nullptr);
  }
  SECTION("a ThreadPool(2) gives the serial bits") {
    p.in_channels = 64, p.out_channels = 96, p.kernel_h = p.kernel_w = 3, p.pad_top = 1;
    p.pad_left = p.pad_bottom = p.pad_right = 1;
    inlay::ThreadPool pool(2);
    check_packed(p, true, Activation::relu(), 220, &pool);
  }
  SECTION("which layers take it") {
    CHECK(k::conv2d_packed_supports(p));
    Conv2dParams q = p;
    q.in_h = q.in_w = 17;  // 289 output pixels
    CHECK_FALSE(k::conv2d_packed_supports(q));
    q = p, q.out_channels = 15;
    CHECK_FALSE(k::conv2d_packed_supports(q));
    q = p, q.groups = 2, q.out_channels = 32;
    CHECK_FALSE(k::conv2d_packed_supports(q));
    q = p, q.in_channels = 1, q.kernel_h = q.kernel_w = 3;  // a direct-kernel layer
    CHECK_FALSE(k::conv2d_packed_supports(q));
    std::vector<float> buf(4096);
    CHECK_THROWS_WITH(
        k::conv2d_nchw_packed_f32(q, buf.data(), buf.data(), nullptr, buf.data(), buf.data()),
        Catch::Contains("conv2d_packed") && Catch::Contains("packed path"));
  }
}

TEST_CASE("conv2d: empty and degenerate sizes", "[kernels/conv]") {
  Conv2dParams p;
  p.in_channels = 2, p.out_channels = 3, p.in_h = 4, p.in_w = 4, p.kernel_h = p.kernel_w = 3;
  SECTION("batch 0 writes nothing") {
    p.batch = 0;
    std::vector<float> w(3 * 2 * 9, 1.0f);
    // Null x, y and workspace: any access would crash.
    CHECK_NOTHROW(k::conv2d_nchw_f32(p, nullptr, w.data(), nullptr, nullptr, nullptr));
    CHECK_NOTHROW(k::conv_transpose2d_nchw_f32(p, nullptr, w.data(), nullptr, nullptr, nullptr));
    p.out_channels = p.groups = 2;
    CHECK_NOTHROW(k::depthwise_conv2d_nchw_f32(p, nullptr, w.data(), nullptr, nullptr));
  }
  SECTION("an empty input with padding gives act(bias)") {
    p.in_h = 0, p.pad_top = 2, p.pad_bottom = 1, p.pad_left = p.pad_right = 1;
    REQUIRE(p.out_h() == 1);
    check_conv2d(p, true, Activation::relu(), 7, false);
  }
  SECTION("a window larger than the padded input gives no output") {
    p.kernel_h = 5;
    REQUIRE(p.out_h() == 0);
    check_conv2d(p, true, Activation::none(), 8, false);
  }
  SECTION("out_channels 0") {
    p.out_channels = 0;
    check_conv2d(p, false, Activation::none(), 9, false);
  }
}

TEST_CASE("conv2d and depthwise_conv2d propagate NaN and Inf like the definition",
          "[kernels/conv]") {
  std::mt19937 rng(29);
  for (int iter = 0; iter < 10; ++iter) {
    const Conv2dParams p = random_params(rng, iter % 2 == 1);
    check_conv2d(p, true, Activation::none(), 300 + iter, iter % 2 == 1, true);
  }
}

TEST_CASE("depthwise_conv2d matches the direct definition on random shapes", "[kernels/conv]") {
  std::mt19937 rng(23);
  for (int iter = 0; iter < 60; ++iter) {
    Conv2dParams p = random_params(rng, true);
    if (iter % 3 == 0) p.in_w = inlay_test::random_size(rng, 30, 70);  // long interiors
    check_conv2d(p, iter % 2 == 1, activations[iter % 5], 200 + iter, true);
  }
}

TEST_CASE("depthwise_conv2d: MobileNet-like 3x3 layers, strides 1 and 2", "[kernels/conv]") {
  Conv2dParams p;
  p.in_channels = p.out_channels = p.groups = 5;
  p.in_h = 13, p.in_w = 29, p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  check_conv2d(p, true, Activation::relu6(), 41, true);
  p.stride_h = p.stride_w = 2;
  check_conv2d(p, true, Activation::relu6(), 42, true);
  p.out_channels = 10;  // channel multiplier 2
  check_conv2d(p, false, Activation::none(), 43, true);
}

TEST_CASE("depthwise_conv2d: rows and windows too large for the row cache take the direct path",
          "[kernels/conv]") {
  // The row cache holds 8192 floats (kernels/conv-inl.hpp); these shapes exceed it in each way.
  Conv2dParams p;
  p.in_channels = p.out_channels = p.groups = 2;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  SECTION("rows wider than the cache") {
    p.in_h = 3, p.in_w = 9000;
    check_conv2d(p, true, Activation::relu(), 51, true);
    p.stride_w = 3;
    check_conv2d(p, false, Activation::none(), 52, true);
  }
  SECTION("three dilated rows of 3000 floats") {
    p.in_h = 9, p.in_w = 3000, p.dilation_h = 2;
    check_conv2d(p, true, Activation::none(), 53, true);
  }
  SECTION("a kernel wider than 32 taps") {
    p.in_h = 2, p.in_w = 40, p.kernel_w = 33, p.pad_left = p.pad_right = 16;
    check_conv2d(p, true, Activation::none(), 54, true);
  }
  SECTION("a dilation spanning more than 128 rows") {
    p.in_h = 140, p.in_w = 5, p.dilation_h = 65;
    check_conv2d(p, false, Activation::none(), 55, true);
  }
}

TEST_CASE("conv_transpose2d matches the definition on random shapes", "[kernels/conv]") {
  std::mt19937 rng(31);
  for (int iter = 0; iter < 50; ++iter) {
    Conv2dParams p = random_params(rng, false);
    // ONNX: output_padding below stride or dilation; pads below the kernel extent.
    p.output_pad_h = inlay_test::random_size(rng, 0, std::max(p.stride_h, p.dilation_h) - 1);
    p.output_pad_w = inlay_test::random_size(rng, 0, std::max(p.stride_w, p.dilation_w) - 1);
    if (p.in_h == 1) p.output_pad_h = 0;
    check_conv_transpose2d(p, iter % 2 == 0, activations[iter % 5], 400 + iter);
  }
}

TEST_CASE("conv_transpose2d: strides 2 with output_padding, pads eating the whole output",
          "[kernels/conv]") {
  Conv2dParams p;
  p.batch = 2, p.in_channels = 4, p.out_channels = 6, p.groups = 2, p.in_h = 5, p.in_w = 9;
  p.kernel_h = p.kernel_w = 3, p.stride_h = p.stride_w = 2, p.output_pad_h = p.output_pad_w = 1;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  check_conv_transpose2d(p, true, Activation::relu(), 51);
  p.in_h = 1, p.in_w = 1, p.stride_h = p.stride_w = 1, p.output_pad_h = p.output_pad_w = 0;
  p.pad_top = p.pad_bottom = 2;  // 3 - 4 < 0: no rows
  REQUIRE(p.transposed_out_h() == 0);
  check_conv_transpose2d(p, true, Activation::none(), 52);
  p.batch = 0;
  check_conv_transpose2d(p, true, Activation::none(), 53);
}

TEST_CASE("conv kernels with a ThreadPool(2) equal the serial result", "[kernels/conv]") {
  inlay::ThreadPool pool(2);
  std::mt19937 rng(37);
  for (int iter = 0; iter < 8; ++iter) {
    Conv2dParams p = random_params(rng, false);
    p.batch = 3;
    const std::vector<float> x =
        inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, 500 + iter);
    const std::vector<float> w = inlay_test::random_floats(
        p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w, 600 + iter);
    const std::vector<float> b = inlay_test::random_floats(p.out_channels, 700 + iter);
    inlay_test::for_each_cpu_target([&] {
      const std::size_t out = p.batch * p.out_channels * p.out_h() * p.out_w();
      std::vector<float> serial(out), parallel(out, 1234.5f);
      std::vector<float> ws(k::conv2d_workspace_size_f32(p));
      k::conv2d_nchw_f32(p, x.data(), w.data(), b.data(), serial.data(), ws.data(),
                         Activation::relu());
      k::conv2d_nchw_f32(p, x.data(), w.data(), b.data(), parallel.data(), ws.data(),
                         Activation::relu(), &pool);
      inlay_test::check_close(parallel, serial, 0.0f, 0.0f);

      Conv2dParams d = p;
      d.groups = d.in_channels;
      d.out_channels = 2 * d.in_channels;
      const std::size_t dout = d.batch * d.out_channels * d.out_h() * d.out_w();
      const std::vector<float> dw =
          inlay_test::random_floats(d.out_channels * d.kernel_h * d.kernel_w, 900 + iter);
      const std::vector<float> db = inlay_test::random_floats(d.out_channels, 950 + iter);
      std::vector<float> dserial(dout), dparallel(dout, 1234.5f);
      k::depthwise_conv2d_nchw_f32(d, x.data(), dw.data(), db.data(), dserial.data());
      k::depthwise_conv2d_nchw_f32(d, x.data(), dw.data(), db.data(), dparallel.data(), {}, &pool);
      inlay_test::check_close(dparallel, dserial, 0.0f, 0.0f);
    });
    // Transposed: against the reference (the GEMM may split its sums differently in parallel).
    p.output_pad_h = p.output_pad_w = 0;
    check_conv_transpose2d(p, true, Activation::none(), 800 + iter, &pool);
  }
}

TEST_CASE("conv kernels split large layers over threads, small ones stay serial",
          "[kernels/conv]") {
  // Every path at a size worth threads (>= kMinParallelWork multiply-adds) runs parallel steps
  // and gives the serial bits; a LeNet-sized layer runs none.
  Conv2dParams im2col, direct, pointwise, dw_small, dw_cached;
  im2col.batch = 2, im2col.in_channels = 8, im2col.out_channels = 24;
  im2col.in_h = im2col.in_w = 30, im2col.kernel_h = im2col.kernel_w = 3, im2col.stride_h = 2;
  direct = im2col;
  direct.stride_h = 1, direct.in_h = direct.in_w = 20;  // 72 taps x 18 x 18 < 64 Ki
  pointwise = im2col;
  pointwise.kernel_h = pointwise.kernel_w = 1, pointwise.stride_h = 1, pointwise.in_channels = 64;
  dw_small = im2col;
  dw_small.in_channels = dw_small.groups = 96, dw_small.out_channels = 96;
  dw_small.in_h = dw_small.in_w = 14, dw_small.stride_h = 1, dw_small.pad_top = 1;
  dw_small.pad_left = dw_small.pad_bottom = dw_small.pad_right = 1;
  dw_cached = dw_small;
  dw_cached.in_channels = dw_cached.groups = dw_cached.out_channels = 32;
  dw_cached.in_h = dw_cached.in_w = 56, dw_cached.stride_h = dw_cached.stride_w = 2;
  for (const Conv2dParams& p : {im2col, direct, pointwise, dw_small, dw_cached}) {
    INFO(describe(p));
    const bool depthwise = p.groups > 1;
    const std::vector<float> x =
        inlay_test::random_floats(p.batch * p.in_channels * p.in_h * p.in_w, 41);
    const std::vector<float> w = inlay_test::random_floats(
        p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w, 42);
    const std::vector<float> b = inlay_test::random_floats(p.out_channels, 43);
    inlay_test::for_each_cpu_target([&] {
      const std::size_t out = p.batch * p.out_channels * p.out_h() * p.out_w();
      std::vector<float> serial(out), parallel(out, 1234.5f);
      std::vector<float> ws(k::conv2d_workspace_size_f32(p));
      inlay_test::CountingPool pool;
      if (depthwise) {
        k::depthwise_conv2d_nchw_f32(p, x.data(), w.data(), b.data(), serial.data(),
                                     Activation::relu());
        k::depthwise_conv2d_nchw_f32(p, x.data(), w.data(), b.data(), parallel.data(),
                                     Activation::relu(), &pool);
      } else {
        k::conv2d_nchw_f32(p, x.data(), w.data(), b.data(), serial.data(), ws.data(),
                           Activation::relu());
        k::conv2d_nchw_f32(p, x.data(), w.data(), b.data(), parallel.data(), ws.data(),
                           Activation::relu(), &pool);
      }
      CHECK(pool.runs > 0);
      inlay_test::check_close(parallel, serial, 0.0f, 0.0f);
    });
  }
  SECTION("LeNet's second layer: serial") {
    Conv2dParams p;
    p.in_channels = 6, p.out_channels = 16, p.in_h = p.in_w = 12, p.kernel_h = p.kernel_w = 5;
    const std::vector<float> x = inlay_test::random_floats(6 * 12 * 12, 44);
    const std::vector<float> w = inlay_test::random_floats(16 * 6 * 25, 45);
    std::vector<float> y(16 * 8 * 8), ws(k::conv2d_workspace_size_f32(p));
    inlay_test::CountingPool pool;
    k::conv2d_nchw_f32(p, x.data(), w.data(), nullptr, y.data(), ws.data(), {}, &pool);
    CHECK(pool.runs == 0);
    inlay_test::check_close(y, inlay_ref::conv2d(p, x, w, nullptr, {}), 1e-5f, 1e-5f);
  }
}

TEST_CASE("conv kernels reject inconsistent parameters, naming the field", "[kernels/conv]") {
  Conv2dParams p;
  p.in_channels = 8, p.out_channels = 6, p.in_h = p.in_w = 4, p.groups = 3;
  std::vector<float> buf(4096);
  float* b = buf.data();
  CHECK_THROWS_WITH(k::validate_conv2d(p),
                    "invalid argument: conv2d: groups (3) does not divide in_channels (8)");
  CHECK_THROWS_WITH(k::conv2d_nchw_f32(p, b, b, nullptr, b, b),
                    "invalid argument: conv2d: groups (3) does not divide in_channels (8)");
  p.in_channels = 9, p.out_channels = 4;
  CHECK_THROWS_WITH(k::conv_transpose2d_nchw_f32(p, b, b, nullptr, b, b),
                    "invalid argument: conv_transpose2d: groups (3) does not divide "
                    "out_channels (4)");
  p.out_channels = 9;
  CHECK_NOTHROW(k::validate_conv2d(p));
  CHECK_THROWS_WITH(k::depthwise_conv2d_nchw_f32(p, b, b, nullptr, b),
                    "invalid argument: depthwise_conv2d: groups (3) must equal in_channels (9)");
  p.stride_w = 0;
  CHECK_THROWS_WITH(k::validate_conv2d(p), "invalid argument: conv2d: stride_w is 0");
  p.stride_w = 1, p.dilation_h = 0;
  CHECK_THROWS_WITH(k::validate_conv2d(p), "invalid argument: conv2d: dilation_h is 0");
  p.dilation_h = 1, p.kernel_w = 0;
  CHECK_THROWS_WITH(k::validate_conv2d(p), "invalid argument: conv2d: kernel_w is 0");
  p.kernel_w = 1, p.groups = 0;
  CHECK_THROWS_WITH(k::validate_conv2d(p), "invalid argument: conv2d: groups is 0");
  p.groups = 1, p.in_channels = 0;
  CHECK_THROWS_WITH(k::validate_conv2d(p), "invalid argument: conv2d: in_channels is 0");
  p.in_channels = 9, p.stride_h = 2, p.output_pad_h = 2;
  CHECK_THROWS_WITH(k::conv_transpose2d_nchw_f32(p, b, b, nullptr, b, b),
                    "invalid argument: conv_transpose2d: output_pad_h (2) must be less than "
                    "stride_h or dilation_h");
  p.output_pad_h = 0, p.kernel_h = p.kernel_w = 3;
  // The direct kernel's padded planes (9 x 6 x 6); the GEMM path needs no workspace.
  p.stride_h = 1, p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  CHECK_THROWS_WITH(k::conv2d_nchw_f32(p, b, b, nullptr, b, nullptr),
                    "invalid argument: conv2d: workspace is null but 324 floats are needed");
  p.stride_h = 2, p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 0;
  CHECK_THROWS_WITH(k::conv2d_nchw_f32(p, nullptr, b, nullptr, b, b),
                    "invalid argument: conv2d: x is null but 144 floats are needed");
  p.groups = 2, p.out_channels = 3;
  try {
    k::validate_conv2d(p);
    FAIL("no error");
  } catch (const inlay::Error& e) { CHECK(e.kind() == inlay::ErrorKind::invalid_argument); }
}
