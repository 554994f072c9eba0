// Per-target body of the 8-bit depthwise convolution (see qdepthwise.hpp). Re-included once per
// CPU target; part of the qgemm family, whose epilogue arithmetic (RoundHalfEven) it shares.
//
// Per plane: x - x_zero goes into a zero-padded int32 copy split by column phase (qdepthwise
// Layout), so a tap at output column ox reads column ox + offset of one phase row: consecutive
// values for any stride. Each output row then takes, per vector of output columns, one multiply
// and add per tap in int32 (exact: |x - x_zero|, |w - w_zero| <= 255), and the requantization in
// registers.
#if defined(INLAY_KERNELS_QDEPTHWISE_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_QDEPTHWISE_INL_HPP
#undef INLAY_KERNELS_QDEPTHWISE_INL_HPP
#else
#define INLAY_KERNELS_QDEPTHWISE_INL_HPP
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/highway.h>

#include "inlay/core/executor.hpp"
#include "inlay/kernels/qdepthwise.hpp"
#include "inlay/kernels/qgemm-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace qdepthwise_impl {

using DI = hn::ScalableTag<std::int32_t>;
using VI = hn::Vec<DI>;

template <class D8>
HWY_INLINE VI PromoteBytes(DI d, D8 d8, const std::uint8_t* p) {
  using T = hn::TFromD<D8>;
  return hn::PromoteTo(d, hn::LoadU(d8, reinterpret_cast<const T*>(p)));
}

// One row of x (in_w bytes) minus x_zero into phase rows: padded column pc = q + pad_left goes to
// phase pc % phases at pc / phases. Stride 1 converts whole vectors, stride 2 splits pairs of
// vectors into their even and odd lanes; the rest goes value by value.
template <class D8>
HWY_INLINE void ConvertRowAs(D8 d8, const std::uint8_t* HWY_RESTRICT in, std::size_t in_w,
                             std::int32_t zero, std::size_t pad_left, std::size_t phases,
                             std::size_t row_len, std::int32_t* HWY_RESTRICT out) {
  using T = hn::TFromD<D8>;
  const DI d;
  const std::size_t n = hn::Lanes(d);
  const VI vz = hn::Set(d, zero);
  std::size_t q = 0;
  if (phases == 1) {
    std::int32_t* dst = out + pad_left;
    for (; q + n <= in_w; q += n) hn::StoreU(hn::Sub(PromoteBytes(d, d8, in + q), vz), d, dst + q);
  }
#if HWY_TARGET != HWY_SCALAR
  if (phases == 2 && n >= 2) {
    // Start where q + pad_left is even: lane 2i of the pair then goes to phase 0, 2i + 1 to 1.
    if (pad_left % 2 == 1 && in_w > 0) {
      out[row_len + pad_left / 2] = static_cast<std::int32_t>(static_cast<T>(in[0])) - zero;
      q = 1;
    }
    for (; q + 2 * n <= in_w; q += 2 * n) {
      const VI lo = hn::Sub(PromoteBytes(d, d8, in + q), vz);
      const VI hi = hn::Sub(PromoteBytes(d, d8, in + q + n), vz);
      const std::size_t at = (q + pad_left) / 2;
      hn::StoreU(hn::ConcatEven(d, hi, lo), d, out + at);
      hn::StoreU(hn::ConcatOdd(d, hi, lo), d, out + row_len + at);
    }
  }
#endif
  if (q >= in_w) return;
  std::size_t phase = (q + pad_left) % phases, at = (q + pad_left) / phases;
  for (; q < in_w; ++q) {
    out[phase * row_len + at] = static_cast<std::int32_t>(static_cast<T>(in[q])) - zero;
    if (++phase == phases) {
      phase = 0;
      ++at;
    }
  }
}

HWY_INLINE void ConvertRow(const std::uint8_t* HWY_RESTRICT in, std::size_t in_w, bool is_signed,
                           std::int32_t zero, std::size_t pad_left, std::size_t phases,
                           std::size_t row_len, std::int32_t* HWY_RESTRICT out) {
  if (is_signed) {
    ConvertRowAs(hn::Rebind<std::int8_t, DI>(), in, in_w, zero, pad_left, phases, row_len, out);
  } else {
    ConvertRowAs(hn::Rebind<std::uint8_t, DI>(), in, in_w, zero, pad_left, phases, row_len, out);
  }
}

// The u8/s8 epilogue of the int8 GEMM (qgemm-inl.hpp), the same operations in the same order.
template <bool kUnsigned>
HWY_INLINE void Requantize(VI acc, VI bias, hn::Vec<hn::Rebind<float, DI>> scale,
                           hn::Vec<hn::Rebind<float, DI>> zero, std::uint8_t* HWY_RESTRICT out) {
  const DI di;
  const hn::Rebind<float, DI> df;
  const auto lo = hn::Set(df, kUnsigned ? 0.0f : -128.0f);
  const auto hi = hn::Set(df, kUnsigned ? 255.0f : 127.0f);
  auto f = hn::Mul(hn::ConvertTo(df, hn::Add(acc, bias)), scale);
  f = hn::Min(hn::Max(hn::Add(qgemm_impl::RoundHalfEven(df, f), zero), lo), hi);
  const auto q = hn::ConvertTo(di, f);
  if (kUnsigned) {
    const hn::Rebind<std::uint8_t, DI> d8;
    hn::StoreU(hn::DemoteTo(d8, q), d8, out);
  } else {
    const hn::Rebind<std::int8_t, DI> d8;
    hn::StoreU(hn::DemoteTo(d8, q), d8, reinterpret_cast<std::int8_t*>(out));
  }
}

struct Plane {
  const std::int32_t* buf;    // the phase rows of the padded plane
  const std::int32_t* w;      // per tap: w - w_zero
  const std::size_t* tap_at;  // per tap: where it reads, from the output's own position
  std::size_t taps, sh, phase_row, oh, ow;
};

// Rows of one plane's output: two vectors of output columns at a time (the phase rows have room
// for them past ow), the last partial vector through a small buffer. kTaps: the tap count when
// it is known at compile time (3x3: the weights stay in registers), else 0.
template <bool kUnsigned, std::size_t kTaps>
HWY_INLINE void PlaneRows(const Plane& pl, std::int32_t bias, float scale, std::int32_t y_zero,
                          std::uint8_t* HWY_RESTRICT y) {
  const DI d;
  const hn::Rebind<float, DI> df;
  const std::size_t n = hn::Lanes(d);
  const std::size_t taps = kTaps != 0 ? kTaps : pl.taps;
  const VI vbias = hn::Set(d, bias);
  const auto vscale = hn::Set(df, scale);
  const auto vzero = hn::Set(df, static_cast<float>(y_zero));
  HWY_ALIGN std::uint8_t tail[2 * hn::MaxLanes(d)];
  for (std::size_t oy = 0; oy < pl.oh; ++oy) {
    std::uint8_t* out = y + oy * pl.ow;
    const std::int32_t* row = pl.buf + oy * pl.sh * pl.phase_row;
    for (std::size_t ox = 0; ox < pl.ow; ox += 2 * n) {
      VI a0 = hn::Zero(d), a1 = hn::Zero(d);
      for (std::size_t t = 0; t < taps; ++t) {
        const std::int32_t* src = row + pl.tap_at[t] + ox;
        const VI wv = hn::Set(d, pl.w[t]);
        a0 = hn::Add(a0, hn::Mul(hn::LoadU(d, src), wv));
        a1 = hn::Add(a1, hn::Mul(hn::LoadU(d, src + n), wv));
      }
      if (ox + 2 * n <= pl.ow) {
        Requantize<kUnsigned>(a0, vbias, vscale, vzero, out + ox);
        Requantize<kUnsigned>(a1, vbias, vscale, vzero, out + ox + n);
      } else {
        Requantize<kUnsigned>(a0, vbias, vscale, vzero, tail);
        Requantize<kUnsigned>(a1, vbias, vscale, vzero, tail + n);
        std::memcpy(out + ox, tail, pl.ow - ox);
      }
    }
  }
}

template <bool kUnsigned>
HWY_INLINE void PlaneRowsFor(const Plane& pl, std::int32_t bias, float scale, std::int32_t y_zero,
                             std::uint8_t* HWY_RESTRICT y) {
  if (pl.taps == 9) PlaneRows<kUnsigned, 9>(pl, bias, scale, y_zero, y);
  else PlaneRows<kUnsigned, 0>(pl, bias, scale, y_zero, y);
}

}  // namespace qdepthwise_impl

HWY_NOINLINE void qdepthwise_conv2d(const Conv2dParams& p, const QDepthwiseOperands& o,
                                    const QgemmEpilogue& e, const qdepthwise_detail::Layout& layout,
                                    void* workspace, Executor* executor) {
  using namespace qdepthwise_impl;
  const std::size_t channels = p.in_channels, planes = p.batch * channels;
  const std::size_t oh = p.out_h(), ow = p.out_w(), taps = layout.taps;
  const std::size_t in_plane = p.in_h * p.in_w, out_plane = oh * ow;
  const std::size_t workers = std::min(layout.workers, planes);
  const std::size_t per = (planes + workers - 1) / workers;
  const std::size_t phase_row = layout.phases * layout.row_len;
  const auto* x = static_cast<const std::uint8_t*>(o.x);
  const auto* w = static_cast<const std::uint8_t*>(o.w);
  auto* y = static_cast<std::uint8_t*>(e.c);
  const bool out_unsigned = e.output == QgemmOutput::u8;
  parallel_for(workers > 1 ? executor : nullptr, workers, [&](std::size_t t) HWY_ATTR {
    const std::size_t first = t * per, last = std::min(planes, first + per);
    if (first >= last) return;
    auto* base = static_cast<std::uint8_t*>(workspace) + t * layout.worker_bytes;
    auto* buf = reinterpret_cast<std::int32_t*>(base);
    // After the plane (64-byte aligned: row_len is a multiple of 16): the taps' offsets, then
    // their weights.
    auto* tap_at = reinterpret_cast<std::size_t*>(buf + layout.rows * phase_row);
    auto* wv = reinterpret_cast<std::int32_t*>(tap_at + taps);
    for (std::size_t i = 0; i < p.kernel_h; ++i) {
      for (std::size_t j = 0; j < p.kernel_w; ++j) {
        const std::size_t col = j * p.dilation_w;
        tap_at[i * p.kernel_w + j] = i * p.dilation_h * phase_row +
                                     (col % layout.phases) * layout.row_len + col / layout.phases;
      }
    }
    // The padding stays 0: each plane writes the same interior positions.
    std::fill(buf, buf + layout.rows * phase_row, 0);
    const Plane pl{buf, wv, tap_at, taps, p.stride_h, phase_row, oh, ow};
    for (std::size_t q = first; q < last; ++q) {
      const std::size_t ch = q % channels;
      const std::uint8_t* xp = x + q * in_plane;
      for (std::size_t r = 0; r < p.in_h; ++r) {
        const std::size_t pr = r + p.pad_top;
        if (pr >= layout.rows) break;
        ConvertRow(xp + r * p.in_w, p.in_w, o.x_signed, o.x_zero, p.pad_left, layout.phases,
                   layout.row_len, buf + pr * phase_row);
      }
      const std::int32_t wz = o.w_zero == nullptr ? 0 : o.w_zero[o.w_zero_per_channel ? ch : 0];
      for (std::size_t k = 0; k < taps; ++k) {
        const std::uint8_t b = w[ch * taps + k];
        wv[k] = (o.w_signed ? static_cast<std::int32_t>(static_cast<std::int8_t>(b))
                            : static_cast<std::int32_t>(b)) -
                wz;
      }
      const std::size_t bias_at = e.bias_axis == QgemmAxis::per_row ? ch : 0;
      const std::size_t scale_at = e.scale_axis == QgemmAxis::per_row ? ch : 0;
      const std::int32_t bias = e.bias == nullptr ? 0 : e.bias[bias_at];
      std::uint8_t* yp = y + q * out_plane;
      if (out_unsigned) PlaneRowsFor<true>(pl, bias, e.scale[scale_at], e.zero_point, yp);
      else PlaneRowsFor<false>(pl, bias, e.scale[scale_at], e.zero_point, yp);
    }
  });
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // toggle guard
