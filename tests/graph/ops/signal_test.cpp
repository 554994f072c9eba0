// Graph-door tests of the signal-processing ops (include/inlay/graph/ops/signal.hpp): windows and
// mel matrices worked out by hand, DFT and STFT against a naive sum written here (both the FFT
// and the direct path of the kernel), and the errors for shapes, lengths and attributes that do
// not fit.
#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

const double pi = std::acos(-1.0);

Tensor i32_scalar(std::int32_t v) { return make_tensor<std::int32_t>(Shape{}, {v}); }

std::vector<float> uniform_floats(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// The DFT of `x` by its definition, one e^(-+2 pi i jk / n) at a time.
std::vector<std::complex<double>> naive_dft(const std::vector<std::complex<double>>& x,
                                            bool inverse) {
  const std::size_t n = x.size();
  std::vector<std::complex<double>> y(n);
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t j = 0; j < n; ++j) {
      const double a =
          (inverse ? 2 : -2) * pi * static_cast<double>(j * k % n) / static_cast<double>(n);
      y[k] += x[j] * std::polar(1.0, a);
    }
    if (inverse) y[k] /= static_cast<double>(n);
  }
  return y;
}

// DFT of x [outer, len, inner, channels] along len, padded/truncated to n, keeping `keep` bins:
// [outer, keep, inner, 2].
std::vector<float> reference_dft(const std::vector<float>& x, std::int64_t outer, std::int64_t len,
                                 std::int64_t inner, std::int64_t channels, std::int64_t n,
                                 std::int64_t keep, bool inverse) {
  std::vector<float> y;
  y.resize(static_cast<std::size_t>(outer * keep * inner * 2));
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      std::vector<std::complex<double>> line(static_cast<std::size_t>(n));
      for (std::int64_t j = 0; j < std::min(n, len); ++j) {
        const std::size_t at = static_cast<std::size_t>(((o * len + j) * inner + i) * channels);
        line[static_cast<std::size_t>(j)] = {x[at], channels == 2 ? x[at + 1] : 0.0f};
      }
      const auto f = naive_dft(line, inverse);
      for (std::int64_t k = 0; k < keep; ++k) {
        const std::size_t at = static_cast<std::size_t>(((o * keep + k) * inner + i) * 2);
        y[at] = static_cast<float>(f[static_cast<std::size_t>(k)].real());
        y[at + 1] = static_cast<float>(f[static_cast<std::size_t>(k)].imag());
      }
    }
  }
  return y;
}

}  // namespace

TEST_CASE("Hann, Hamming and Blackman windows", "[graph/ops/signal]") {
  // Periodic size 4: angles 0, pi/2, pi, 3pi/2.
  OpTester("HannWindow", 17)
      .in(i32_scalar(4))
      .check({make_tensor<float>(Shape{4}, {0, 0.5f, 1, 0.5f})});
  OpTester("HammingWindow", 17)
      .in(scalar_i64(4))
      .check({make_tensor<float>(Shape{4}, {4.0f / 46, 25.0f / 46, 1, 25.0f / 46})});
  OpTester("BlackmanWindow", 17)
      .in(i32_scalar(4))
      .check({make_tensor<float>(Shape{4}, {0, 0.34f, 1, 0.34f})});
  // Symmetric: angles 2 pi k / (size - 1), so both ends are the same.
  OpTester("HannWindow", 17)
      .in(i32_scalar(5))
      .attr("periodic", std::int64_t{0})
      .check({make_tensor<float>(Shape{5}, {0, 0.5f, 1, 0.5f, 0})});
  OpTester("BlackmanWindow", 17)
      .in(i32_scalar(3))
      .attr("periodic", std::int64_t{0})
      .check({make_tensor<float>(Shape{3}, {0, 1, 0})});
  OpTester("HammingWindow", 17)
      .in(i32_scalar(3))
      .attr("periodic", std::int64_t{0})
      .check({make_tensor<float>(Shape{3}, {4.0f / 46, 1, 4.0f / 46})});
  // output_datatype: double (11) and int32 (6, truncated as Cast does).
  OpTester("HannWindow", 17)
      .in(i32_scalar(4))
      .attr("output_datatype", std::int64_t{11})
      .check({make_tensor<double>(Shape{4}, {0, 0.5, 1, 0.5})}, {1e-12, 1e-12});
  OpTester("HannWindow", 17)
      .in(i32_scalar(4))
      .attr("output_datatype", std::int64_t{6})
      .check({make_tensor<std::int32_t>(Shape{4}, {0, 0, 1, 0})});
  // Sizes 0 and 1 (a symmetric window of one point is [1]).
  OpTester("HannWindow", 17).in(i32_scalar(0)).check({Tensor(DType::f32, Shape{0})});
  OpTester("HannWindow", 17)
      .in(i32_scalar(1))
      .attr("periodic", std::int64_t{0})
      .check({make_tensor<float>(Shape{1}, {1})});
  // A longer window against the formula with the period spelled out.
  std::vector<float> want(33);
  for (std::size_t k = 0; k < want.size(); ++k)
    want[k] = static_cast<float>(0.42 - 0.5 * std::cos(2 * pi * static_cast<double>(k) / 32) +
                                 0.08 * std::cos(4 * pi * static_cast<double>(k) / 32));
  OpTester("BlackmanWindow", 17)
      .in(i32_scalar(33))
      .attr("periodic", std::int64_t{0})
      .check({make_tensor<float>(Shape{33}, want)}, {1e-5, 1e-6});
}

TEST_CASE("Windows name what is wrong", "[graph/ops/signal]") {
  OpTester("HannWindow", 17)
      .in(i32_scalar(-1))
      .expect_run_error(ErrorKind::invalid_argument, "size -1 is negative");
  OpTester("HannWindow", 17)
      .in(make_tensor<std::int32_t>(Shape{2}, {3, 4}))
      .expect_run_error(ErrorKind::invalid_model, "size must hold one value");
  OpTester("HannWindow", 17)
      .in(scalar_f32(4))
      .expect_run_error(ErrorKind::invalid_model, "size must be int64 or int32");
  OpTester("HammingWindow", 17)
      .in(i32_scalar(4))
      .attr("periodic", std::int64_t{2})
      .expect_load_error(ErrorKind::invalid_model, "periodic 2");
  OpTester("BlackmanWindow", 17)
      .in(i32_scalar(4))
      .attr("output_datatype", std::int64_t{9})
      .expect_load_error(ErrorKind::invalid_model, "output_datatype must be numeric");
  OpTester("BlackmanWindow", 17)
      .in(i32_scalar(4))
      .attr("output_datatype", std::int64_t{999})
      .expect_load_error(ErrorKind::unsupported_op, "output_datatype 999");
}

TEST_CASE("DFT of real and complex signals along any axis", "[graph/ops/signal]") {
  // By hand: DFT [1, 2, 3, 4] = [10, -2 + 2i, -2, -2 - 2i].
  OpTester("DFT", 17)
      .in(make_tensor<float>(Shape{1, 4, 1}, {1, 2, 3, 4}))
      .check({make_tensor<float>(Shape{1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2})});
  // ... onesided keeps bins 0 .. 2; the inverse of the full result gives [1, 2, 3, 4] back.
  OpTester("DFT", 17)
      .in(make_tensor<float>(Shape{1, 4, 1}, {1, 2, 3, 4}))
      .attr("onesided", std::int64_t{1})
      .check({make_tensor<float>(Shape{1, 3, 2}, {10, 0, -2, 2, -2, 0})});
  OpTester("DFT", 17)
      .in(make_tensor<float>(Shape{1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2}))
      .attr("inverse", std::int64_t{1})
      .check({make_tensor<float>(Shape{1, 4, 2}, {1, 0, 2, 0, 3, 0, 4, 0})});

  // Real [2, 6, 3, 1] along axis 1 (length 6: the direct sum) and axis 2 (length 3), and with
  // dft_length 8 (padded: the FFT) and 4 (truncated).
  const std::vector<float> real = uniform_floats(36, 1);
  const Tensor x = make_tensor<float>(Shape{2, 6, 3, 1}, real);
  OpTester("DFT", 17)
      .in(x)
      .attr("axis", std::int64_t{1})
      .check({make_tensor<float>(Shape{2, 6, 3, 2}, reference_dft(real, 2, 6, 3, 1, 6, 6, false))});
  OpTester("DFT", 17)
      .in(x)
      .attr("axis", std::int64_t{-2})
      .check(
          {make_tensor<float>(Shape{2, 6, 3, 2}, reference_dft(real, 12, 3, 1, 1, 3, 3, false))});
  OpTester("DFT", 17)
      .in(x)
      .in(scalar_i64(8))
      .check({make_tensor<float>(Shape{2, 8, 3, 2}, reference_dft(real, 2, 6, 3, 1, 8, 8, false))});
  OpTester("DFT", 17)
      .in(x)
      .in(i32_scalar(4))
      .attr("onesided", std::int64_t{1})
      .check({make_tensor<float>(Shape{2, 3, 3, 2}, reference_dft(real, 2, 6, 3, 1, 4, 3, false))});

  // Complex [3, 16, 2] (the FFT) and [3, 12, 2], forward and inverse, float and double.
  for (std::int64_t n : {std::int64_t{16}, std::int64_t{12}}) {
    INFO("length " << n);
    const std::vector<float> c = uniform_floats(static_cast<std::size_t>(3 * n * 2), 2);
    for (bool inverse : {false, true}) {
      OpTester("DFT", 17)
          .in(make_tensor<float>(Shape{3, n, 2}, c))
          .attr("inverse", std::int64_t{inverse})
          .check({make_tensor<float>(Shape{3, n, 2}, reference_dft(c, 3, n, 1, 2, n, n, inverse))});
    }
    const std::vector<float> ref = reference_dft(c, 3, n, 1, 2, n, n, false);
    OpTester("DFT", 17)
        .in(make_tensor<double>(Shape{3, n, 2}, std::vector<double>(c.begin(), c.end())))
        .check({make_tensor<double>(Shape{3, n, 2}, std::vector<double>(ref.begin(), ref.end()))},
               {1e-6, 1e-6});
  }
  // A longer power of two (many FFT stages) against the naive sum.
  const std::vector<float> long_signal = uniform_floats(256, 3);
  OpTester("DFT", 17)
      .in(make_tensor<float>(Shape{1, 256, 1}, long_signal))
      .check({make_tensor<float>(Shape{1, 256, 2},
                                 reference_dft(long_signal, 1, 256, 1, 1, 256, 256, false))});
}

TEST_CASE("DFT names what is wrong", "[graph/ops/signal]") {
  const Tensor x = Tensor(DType::f32, Shape{1, 4, 1});
  OpTester("DFT", 17)
      .in(Tensor(DType::f32, Shape{4, 1}))
      .expect_run_error(ErrorKind::shape_mismatch, "input must be [batch, signal..., 1 or 2]");
  OpTester("DFT", 17)
      .in(Tensor(DType::f32, Shape{1, 4, 3}))
      .expect_run_error(ErrorKind::shape_mismatch, "input must be [batch, signal..., 1 or 2]");
  OpTester("DFT", 17)
      .in(x)
      .attr("axis", std::int64_t{-1})
      .expect_run_error(ErrorKind::invalid_model, "real/imaginary dim");
  OpTester("DFT", 17)
      .in(x)
      .attr("axis", std::int64_t{3})
      .expect_run_error(ErrorKind::invalid_model, "axis 3 is out of range");
  OpTester("DFT", 17)
      .in(Tensor(DType::f32, Shape{1, 4, 2}))
      .attr("onesided", std::int64_t{1})
      .expect_run_error(ErrorKind::invalid_argument, "onesided needs a real input");
  OpTester("DFT", 17)
      .in(x)
      .attr("onesided", std::int64_t{1})
      .attr("inverse", std::int64_t{1})
      .expect_load_error(ErrorKind::invalid_model, "inverse and onesided");
  OpTester("DFT", 17)
      .in(x)
      .in(scalar_i64(0))
      .expect_run_error(ErrorKind::invalid_argument, "dft_length 0 is not positive");
  OpTester("DFT", 17)
      .in(x)
      .in(make_tensor<std::int64_t>(Shape{2}, {4, 4}))
      .expect_run_error(ErrorKind::invalid_model, "dft_length must hold one value");
  OpTester("DFT", 17)
      .in(Tensor(DType::i32, Shape{1, 4, 1}))
      .expect_run_error(ErrorKind::unsupported_op, "dtype i32");
  OpTester("DFT", 20).in(x).expect_load_error(ErrorKind::unsupported_op, "opset 20");
}

TEST_CASE("STFT frames, windows and one-sided spectra", "[graph/ops/signal]") {
  const std::int64_t batch = 2, length = 21;
  const std::vector<float> s = uniform_floats(static_cast<std::size_t>(batch * length), 4);
  const Tensor signal = make_tensor<float>(Shape{batch, length, 1}, s);
  // The frames cut out and windowed here, each transformed by the naive DFT.
  auto reference = [&](const std::vector<float>& sig, std::int64_t channels, std::int64_t step,
                       std::int64_t frame, const std::vector<float>& window, bool onesided) {
    const std::int64_t frames = (length - frame) / step + 1;
    const std::int64_t bins = onesided ? frame / 2 + 1 : frame;
    std::vector<float> cut;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t f = 0; f < frames; ++f)
        for (std::int64_t j = 0; j < frame; ++j)
          for (std::int64_t c = 0; c < channels; ++c)
            cut.push_back(
                sig[static_cast<std::size_t>((b * length + f * step + j) * channels + c)] *
                (window.empty() ? 1.0f : window[static_cast<std::size_t>(j)]));
    return make_tensor<float>(
        Shape{batch, frames, bins, 2},
        reference_dft(cut, batch * frames, frame, 1, channels, frame, bins, false));
  };
  // frame_length 8 without a window (the FFT), step 3: 5 frames of 5 bins.
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(3))
      .none()
      .in(scalar_i64(8))
      .check({reference(s, 1, 3, 8, {}, true)});
  // A window of 6 (the direct sum) gives the frame length; two-sided.
  const std::vector<float> window = uniform_floats(6, 5);
  OpTester("STFT", 17)
      .in(signal)
      .in(i32_scalar(4))
      .in(make_tensor<float>(Shape{6}, window))
      .attr("onesided", std::int64_t{0})
      .check({reference(s, 1, 4, 6, window, false)});
  // Both window and frame_length; one-sided.
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(5))
      .in(make_tensor<float>(Shape{6}, window))
      .in(scalar_i64(6))
      .check({reference(s, 1, 5, 6, window, true)});
  // A complex signal, two-sided.
  const std::vector<float> c = uniform_floats(static_cast<std::size_t>(batch * length * 2), 6);
  OpTester("STFT", 17)
      .in(make_tensor<float>(Shape{batch, length, 2}, c))
      .in(scalar_i64(7))
      .none()
      .in(scalar_i64(7))
      .attr("onesided", std::int64_t{0})
      .check({reference(c, 2, 7, 7, {}, false)});
}

TEST_CASE("STFT names what is wrong", "[graph/ops/signal]") {
  const Tensor signal = Tensor(DType::f32, Shape{1, 16, 1});
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(4))
      .expect_run_error(ErrorKind::invalid_model, "needs a window or a frame_length");
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(4))
      .in(Tensor(DType::f32, Shape{8}))
      .in(scalar_i64(6))
      .expect_run_error(ErrorKind::shape_mismatch, "does not match frame_length 6");
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(4))
      .none()
      .in(scalar_i64(17))
      .expect_run_error(ErrorKind::invalid_argument, "frame_length 17 is outside");
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(0))
      .none()
      .in(scalar_i64(4))
      .expect_run_error(ErrorKind::invalid_argument, "frame_step 0 is not positive");
  OpTester("STFT", 17)
      .in(Tensor(DType::f32, Shape{1, 16}))
      .in(scalar_i64(4))
      .none()
      .in(scalar_i64(4))
      .expect_run_error(ErrorKind::shape_mismatch, "signal must be [batch, length, 1 or 2]");
  OpTester("STFT", 17)
      .in(Tensor(DType::f32, Shape{1, 16, 2}))
      .in(scalar_i64(4))
      .none()
      .in(scalar_i64(4))
      .expect_run_error(ErrorKind::invalid_argument, "onesided needs a real signal");
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(4))
      .in(Tensor(DType::f32, Shape{2, 4}))
      .expect_run_error(ErrorKind::shape_mismatch, "window must be 1-D");
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(4))
      .in(Tensor(DType::f64, Shape{4}))
      .expect_run_error(ErrorKind::invalid_model, "window has dtype f64");
  OpTester("STFT", 17)
      .in(signal)
      .in(scalar_i64(4))
      .attr("onesided", std::int64_t{3})
      .expect_load_error(ErrorKind::invalid_model, "onesided 3");
}

namespace {

OpTester mel(std::int32_t bins, std::int32_t dft_length, std::int32_t rate, float lower,
             float upper) {
  OpTester t("MelWeightMatrix", 17);
  t.in(i32_scalar(bins))
      .in(i32_scalar(dft_length))
      .in(i32_scalar(rate))
      .in(scalar_f32(lower))
      .in(scalar_f32(upper));
  return t;
}

}  // namespace

TEST_CASE("MelWeightMatrix triangles", "[graph/ops/signal]") {
  // One band, dft_length 32 at 1000 Hz, 0 .. 400 Hz: mel(400) = 2595 log10(1 + 4/7) = 509.4,
  // edges every 509.4 / 3 mel at 0, 113.8 and 246.2 Hz, i.e. bins floor(33 f / 1000) = 0, 3, 8:
  // rising over bins 0..3, falling over 3..7.
  std::vector<float> one(17, 0.0f);
  const float col[] = {0, 1.0f / 3, 2.0f / 3, 1, 0.8f, 0.6f, 0.4f, 0.2f};
  for (std::size_t j = 0; j < 8; ++j) one[j] = col[j];
  mel(1, 32, 1000, 0, 400).check({make_tensor<float>(Shape{17, 1}, one)});
  // Three bands, dft_length 10 at 1000 Hz, 50 .. 450 Hz: edges at bins 0, 1, 2, 2, 3. Band 0
  // rises 0 -> 1 over bins 0..1 and falls after; band 1 rises over 1..2 and has no falling
  // side; band 2's first two edges coincide (1 at bin 2).
  mel(3, 10, 1000, 50, 450)
      .check({make_tensor<float>(Shape{6, 3},
                                 {0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})});
  // output_datatype double (11).
  mel(3, 10, 1000, 50, 450)
      .attr("output_datatype", std::int64_t{11})
      .check({make_tensor<double>(Shape{6, 3},
                                  {0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})});
}

TEST_CASE("MelWeightMatrix names what is wrong", "[graph/ops/signal]") {
  mel(0, 16, 8000, 0, 4000).expect_run_error(ErrorKind::invalid_argument, "must be positive");
  mel(8, 0, 8000, 0, 4000).expect_run_error(ErrorKind::invalid_argument, "must be positive");
  mel(8, 16, 8000, 100, 50).expect_run_error(ErrorKind::invalid_argument, "lower_edge_hertz");
  mel(8, 16, 8000, -10, 50).expect_run_error(ErrorKind::invalid_argument, "lower_edge_hertz");
  // 40 kHz at 8 kHz sampling: the edges run past the 9 bins.
  mel(8, 16, 8000, 0, 40000).expect_run_error(ErrorKind::invalid_argument, "past the 9");
  OpTester("MelWeightMatrix", 17)
      .in(i32_scalar(8))
      .in(i32_scalar(16))
      .in(i32_scalar(8000))
      .in(i32_scalar(0))
      .in(scalar_f32(4000))
      .expect_run_error(ErrorKind::invalid_model, "lower_edge_hertz must be float");
  OpTester("MelWeightMatrix", 17)
      .in(scalar_f32(8))
      .in(i32_scalar(16))
      .in(i32_scalar(8000))
      .in(scalar_f32(0))
      .in(scalar_f32(4000))
      .expect_run_error(ErrorKind::invalid_model, "num_mel_bins must be int64 or int32");
  mel(8, 16, 8000, 0, 4000)
      .attr("output_datatype", std::int64_t{9})
      .expect_load_error(ErrorKind::invalid_model, "output_datatype must be numeric");
}

TEST_CASE("Signal ops: huge sizes are errors, empty batches and float16 work",
          "[graph/ops/signal]") {
  // Sizes beyond what may be allocated fail naming the output, before any table is built. (The
  // sanitizers' allocators abort on such a request instead of failing it.)
#if INLAY_TEST_PLAIN_ALLOCATOR
  OpTester("HannWindow", 17)
      .in(scalar_i64(std::int64_t{1} << 50))
      .expect_run_error(ErrorKind::invalid_model, "cannot be allocated");
  mel(1 << 30, 1 << 30, 8000, 0, 4000)
      .expect_run_error(ErrorKind::invalid_model, "cannot be allocated");
  OpTester("DFT", 17)
      .in(Tensor(DType::f32, Shape{1, 4, 1}))
      .in(scalar_i64(std::int64_t{1} << 50))
      .expect_run_error(ErrorKind::invalid_model, "cannot be allocated");
#endif
  // An empty batch with a huge dft_length: an empty output, no transform.
  OpTester("DFT", 17)
      .in(Tensor(DType::f32, Shape{0, 4, 1}))
      .in(scalar_i64(std::int64_t{1} << 50))
      .check({Tensor(DType::f32, Shape{0, std::int64_t{1} << 50, 2})});
  // float16 windows (output_datatype 10) and a float16 DFT.
  OpTester("HannWindow", 17)
      .in(i32_scalar(4))
      .attr("output_datatype", std::int64_t{10})
      .check(
          {make_tensor<inlay::float16>(Shape{4}, {inlay::to_float16(0), inlay::to_float16(0.5f),
                                                  inlay::to_float16(1), inlay::to_float16(0.5f)})});
  auto f16 = [](const std::vector<float>& v) {
    std::vector<inlay::float16> h;
    for (float x : v) h.push_back(inlay::to_float16(x));
    return h;
  };
  OpTester("DFT", 17)
      .in(make_tensor<inlay::float16>(Shape{1, 4, 1}, f16({1, 2, 3, 4})))
      .check({make_tensor<inlay::float16>(Shape{1, 4, 2}, f16({10, 0, -2, 2, -2, 0, -2, -2}))});
}
