// Per-target body of the 8-bit depthwise convolution (see qdepthwise.hpp). Re-included once per
// CPU target; part of the qgemm family, whose epilogue arithmetic (RoundHalfEven) it shares.
//
// Per plane: each row of x - x_zero (within [-255, 255]: int16) goes into a zero-padded int16
// row, then into pair rows split by column phase (qdepthwise Layout): pair k of phase ph holds
// the padded columns k * stride + ph and that + dilation, the inputs of two horizontally adjacent
// taps. Taps are taken in such pairs (an odd kernel row's last tap with a zero weight), so an
// output vector takes one multiply-add of int16 pairs per tap pair: ReorderWidenMulAccumulate,
// vpmaddwd on the x86 targets (instead of one vpmulld, 2 uops, per tap), exact in int32
// (|pair sum| <= 2 * 255 * 255). A tap pair at output column ox reads pair ox + offset of one
// phase row: consecutive pairs for any stride, no shuffles. The requantization runs in
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

// One row of x minus x_zero into the padded int16 row at column pad_left. The last part of a
// row takes a whole vector too where x goes on past it (in_end) and the padded row has room
// (out_end), its lanes past the row set to 0: they land on padding, which is 0.
template <class D8>
HWY_INLINE void ConvertRowAs(D8 d8, const std::uint8_t* HWY_RESTRICT in, std::size_t in_w,
                             const std::uint8_t* in_end, std::int32_t zero,
                             std::int16_t* HWY_RESTRICT out, const std::int16_t* out_end) {
  using T = hn::TFromD<D8>;
  const hn::Rebind<std::int16_t, D8> d16;
  const std::size_t n = hn::Lanes(d16);
  const auto vz = hn::Set(d16, static_cast<std::int16_t>(zero));
  std::size_t q = 0;
  for (; q + n <= in_w; q += n) {
    const auto v = hn::PromoteTo(d16, hn::LoadU(d8, reinterpret_cast<const T*>(in + q)));
    hn::StoreU(hn::Sub(v, vz), d16, out + q);
  }
  if (q < in_w && in + q + n <= in_end && out + q + n <= out_end) {
    const auto v = hn::PromoteTo(d16, hn::LoadU(d8, reinterpret_cast<const T*>(in + q)));
    hn::StoreU(hn::IfThenElseZero(hn::FirstN(d16, in_w - q), hn::Sub(v, vz)), d16, out + q);
    return;
  }
  for (; q < in_w; ++q) {
    out[q] = static_cast<std::int16_t>(static_cast<std::int32_t>(static_cast<T>(in[q])) - zero);
  }
}

HWY_INLINE void ConvertRow(const std::uint8_t* HWY_RESTRICT in, std::size_t in_w,
                           const std::uint8_t* in_end, bool is_signed, std::int32_t zero,
                           std::int16_t* HWY_RESTRICT out, const std::int16_t* out_end) {
  using D16 = hn::ScalableTag<std::int16_t>;
  if (is_signed) ConvertRowAs(hn::Rebind<std::int8_t, D16>(), in, in_w, in_end, zero, out, out_end);
  else ConvertRowAs(hn::Rebind<std::uint8_t, D16>(), in, in_w, in_end, zero, out, out_end);
}

// The padded row into its pair rows: pair k of phase ph (at out + 2 * (ph * row_len + k)) holds
// flat[k * phases + ph] and flat[k * phases + ph + dilation], for k < used (whole vectors of
// pairs past it: the Layout leaves room, and the flat row holds zeros there). Stride 2 without
// dilation copies the row; strides 1 and 2 interleave vectors (of at most 128 bits, whose
// interleave keeps the order), the rest goes pair by pair.
HWY_INLINE void PairRow(const std::int16_t* HWY_RESTRICT flat, std::size_t used, std::size_t phases,
                        std::size_t dilation, std::size_t row_len, std::int16_t* HWY_RESTRICT out) {
  for (std::size_t ph = 0; ph < phases; ++ph) {
    const std::int16_t* src = flat + ph;
    std::int16_t* dst = out + 2 * ph * row_len;
    if (phases == 2 && dilation == 1) {
      // Pair k is flat[2k + ph] and flat[2k + ph + 1]: the padded row itself, from ph on.
      std::memcpy(dst, src, 2 * used * sizeof(std::int16_t));
      continue;
    }
    std::size_t k = 0;
#if HWY_TARGET != HWY_SCALAR
    const hn::CappedTag<std::int16_t, 8> d;
    const std::size_t m = hn::Lanes(d);
    if (phases == 1) {
      for (; k < used; k += m) {
        const auto a = hn::LoadU(d, src + k), b = hn::LoadU(d, src + k + dilation);
        hn::StoreU(hn::InterleaveLower(d, a, b), d, dst + 2 * k);
        hn::StoreU(hn::InterleaveUpper(d, a, b), d, dst + 2 * k + m);
      }
    } else if (phases == 2) {
      for (; k < used; k += m) {
        const std::int16_t* at = src + 2 * k;
        const auto a = hn::ConcatEven(d, hn::LoadU(d, at + m), hn::LoadU(d, at));
        const auto b =
            hn::ConcatEven(d, hn::LoadU(d, at + dilation + m), hn::LoadU(d, at + dilation));
        hn::StoreU(hn::InterleaveLower(d, a, b), d, dst + 2 * k);
        hn::StoreU(hn::InterleaveUpper(d, a, b), d, dst + 2 * k + m);
      }
    }
#endif
    for (; k < used; ++k) {
      dst[2 * k] = src[k * phases];
      dst[2 * k + 1] = src[k * phases + dilation];
    }
  }
}

// acc (with acc_odd, see Total) += per int32 lane i: the pair i at p times the weight pair w
// (two int16 in memory order, as the pairs are).
HWY_INLINE void PairDot(const std::int16_t* HWY_RESTRICT p, std::int32_t w, VI& acc, VI& acc_odd) {
  const DI d;
#if HWY_TARGET == HWY_SCALAR
  // One int32 lane holds no int16 vector: the pair's products in scalar code.
  (void)acc_odd;
  std::int16_t wp[2];
  std::memcpy(wp, &w, sizeof(wp));
  acc = hn::Add(acc, hn::Set(d, std::int32_t{p[0]} * wp[0] + std::int32_t{p[1]} * wp[1]));
#else
  const hn::Repartition<std::int16_t, DI> d16;
  acc = hn::ReorderWidenMulAccumulate(d, hn::LoadU(d16, p), hn::BitCast(d16, hn::Set(d, w)), acc,
                                      acc_odd);
#endif
}

// The sums of the pairs, lane i for output i (x86 leaves acc_odd at zero; others split the
// products between the two).
HWY_INLINE VI Total(VI acc, VI acc_odd) {
#if HWY_TARGET == HWY_SCALAR
  (void)acc_odd;
  return acc;
#else
  return hn::RearrangeToOddPlusEven(acc, acc_odd);
#endif
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
  const std::int16_t* buf;    // the pair rows of the padded plane
  const std::int32_t* w;      // per tap pair: its two weights minus the zero point (int16 each)
  const std::size_t* tap_at;  // per tap pair: the pair it reads, from the output's own position
  std::size_t pairs, sh, phase_row, oh, ow;
};

// One vector of output sums: the tap pairs read from row (the output column's own position).
HWY_INLINE VI SumPairs(const std::int16_t* HWY_RESTRICT row, const std::int32_t* w,
                       const std::size_t* tap_at, std::size_t pairs) {
  const DI d;
  VI acc = hn::Zero(d), odd = hn::Zero(d);
  for (std::size_t t = 0; t < pairs; ++t) PairDot(row + 2 * tap_at[t], w[t], acc, odd);
  return Total(acc, odd);
}

// Rows of one plane's output: two vectors of output columns at a time while more than one
// vector's worth is left, then one (the pair rows have room for them past ow). A partial last
// vector is stored whole where the plane's output goes on past it (the rows are made in order,
// so the next row overwrites what spills into it), else through a small buffer. kPairs: the tap
// pair count when it is known at compile time (3x3: 6), else 0; then the weights and offsets are
// copied to locals, which the output's byte stores cannot alias, so they stay in registers.
template <bool kUnsigned, std::size_t kPairs>
HWY_INLINE void PlaneRows(const Plane& pl, std::int32_t bias, float scale, std::int32_t y_zero,
                          std::uint8_t* HWY_RESTRICT y) {
  const DI d;
  const hn::Rebind<float, DI> df;
  const std::size_t n = hn::Lanes(d);
  const std::size_t pairs = kPairs != 0 ? kPairs : pl.pairs;
  constexpr std::size_t kLocal = kPairs != 0 ? kPairs : 1;  // unused when kPairs is 0
  std::int32_t w_local[kLocal];
  std::size_t at_local[kLocal];
  for (std::size_t t = 0; t < kLocal; ++t) {
    w_local[t] = pl.w[t];
    at_local[t] = pl.tap_at[t];
  }
  const std::int32_t* w = kPairs != 0 ? w_local : pl.w;
  const std::size_t* tap_at = kPairs != 0 ? at_local : pl.tap_at;
  const VI vbias = hn::Set(d, bias);
  const auto vscale = hn::Set(df, scale);
  const auto vzero = hn::Set(df, static_cast<float>(y_zero));
  HWY_ALIGN std::uint8_t tail[2 * hn::MaxLanes(d)];
  const std::uint8_t* y_end = y + pl.oh * pl.ow;
  for (std::size_t oy = 0; oy < pl.oh; ++oy) {
    std::uint8_t* out = y + oy * pl.ow;
    const std::int16_t* row = pl.buf + 2 * oy * pl.sh * pl.phase_row;
    std::size_t ox = 0;
    for (; ox + n < pl.ow; ox += 2 * n) {
      const VI a0 = SumPairs(row + 2 * ox, w, tap_at, pairs);
      const VI a1 = SumPairs(row + 2 * (ox + n), w, tap_at, pairs);
      if (out + ox + 2 * n <= y_end) {
        Requantize<kUnsigned>(a0, vbias, vscale, vzero, out + ox);
        Requantize<kUnsigned>(a1, vbias, vscale, vzero, out + ox + n);
      } else {
        Requantize<kUnsigned>(a0, vbias, vscale, vzero, tail);
        Requantize<kUnsigned>(a1, vbias, vscale, vzero, tail + n);
        std::memcpy(out + ox, tail, pl.ow - ox);
      }
    }
    if (ox < pl.ow) {
      const VI a0 = SumPairs(row + 2 * ox, w, tap_at, pairs);
      if (out + ox + n <= y_end) {
        Requantize<kUnsigned>(a0, vbias, vscale, vzero, out + ox);
      } else {
        Requantize<kUnsigned>(a0, vbias, vscale, vzero, tail);
        std::memcpy(out + ox, tail, pl.ow - ox);
      }
    }
  }
}

template <bool kUnsigned>
HWY_INLINE void PlaneRowsFor(const Plane& pl, std::int32_t bias, float scale, std::int32_t y_zero,
                             std::uint8_t* HWY_RESTRICT y) {
  if (pl.pairs == 6) PlaneRows<kUnsigned, 6>(pl, bias, scale, y_zero, y);
  else PlaneRows<kUnsigned, 0>(pl, bias, scale, y_zero, y);
}

}  // namespace qdepthwise_impl

HWY_NOINLINE void qdepthwise_conv2d(const Conv2dParams& p, const QDepthwiseOperands& o,
                                    const QgemmEpilogue& e, const qdepthwise_detail::Layout& layout,
                                    void* workspace, Executor* executor) {
  using namespace qdepthwise_impl;
  const std::size_t channels = p.in_channels, planes = p.batch * channels;
  const std::size_t oh = p.out_h(), ow = p.out_w(), pairs = layout.pairs;
  const std::size_t in_plane = p.in_h * p.in_w, out_plane = oh * ow;
  const std::size_t workers = std::min(layout.workers, planes);
  const std::size_t per = (planes + workers - 1) / workers;
  const std::size_t phase_row = layout.phases * layout.row_len;
  const std::size_t half_w = (p.kernel_w + 1) / 2;  // tap pairs per kernel row
  const auto* x = static_cast<const std::uint8_t*>(o.x);
  const std::uint8_t* x_end = x + planes * in_plane;
  const auto* w = static_cast<const std::uint8_t*>(o.w);
  auto* y = static_cast<std::uint8_t*>(e.c);
  const bool out_unsigned = e.output == QgemmOutput::u8;
  parallel_for(workers > 1 ? executor : nullptr, workers, [&](std::size_t t) HWY_ATTR {
    const std::size_t first = t * per, last = std::min(planes, first + per);
    if (first >= last) return;
    auto* base = static_cast<std::uint8_t*>(workspace) + t * layout.worker_bytes;
    // The pair rows, then the padded rows (both 64-byte aligned: row_len is a multiple of 16 and
    // flat_len of 32), the tap pairs' offsets and their weights.
    auto* buf = reinterpret_cast<std::int16_t*>(base);
    std::int16_t* flat = buf + 2 * layout.rows * phase_row;
    std::int16_t* flat_end = flat + layout.rows * layout.flat_len;
    auto* tap_at = reinterpret_cast<std::size_t*>(flat_end);
    auto* wv = reinterpret_cast<std::int32_t*>(tap_at + pairs);
    for (std::size_t i = 0; i < p.kernel_h; ++i) {
      for (std::size_t j = 0; j < p.kernel_w; j += 2) {
        const std::size_t col = j * p.dilation_w;
        tap_at[i * half_w + j / 2] = i * p.dilation_h * phase_row +
                                     (col % layout.phases) * layout.row_len + col / layout.phases;
      }
    }
    // The padding stays 0: each plane writes the same interior positions.
    std::fill(buf, flat_end, std::int16_t{0});
    const Plane pl{buf, wv, tap_at, pairs, p.stride_h, phase_row, oh, ow};
    for (std::size_t q = first; q < last; ++q) {
      const std::size_t ch = q % channels;
      const std::uint8_t* xp = x + q * in_plane;
      // All rows padded first, then paired: PairRow's loads, shifted against ConvertRow's
      // stores, would wait for them to reach the cache (a failed store forwarding, a quarter of
      // the time on 7x7 planes when each row was paired right after it was stored).
      const std::size_t in_rows = std::min(p.in_h, layout.rows - std::min(layout.rows, p.pad_top));
      for (std::size_t r = 0; r < in_rows; ++r) {
        std::int16_t* row = flat + (r + p.pad_top) * layout.flat_len;
        ConvertRow(xp + r * p.in_w, p.in_w, x_end, o.x_signed, o.x_zero, row + p.pad_left,
                   row + layout.flat_len);
      }
      for (std::size_t r = 0; r < in_rows; ++r) {
        const std::size_t pr = r + p.pad_top;
        PairRow(flat + pr * layout.flat_len, layout.used, layout.phases, p.dilation_w,
                layout.row_len, buf + 2 * pr * phase_row);
      }
      const std::int32_t wz = o.w_zero == nullptr ? 0 : o.w_zero[o.w_zero_per_channel ? ch : 0];
      const std::uint8_t* wc = w + ch * p.kernel_h * p.kernel_w;
      const auto weight = [&](std::size_t at) {
        return static_cast<std::int16_t>(
            (o.w_signed ? static_cast<std::int32_t>(static_cast<std::int8_t>(wc[at]))
                        : static_cast<std::int32_t>(wc[at])) -
            wz);
      };
      for (std::size_t i = 0; i < p.kernel_h; ++i) {
        for (std::size_t j = 0; j < p.kernel_w; j += 2) {
          const std::size_t at = i * p.kernel_w + j;
          // An odd row's last tap pairs with a zero weight (its input is finite: a pair row).
          const std::int16_t pair[2] = {weight(at),
                                        j + 1 < p.kernel_w ? weight(at + 1) : std::int16_t{0}};
          std::memcpy(wv + i * half_w + j / 2, pair, sizeof(pair));
        }
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
