// The 8-bit depthwise convolution (kernels/qdepthwise.hpp) on every CPU target against the scalar
// reference (tests/reference/qgemm.hpp: integer_conv with one group per channel, then
// requantize), bit for bit: odd planes, strides, dilations, asymmetric padding, odd and even
// kernel widths (tap pairs with and without the zero-weight pad tap, the 6-pair form), rows
// longer than the column room, every signedness, per-tensor and per-channel zero points, scales
// and biases, differences of 255 in the int16 pairs, saturation, threads; and its errors.
#include <cstdint>
#include <random>
#include <vector>

#include "reference/qgemm.hpp"
#include "test_util.hpp"

namespace k = inlay::kernels;

namespace {

struct QdwCase {
  inlay_ref::IntegerConvShape s{1, 1, 1, 1, 1, 1, 1, 1};
  bool x_signed = false, w_signed = true, y_signed = false;
  std::int32_t x_zero = 0, y_zero = 0;
  std::vector<std::int32_t> x, w, w_zero, bias;  // bias empty, 1 or c values
  std::vector<float> scale;                      // 1 or c values
};

std::int32_t qdw_byte(std::mt19937& rng, bool is_signed) {
  const auto v = static_cast<std::int32_t>(rng() & 0xFF);
  return is_signed ? v - 128 : v;
}

QdwCase qdw_random(std::size_t c, std::size_t ih, std::size_t iw, std::size_t kh, std::size_t kw,
                   std::mt19937& rng) {
  QdwCase q;
  q.s = inlay_ref::IntegerConvShape{1 + rng() % 2, c, ih, iw, c, kh, kw, c};
  q.x_signed = rng() & 1;
  q.w_signed = (rng() & 3) != 0;
  q.y_signed = rng() & 1;
  q.x_zero = qdw_byte(rng, q.x_signed);
  q.y_zero = qdw_byte(rng, q.y_signed);
  q.x.resize(q.s.batch * c * ih * iw);
  q.w.resize(c * kh * kw);
  for (auto& v : q.x) v = qdw_byte(rng, q.x_signed);
  for (auto& v : q.w) v = qdw_byte(rng, q.w_signed);
  const bool per_channel = rng() & 1;
  q.w_zero.resize(per_channel ? c : 1);
  for (auto& v : q.w_zero) v = qdw_byte(rng, q.w_signed);
  q.scale.resize((rng() & 1) ? c : 1);
  // Multipliers of 1e-4 .. 4e-2: sums of up to 9 * 255 * 255 land across the whole output range
  // and past it (saturation).
  for (auto& v : q.scale) v = 1e-4f * static_cast<float>(1 + rng() % 400);
  const std::size_t bias = rng() % 3;
  q.bias.resize(bias == 0 ? 0 : bias == 1 ? 1 : c);
  for (auto& v : q.bias) v = static_cast<std::int32_t>(rng() % 200001) - 100000;
  return q;
}

std::vector<std::uint8_t> qdw_expected(const QdwCase& q) {
  const auto acc = inlay_ref::integer_conv(q.s, q.x, q.x_zero, q.w, q.w_zero);
  const std::size_t plane = q.s.oh() * q.s.ow();
  std::vector<std::uint8_t> out(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const std::size_t ch = i / plane % q.s.c;
    const std::int32_t bias = q.bias.empty() ? 0 : q.bias[q.bias.size() > 1 ? ch : 0];
    const float scale = q.scale[q.scale.size() > 1 ? ch : 0];
    out[i] = static_cast<std::uint8_t>(inlay_ref::requantize(
        acc[i], bias, scale, q.y_zero, q.y_signed ? -128 : 0, q.y_signed ? 127 : 255));
  }
  return out;
}

k::Conv2dParams qdw_params(const inlay_ref::IntegerConvShape& s) {
  k::Conv2dParams p;
  p.batch = s.batch;
  p.in_channels = p.out_channels = p.groups = s.c;
  p.in_h = s.ih;
  p.in_w = s.iw;
  p.kernel_h = s.kh;
  p.kernel_w = s.kw;
  p.stride_h = s.stride_h;
  p.stride_w = s.stride_w;
  p.dilation_h = s.dil_h;
  p.dilation_w = s.dil_w;
  p.pad_top = s.pad_t;
  p.pad_left = s.pad_l;
  p.pad_bottom = s.pad_b;
  p.pad_right = s.pad_r;
  return p;
}

// Runs the case on the current target; the bytes after the output must not change.
std::vector<std::uint8_t> qdw_run(const QdwCase& q, inlay::Executor* executor) {
  const k::Conv2dParams p = qdw_params(q.s);
  std::vector<std::uint8_t> x(q.x.size()), w(q.w.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::uint8_t>(q.x[i]);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::uint8_t>(q.w[i]);
  k::QDepthwiseOperands o;
  o.x = x.data();
  o.x_signed = q.x_signed;
  o.x_zero = q.x_zero;
  o.w = w.data();
  o.w_signed = q.w_signed;
  o.w_zero = q.w_zero.data();
  o.w_zero_per_channel = q.w_zero.size() > 1;
  const std::size_t n = q.s.batch * q.s.c * q.s.oh() * q.s.ow();
  std::vector<std::uint8_t> out(n + 16, 0xEE);
  k::QgemmEpilogue e;
  e.output = q.y_signed ? k::QgemmOutput::s8 : k::QgemmOutput::u8;
  e.c = out.data();
  e.bias = q.bias.empty() ? nullptr : q.bias.data();
  e.bias_axis = q.bias.size() > 1 ? k::QgemmAxis::per_row : k::QgemmAxis::per_tensor;
  e.scale = q.scale.data();
  e.scale_axis = q.scale.size() > 1 ? k::QgemmAxis::per_row : k::QgemmAxis::per_tensor;
  e.zero_point = q.y_zero;
  std::vector<std::uint8_t> ws(k::qdepthwise_workspace_size(p, executor) + 64);
  // 64-byte aligned, as the operators' scratch is.
  auto* aligned = ws.data() + (64 - reinterpret_cast<std::uintptr_t>(ws.data()) % 64) % 64;
  k::qdepthwise_conv2d(p, o, e, aligned, executor);
  for (std::size_t i = n; i < out.size(); ++i) CHECK(out[i] == 0xEE);
  out.resize(n);
  return out;
}

void qdw_check(const QdwCase& q, inlay::Executor* executor = nullptr) {
  const inlay_ref::IntegerConvShape& s = q.s;
  INFO("batch " << s.batch << " c " << s.c << " in " << s.ih << "x" << s.iw << " kernel " << s.kh
                << "x" << s.kw << " stride " << s.stride_h << "," << s.stride_w << " dilation "
                << s.dil_h << "," << s.dil_w << " pads " << s.pad_t << "," << s.pad_l << ","
                << s.pad_b << "," << s.pad_r << " signed x/w/y " << q.x_signed << q.w_signed
                << q.y_signed << " w_zero " << q.w_zero.size() << " scale " << q.scale.size()
                << " bias " << q.bias.size());
  const std::vector<std::uint8_t> want = qdw_expected(q);
  inlay_test::for_each_cpu_target([&] {
    const std::vector<std::uint8_t> got = qdw_run(q, executor);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < want.size(); ++i) bad += got[i] != want[i];
    CHECK(bad == 0);
  });
}

}  // namespace

TEST_CASE("qdepthwise_conv2d matches the reference on every target", "[kernels/qdepthwise]") {
  std::mt19937 rng(1501);
  struct Geometry {
    std::size_t ih, iw, kh, kw, stride_h, stride_w, dil_h, dil_w, pt, pl, pb, pr;
  };
  const Geometry shapes[] = {
      {7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},    // MobileNet's 7x7 planes
      {14, 14, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1},  // stride 2, TF-style padding
      {17, 33, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},  // odd plane, stride 2
      {5, 70, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1},   // stride 2, long rows, even left pad
      {4, 67, 3, 5, 1, 2, 1, 2, 1, 3, 1, 2},   // stride 2, dilation 2, odd left pad
      {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},    // one pixel
      {5, 41, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},   // 5x5
      {9, 11, 3, 3, 1, 1, 2, 2, 2, 1, 3, 2},   // dilated, asymmetric pads
      {8, 19, 2, 4, 3, 2, 1, 3, 0, 4, 1, 0},   // stride 3x2, dilation 1x3
      {3, 70, 1, 7, 1, 3, 1, 1, 0, 3, 0, 3},   // 1x7 with stride 3
      {6, 6, 3, 3, 1, 1, 1, 1, 4, 4, 4, 4},    // padding wider than the kernel
      {29, 2, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0},   // 3x1, two columns
      {4, 300, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  // rows past the 128-column room
      {5, 301, 3, 3, 2, 2, 1, 1, 0, 1, 1, 0},  // the same at stride 2
      {7, 9, 3, 4, 1, 1, 1, 1, 1, 2, 1, 1},    // 3x4: 6 tap pairs, none padded
      {12, 8, 6, 1, 2, 1, 1, 1, 2, 0, 3, 0},   // 6x1: 6 tap pairs, each padded
      {6, 40, 2, 7, 1, 2, 3, 1, 0, 5, 1, 4},   // 2x7 stride 1x2, dilation 3x1, odd left pad
  };
  for (const Geometry& g : shapes) {
    for (std::size_t c : {1, 3, 8}) {
      QdwCase q = qdw_random(c, g.ih, g.iw, g.kh, g.kw, rng);
      q.s.stride_h = g.stride_h;
      q.s.stride_w = g.stride_w;
      q.s.dil_h = g.dil_h;
      q.s.dil_w = g.dil_w;
      q.s.pad_t = g.pt;
      q.s.pad_l = g.pl;
      q.s.pad_b = g.pb;
      q.s.pad_r = g.pr;
      qdw_check(q);
    }
  }
}

TEST_CASE("qdepthwise_conv2d saturates, wraps the bias and rounds halves to even",
          "[kernels/qdepthwise]") {
  std::mt19937 rng(1502);
  QdwCase q = qdw_random(4, 6, 10, 3, 3, rng);
  q.s.pad_t = q.s.pad_l = q.s.pad_b = q.s.pad_r = 1;
  SECTION("extreme bytes and large multipliers") {
    q.x_signed = false;
    q.w_signed = true;
    q.x_zero = 0;
    q.w_zero = {0};
    for (std::size_t i = 0; i < q.x.size(); ++i) q.x[i] = i % 3 == 0 ? 255 : 0;
    for (std::size_t i = 0; i < q.w.size(); ++i) q.w[i] = i % 2 == 0 ? -128 : 127;
    q.scale = {1.0f, 0.5f, 0.01f, 1e-6f};
    qdw_check(q);
  }
  SECTION("differences of 255, the int16 pairs' widest") {
    // x - x_zero = -255 everywhere, w - w_zero = +-255 or 0: exact sums of +-65025 products.
    q.x_signed = false;
    q.w_signed = false;
    q.x_zero = 255;
    for (auto& v : q.x) v = 0;
    q.w_zero = {0, 255, 0, 255};
    for (std::size_t i = 0; i < q.w.size(); ++i) q.w[i] = i % 3 == 0 ? 0 : 255;
    q.scale = {1e-4f};
    q.bias.clear();
    qdw_check(q);
  }
  SECTION("a bias that wraps int32") {
    q.bias = {2147483647, -2147483647 - 1, 2147480000, 5};
    qdw_check(q);
  }
  SECTION("sums that land on halves") {
    // Multiplier 0.5 (exact in float): odd sums land on .5 and round to the even neighbour.
    q.scale = {0.5f};
    q.bias.clear();
    for (auto& v : q.x) v = static_cast<std::int32_t>(rng() % 3) + (q.x_signed ? -1 : 0);
    q.x_zero = 0;
    qdw_check(q);
  }
}

TEST_CASE("qdepthwise_conv2d gives the same bytes on 1, 2 and 3 threads", "[kernels/qdepthwise]") {
  std::mt19937 rng(1503);
  QdwCase q = qdw_random(37, 40, 45, 3, 3, rng);
  q.s.pad_t = q.s.pad_l = q.s.pad_b = q.s.pad_r = 1;
  q.s.batch = 2;
  q.x.resize(2 * 37 * 40 * 45);
  for (auto& v : q.x) v = qdw_byte(rng, q.x_signed);
  inlay::ThreadPool pool2(2), pool3(3);
  qdw_check(q, &pool2);
  qdw_check(q, &pool3);
}

TEST_CASE("qdepthwise_conv2d refuses bad parameters", "[kernels/qdepthwise]") {
  std::mt19937 rng(1504);
  QdwCase q = qdw_random(4, 5, 5, 3, 3, rng);
  const k::Conv2dParams good = qdw_params(q.s);
  std::vector<std::uint8_t> x(4 * 25 * 2), w(36), y(4 * 9 * 2);
  std::vector<std::uint8_t> ws(k::qdepthwise_workspace_size(good) + 64);
  const std::int32_t wz = 0;
  const float scale = 0.01f;
  k::QDepthwiseOperands o;
  o.x = x.data();
  o.w = w.data();
  o.w_zero = &wz;
  k::QgemmEpilogue e;
  e.output = k::QgemmOutput::u8;
  e.c = y.data();
  e.scale = &scale;
  REQUIRE_NOTHROW(k::qdepthwise_conv2d(good, o, e, ws.data()));
  k::Conv2dParams grouped = good;
  grouped.groups = 2;
  CHECK_THROWS_AS(k::qdepthwise_conv2d(grouped, o, e, ws.data()), inlay::Error);
  k::Conv2dParams zero_stride = good;
  zero_stride.stride_w = 0;
  CHECK_THROWS_AS(k::qdepthwise_conv2d(zero_stride, o, e, ws.data()), inlay::Error);
  k::QgemmEpilogue s32 = e;
  s32.output = k::QgemmOutput::s32;
  CHECK_THROWS_AS(k::qdepthwise_conv2d(good, o, s32, ws.data()), inlay::Error);
  k::QgemmEpilogue per_column = e;
  per_column.scale_axis = k::QgemmAxis::per_column;
  CHECK_THROWS_AS(k::qdepthwise_conv2d(good, o, per_column, ws.data()), inlay::Error);
  k::QgemmEpilogue bad_zero = e;
  bad_zero.zero_point = 256;
  CHECK_THROWS_AS(k::qdepthwise_conv2d(good, o, bad_zero, ws.data()), inlay::Error);
  k::QDepthwiseOperands bad_x_zero = o;
  bad_x_zero.x_signed = true;
  bad_x_zero.x_zero = 128;
  CHECK_THROWS_AS(k::qdepthwise_conv2d(good, bad_x_zero, e, ws.data()), inlay::Error);
  k::QDepthwiseOperands no_w = o;
  no_w.w = nullptr;
  CHECK_THROWS_AS(k::qdepthwise_conv2d(good, no_w, e, ws.data()), inlay::Error);
  CHECK_THROWS_AS(k::qdepthwise_conv2d(good, o, e, nullptr), inlay::Error);
}
