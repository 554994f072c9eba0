// Signal-processing ops (opset 17): the cosine-sum windows (HannWindow, HammingWindow,
// BlackmanWindow), DFT, STFT and MelWeightMatrix, the front end of audio models (spectrograms).
// Transforms are computed in double: a radix-2 FFT where the length is a power of two, a direct
// O(n^2) sum with a twiddle table otherwise. Implementation-only.
#ifndef INLAY_GRAPH_OPS_SIGNAL_HPP
#define INLAY_GRAPH_OPS_SIGNAL_HPP

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/onnx/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

using SignalFloatTypes = TypeList<float, double, float16>;
// Every numeric output dtype a window or mel matrix may be asked for (output_datatype).
using SignalOutputTypes =
    TypeList<float, double, float16, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t,
             std::int32_t, std::uint32_t, std::int64_t, std::uint64_t>;

constexpr double signal_pi = 3.14159265358979323846;

// The dtype named by the attribute `output_datatype` (an ONNX TensorProto data type, default
// float); unsupported_op for types inlay has no dtype for, invalid_model for bool (not numeric).
inline DType output_datatype_of(const OpInfo& info) {
  const std::int64_t code = info.get_int("output_datatype", 1);
  DType dtype = DType::f32;
  if (code < 0 || code > std::numeric_limits<std::int32_t>::max() ||
      !onnx::to_dtype(static_cast<std::int32_t>(code), dtype)) {
    info.fail(ErrorKind::unsupported_op, "output_datatype " + std::to_string(code) + " (" +
                                             onnx::data_type_name(static_cast<std::int32_t>(code)) +
                                             ") is not supported");
  }
  if (dtype == DType::boolean) {
    info.fail(ErrorKind::invalid_model, "output_datatype must be numeric, not bool");
  }
  return dtype;
}

// A scalar (0-D or one-element) int32/int64 input such as a size or a length.
inline std::int64_t int_scalar_input(const OpInfo& info, const Tensor& t, const char* what) {
  const std::vector<std::int64_t> v = read_ints(info, t, what);
  if (v.size() != 1) {
    info.fail(ErrorKind::invalid_model, std::string(what) + " must hold one value, not " +
                                            std::to_string(v.size()) + " (shape " +
                                            t.shape().to_string() + ")");
  }
  return v[0];
}

// Output 0 of `dtype` and `shape` with element i = value(i), converted as Cast would. The
// output is allocated first, so that a size too large is the runner's Error, not a bad_alloc.
template <class F>
void write_generated(OpContext& ctx, DType dtype, const Shape& shape, F&& value) {
  Tensor& y = ctx.output(0, dtype, shape);
  visit_dtype(
      ctx.info(), dtype,
      [&](auto tag) {
        using T = decltype(tag);
        T* p = y.data<T>();
        for (std::int64_t i = 0; i < y.numel(); ++i) p[i] = convert_to<T>(value(i));
      },
      SignalOutputTypes{});
}

// ---- windows

// HannWindow, HammingWindow, BlackmanWindow: w[k] = a0 - a1 cos(t k) + a2 cos(2 t k) for
// k in [0, size), t = 2 pi / size (periodic) or 2 pi / (size - 1) (symmetric). Coefficients as the
// ONNX function bodies; Hamming's are the exact 25/46 and 21/46 (Harris, Proc. IEEE 66(1), 1978,
// the paper the spec cites), not 0.54 and 0.46. A symmetric window of size 1 is [1], as
// numpy.hanning(1).
class CosineWindowKernel final : public OpKernel {
 public:
  CosineWindowKernel(const OpInfo& info, double a0, double a1, double a2)
      : a0_(a0), a1_(a1), a2_(a2), dtype_(output_datatype_of(info)) {
    const std::int64_t periodic = info.get_int("periodic", 1);
    if (periodic != 0 && periodic != 1) {
      info.fail(ErrorKind::invalid_model,
                "periodic " + std::to_string(periodic) + " is not 0 (symmetric) or 1 (periodic)");
    }
    periodic_ = periodic == 1;
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const std::int64_t size = int_scalar_input(info, ctx.input(0), "size");
    if (size < 0) {
      info.fail(ErrorKind::invalid_argument, "size " + std::to_string(size) + " is negative");
    }
    const std::int64_t period = periodic_ ? size : size - 1;
    write_generated(ctx, dtype_, Shape{size}, [&](std::int64_t k) {
      if (period == 0) return 1.0;
      const double t = 2 * signal_pi * static_cast<double>(k) / static_cast<double>(period);
      return a0_ - a1_ * std::cos(t) + a2_ * std::cos(2 * t);
    });
  }

 private:
  double a0_, a1_, a2_;
  DType dtype_;
  bool periodic_ = true;
};

// ---- the transform

// The discrete Fourier transform of length n: X[k] = sum_j x[j] e^(-2 pi i jk / n), or with
// inverse e^(+2 pi i jk / n) / n. Built once per length; transform() is const.
class FourierTransform {
 public:
  using complex = std::complex<double>;

  FourierTransform(std::int64_t n, bool inverse) : n_(n), inverse_(inverse) {
    power_of_two_ = n > 0 && (n & (n - 1)) == 0;
    // Twiddles e^(-+2 pi i k / n), each from its own angle so that no error accumulates.
    const double sign = inverse ? 1.0 : -1.0;
    twiddle_.resize(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
      const double a = sign * 2 * signal_pi * static_cast<double>(k) / static_cast<double>(n);
      twiddle_[static_cast<std::size_t>(k)] = complex(std::cos(a), std::sin(a));
    }
  }

  std::int64_t length() const { return n_; }

  // Transforms `data` (n values) in place; `scratch` is reused between calls.
  void transform(complex* data, std::vector<complex>& scratch) const {
    if (n_ <= 1) return;
    if (power_of_two_) {
      fft(data);
    } else {
      direct(data, scratch);
    }
    if (inverse_) {
      const double scale = 1.0 / static_cast<double>(n_);
      for (std::int64_t k = 0; k < n_; ++k) data[k] *= scale;
    }
  }

 private:
  // Iterative radix-2 decimation in time (Cooley and Tukey, Math. Comp. 19, 1965): bit-reversal
  // permutation, then log2(n) passes of butterflies; stage with span m uses twiddle k * n / m.
  void fft(complex* data) const {
    for (std::int64_t i = 1, j = 0; i < n_; ++i) {
      std::int64_t bit = n_ >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j |= bit;
      if (i < j) std::swap(data[i], data[j]);
    }
    for (std::int64_t m = 2; m <= n_; m <<= 1) {
      const std::int64_t half = m >> 1, step = n_ / m;
      for (std::int64_t start = 0; start < n_; start += m) {
        for (std::int64_t k = 0; k < half; ++k) {
          const complex t = twiddle_[static_cast<std::size_t>(k * step)] * data[start + k + half];
          data[start + k + half] = data[start + k] - t;
          data[start + k] += t;
        }
      }
    }
  }

  // X[k] = sum_j x[j] w[jk mod n], the exponent stepped by k modulo n (no overflow).
  void direct(complex* data, std::vector<complex>& scratch) const {
    scratch.assign(data, data + n_);
    for (std::int64_t k = 0; k < n_; ++k) {
      complex sum = 0;
      std::int64_t e = 0;
      for (std::int64_t j = 0; j < n_; ++j) {
        sum += scratch[static_cast<std::size_t>(j)] * twiddle_[static_cast<std::size_t>(e)];
        e += k;
        if (e >= n_) e -= n_;
      }
      data[k] = sum;
    }
  }

  std::int64_t n_;
  bool inverse_;
  bool power_of_two_ = false;
  std::vector<complex> twiddle_;
};

// ---- DFT

// DFT (opset 17): input [batch, signal dims..., 1 (real) or 2 (complex)], the transform along
// `axis` (a signal or batch dim, not the last), truncated or zero-padded to dft_length (input 1,
// optional). Output [..., 2]; with onesided (real input only) the axis keeps n / 2 + 1 bins.
class DftKernel final : public OpKernel {
 public:
  explicit DftKernel(const OpInfo& info)
      : axis_(info.get_int("axis", 1)),
        inverse_(info.get_int("inverse", 0)),
        onesided_(info.get_int("onesided", 0)) {
    require_dtype(info, 0, "input", SignalFloatTypes{});
    if (inverse_ != 0 && inverse_ != 1) {
      info.fail(ErrorKind::invalid_model, "inverse " + std::to_string(inverse_) + " is not 0 or 1");
    }
    if (onesided_ != 0 && onesided_ != 1) {
      info.fail(ErrorKind::invalid_model,
                "onesided " + std::to_string(onesided_) + " is not 0 or 1");
    }
    if (inverse_ && onesided_) {
      info.fail(ErrorKind::invalid_model, "inverse and onesided cannot both be 1");
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const std::size_t rank = x.rank();
    if (rank < 3 || (x.shape()[rank - 1] != 1 && x.shape()[rank - 1] != 2)) {
      info.fail(ErrorKind::shape_mismatch,
                "input must be [batch, signal..., 1 or 2] (real or complex), not " +
                    x.shape().to_string());
    }
    const std::size_t axis = normalize_axis(info, axis_, rank);
    if (axis == rank - 1) {
      info.fail(ErrorKind::invalid_model,
                "axis " + std::to_string(axis_) + " is the real/imaginary dim, not a signal dim");
    }
    const bool complex_in = x.shape()[rank - 1] == 2;
    if (onesided_ && complex_in) {
      info.fail(ErrorKind::invalid_argument,
                "onesided needs a real input ([..., 1]), not " + x.shape().to_string());
    }
    const std::int64_t n_in = x.shape()[axis];
    std::int64_t n = n_in;
    if (ctx.has_input(1)) {
      n = int_scalar_input(info, ctx.input(1), "dft_length");
      if (n < 1) {
        info.fail(ErrorKind::invalid_argument,
                  "dft_length " + std::to_string(n) + " is not positive");
      }
    }
    const std::int64_t n_out = onesided_ ? n / 2 + 1 : n;
    std::vector<std::int64_t> out_dims = dims_of(x.shape());
    out_dims[axis] = n_out;
    out_dims[rank - 1] = 2;
    const std::int64_t outer = span_of(x.shape(), 0, axis);
    const std::int64_t inner = span_of(x.shape(), axis + 1, rank - 1);
    const std::int64_t channels = complex_in ? 2 : 1;

    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          // The output first: the runner checks its size, which bounds the tables below.
          Tensor& y = ctx.output(0, x.dtype(), make_shape(out_dims));
          if (y.numel() == 0) return;
          T* py = y.data<T>();
          const FourierTransform dft(n, inverse_ == 1);
          std::vector<FourierTransform::complex> line(static_cast<std::size_t>(n)), scratch;
          const std::int64_t used = std::min(n, n_in);
          for (std::int64_t o = 0; o < outer; ++o) {
            for (std::int64_t i = 0; i < inner; ++i) {
              for (std::int64_t j = 0; j < n; ++j) {
                if (j >= used) {
                  line[static_cast<std::size_t>(j)] = 0;
                  continue;
                }
                const T* e = px + ((o * n_in + j) * inner + i) * channels;
                line[static_cast<std::size_t>(j)] = FourierTransform::complex(
                    static_cast<double>(to_scalar(e[0])),
                    complex_in ? static_cast<double>(to_scalar(e[1])) : 0.0);
              }
              dft.transform(line.data(), scratch);
              for (std::int64_t k = 0; k < n_out; ++k) {
                T* e = py + ((o * n_out + k) * inner + i) * 2;
                e[0] = convert_to<T>(line[static_cast<std::size_t>(k)].real());
                e[1] = convert_to<T>(line[static_cast<std::size_t>(k)].imag());
              }
            }
          }
        },
        SignalFloatTypes{});
  }

 private:
  std::int64_t axis_, inverse_, onesided_;
};

// ---- STFT

// STFT (opset 17): signal [batch, length, 1 or 2], frame_step, optional window [frame_length]
// and frame_length (at least one of the two). Output [batch, frames, bins, 2] with frames =
// (length - frame_length) / frame_step + 1 and bins = frame_length / 2 + 1 when onesided (the
// default; real signals only), else frame_length.
class StftKernel final : public OpKernel {
 public:
  explicit StftKernel(const OpInfo& info) : onesided_(info.get_int("onesided", 1)) {
    require_dtype(info, 0, "signal", SignalFloatTypes{});
    if (onesided_ != 0 && onesided_ != 1) {
      info.fail(ErrorKind::invalid_model,
                "onesided " + std::to_string(onesided_) + " is not 0 or 1");
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    if (x.rank() != 3 || (x.shape()[2] != 1 && x.shape()[2] != 2)) {
      info.fail(
          ErrorKind::shape_mismatch,
          "signal must be [batch, length, 1 or 2] (real or complex), not " + x.shape().to_string());
    }
    const bool complex_in = x.shape()[2] == 2;
    if (onesided_ && complex_in) {
      info.fail(ErrorKind::invalid_argument,
                "onesided needs a real signal ([batch, length, 1]), not " + x.shape().to_string());
    }
    const std::int64_t step = int_scalar_input(info, ctx.input(1), "frame_step");
    if (step < 1) {
      info.fail(ErrorKind::invalid_argument,
                "frame_step " + std::to_string(step) + " is not positive");
    }
    const Tensor* window = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (window && window->rank() != 1) {
      info.fail(ErrorKind::shape_mismatch,
                "window must be 1-D, not of shape " + window->shape().to_string());
    }
    if (window && window->dtype() != x.dtype()) {
      info.fail(ErrorKind::invalid_model, std::string("window has dtype ") +
                                              dtype_name(window->dtype()) + ", signal " +
                                              dtype_name(x.dtype()));
    }
    std::int64_t frame = 0;
    if (ctx.has_input(3)) {
      frame = int_scalar_input(info, ctx.input(3), "frame_length");
      if (window && window->shape()[0] != frame) {
        info.fail(ErrorKind::shape_mismatch,
                  "window of length " + std::to_string(window->shape()[0]) +
                      " does not match frame_length " + std::to_string(frame));
      }
    } else if (window) {
      frame = window->shape()[0];
    } else {
      info.fail(ErrorKind::invalid_model, "STFT needs a window or a frame_length (inputs 2, 3)");
    }
    const std::int64_t batch = x.shape()[0], length = x.shape()[1];
    if (frame < 1 || frame > length) {
      info.fail(ErrorKind::invalid_argument, "frame_length " + std::to_string(frame) +
                                                 " is outside [1, signal length " +
                                                 std::to_string(length) + "]");
    }
    const std::int64_t frames = (length - frame) / step + 1;
    const std::int64_t bins = onesided_ ? frame / 2 + 1 : frame;
    const std::int64_t channels = complex_in ? 2 : 1;

    const FourierTransform dft(frame, false);
    std::vector<FourierTransform::complex> line(static_cast<std::size_t>(frame)), scratch;
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* px = x.data<T>();
          const T* pw = window ? window->data<T>() : nullptr;
          T* py = ctx.output(0, x.dtype(), Shape{batch, frames, bins, 2}).data<T>();
          for (std::int64_t b = 0; b < batch; ++b) {
            for (std::int64_t f = 0; f < frames; ++f) {
              for (std::int64_t j = 0; j < frame; ++j) {
                const T* e = px + (b * length + f * step + j) * channels;
                const double w = pw ? static_cast<double>(to_scalar(pw[j])) : 1.0;
                line[static_cast<std::size_t>(j)] = FourierTransform::complex(
                    w * static_cast<double>(to_scalar(e[0])),
                    complex_in ? w * static_cast<double>(to_scalar(e[1])) : 0.0);
              }
              dft.transform(line.data(), scratch);
              T* out = py + (b * frames + f) * bins * 2;
              for (std::int64_t k = 0; k < bins; ++k) {
                out[2 * k] = convert_to<T>(line[static_cast<std::size_t>(k)].real());
                out[2 * k + 1] = convert_to<T>(line[static_cast<std::size_t>(k)].imag());
              }
            }
          }
        },
        SignalFloatTypes{});
  }

 private:
  std::int64_t onesided_;
};

// ---- MelWeightMatrix

// MelWeightMatrix (opset 17): [dft_length / 2 + 1, num_mel_bins] triangular filters on the mel
// scale mel(f) = 2595 log10(1 + f / 700), peak 1. As the ONNX reference: num_mel_bins + 2 edges
// spaced (high_mel - low_mel) / (num_mel_bins + 2) apart from low_mel, each edge's spectrogram
// bin floor((dft_length + 1) f / sample_rate); band i rises linearly from edge i to edge i + 1
// (inclusive) and falls to edge i + 2 (exclusive); a band whose first two edges coincide is 1 at
// that bin.
class MelWeightMatrixKernel final : public OpKernel {
 public:
  explicit MelWeightMatrixKernel(const OpInfo& info) : dtype_(output_datatype_of(info)) {}

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const std::int64_t mels = int_scalar_input(info, ctx.input(0), "num_mel_bins");
    const std::int64_t dft_length = int_scalar_input(info, ctx.input(1), "dft_length");
    const std::int64_t sample_rate = int_scalar_input(info, ctx.input(2), "sample_rate");
    const double lower = float_input(info, ctx.input(3), "lower_edge_hertz");
    const double upper = float_input(info, ctx.input(4), "upper_edge_hertz");
    if (mels < 1 || dft_length < 1 || sample_rate < 1) {
      info.fail(ErrorKind::invalid_argument, "num_mel_bins " + std::to_string(mels) +
                                                 ", dft_length " + std::to_string(dft_length) +
                                                 " and sample_rate " + std::to_string(sample_rate) +
                                                 " must be positive");
    }
    if (!(lower >= 0 && lower <= upper && std::isfinite(upper))) {
      info.fail(ErrorKind::invalid_argument, "lower_edge_hertz " + std::to_string(lower) +
                                                 " and upper_edge_hertz " + std::to_string(upper) +
                                                 " must satisfy 0 <= lower <= upper < inf");
    }
    const std::int64_t spectrum = dft_length / 2 + 1;
    // The output first: its size is checked by the runner, and bounds the edge list below.
    Tensor& y = ctx.output(0, dtype_, Shape{spectrum, mels});
    auto mel = [](double hz) { return 2595 * std::log10(1 + hz / 700); };
    const double low_mel = mel(lower);
    const double mel_step = (mel(upper) - low_mel) / static_cast<double>(mels + 2);
    std::vector<std::int64_t> edge(static_cast<std::size_t>(mels + 2));
    for (std::int64_t i = 0; i < mels + 2; ++i) {
      const double hz =
          700 * (std::pow(10.0, (static_cast<double>(i) * mel_step + low_mel) / 2595) - 1);
      const double bin =
          std::floor((static_cast<double>(dft_length) + 1) * hz / static_cast<double>(sample_rate));
      // The last edge only bounds the last band (exclusive), so it may be one past the end.
      const std::int64_t limit = i == mels + 1 ? spectrum : spectrum - 1;
      if (!(bin >= 0 && bin <= static_cast<double>(limit))) {
        info.fail(ErrorKind::invalid_argument,
                  "upper_edge_hertz " + std::to_string(upper) + " puts mel edge " +
                      std::to_string(i) + " past the " + std::to_string(spectrum) +
                      " spectrogram bins of dft_length " + std::to_string(dft_length) +
                      " at sample_rate " + std::to_string(sample_rate));
      }
      edge[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(bin);
    }
    // Weight of spectrogram bin j in band i as the reference's loops leave it (the falling side,
    // from the peak on, is written last).
    auto weight = [&](std::int64_t j, std::int64_t i) {
      const std::int64_t lo = edge[static_cast<std::size_t>(i)];
      const std::int64_t mid = edge[static_cast<std::size_t>(i + 1)];
      const std::int64_t hi = edge[static_cast<std::size_t>(i + 2)];
      if (j >= mid && j < hi) return static_cast<double>(hi - j) / static_cast<double>(hi - mid);
      if (j == mid && mid == lo) return 1.0;
      if (j >= lo && j <= mid) return static_cast<double>(j - lo) / static_cast<double>(mid - lo);
      return 0.0;
    };
    visit_dtype(
        info, dtype_,
        [&](auto tag) {
          using T = decltype(tag);
          T* p = y.data<T>();
          for (std::int64_t j = 0; j < spectrum; ++j)
            for (std::int64_t i = 0; i < mels; ++i) p[j * mels + i] = convert_to<T>(weight(j, i));
        },
        SignalOutputTypes{});
  }

 private:
  static double float_input(const OpInfo& info, const Tensor& t, const char* what) {
    if (t.dtype() != DType::f32 && t.dtype() != DType::f64 && t.dtype() != DType::f16) {
      info.fail(ErrorKind::invalid_model,
                std::string(what) + " must be float, not " + dtype_name(t.dtype()));
    }
    return read_scalar(info, t, what);
  }

  DType dtype_;
};

inline void register_signal_ops(OpSet& ops) {
  ops.add("", "HannWindow", 17, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<CosineWindowKernel>(info, 0.5, 0.5, 0.0);
  });
  ops.add("", "HammingWindow", 17, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<CosineWindowKernel>(info, 25.0 / 46, 21.0 / 46, 0.0);
  });
  ops.add("", "BlackmanWindow", 17, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    return std::make_unique<CosineWindowKernel>(info, 0.42, 0.5, 0.08);
  });
  ops.add("", "DFT", 17, factory<DftKernel>());
  // Opset 20 moved axis from an attribute to an input.
  ops.add("", "DFT", 20, [](const OpInfo& info) -> std::unique_ptr<OpKernel> {
    info.fail(ErrorKind::unsupported_op,
              "DFT of opset 20 (axis as input 2) is not supported; opset 17 is");
  });
  ops.add("", "STFT", 17, factory<StftKernel>());
  ops.add("", "MelWeightMatrix", 17, factory<MelWeightMatrixKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SIGNAL_HPP
