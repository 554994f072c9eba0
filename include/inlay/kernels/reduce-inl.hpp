// Per-target bodies of the reduce kernels (see reduce.hpp). Re-included once per CPU target.
#if defined(INLAY_KERNELS_REDUCE_INL_HPP) == defined(HWY_TARGET_TOGGLE)
#ifdef INLAY_KERNELS_REDUCE_INL_HPP
#undef INLAY_KERNELS_REDUCE_INL_HPP
#else
#define INLAY_KERNELS_REDUCE_INL_HPP
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "inlay/kernels/reduce.hpp"
#include "inlay/kernels/row_ops-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace inlay {
inline namespace INLAY_ABI_NAMESPACE {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// ------------------------------------------------------------------ reduce_f32

inline Acc AccOf(ReduceOp op) {
  switch (op) {
    case ReduceOp::max: return Acc::max;
    case ReduceOp::min: return Acc::min;
    case ReduceOp::prod: return Acc::prod;
    case ReduceOp::l1: return Acc::abs_sum;
    case ReduceOp::l2:
    case ReduceOp::sum_square: return Acc::sq_sum;
    case ReduceOp::log_sum_exp: return Acc::exp_sum;
    default: return Acc::sum;
  }
}

// The output of op from its accumulation r over count elements; m is log_sum_exp's max.
inline float Finish(ReduceOp op, float r, std::size_t count, float m) {
  switch (op) {
    case ReduceOp::mean: return r / static_cast<float>(count);  // 0/0: NaN for empty
    case ReduceOp::l2: return std::sqrt(r);
    case ReduceOp::log_sum: return std::log(r);
    case ReduceOp::log_sum_exp: return std::isfinite(m) ? m + std::log(r) : m;
    default: return r;
  }
}

// log_sum_exp subtracts the max when it is finite; an infinite or NaN max is the result itself.
inline float ExpOffset(float m) { return std::isfinite(m) ? m : 0.0f; }

// Innermost run reduced: each output combines row reductions of n contiguous floats at the
// offsets of `rows` (the outer reduced dims), for each offset of `outs` (the kept dims).
inline void ReduceRows(ReduceOp op, const float* x, const Walk& outs, const Walk& out_y,
                       const Walk& rows, std::size_t n, float* y) {
  const Acc k = AccOf(op);
  const std::size_t count = rows.count() * n;
  Odometer o(outs), oy(out_y);
  do {
    const float* base = x + o.offset;
    float m = 0.0f, off = 0.0f;
    if (op == ReduceOp::log_sum_exp) {
      m = -std::numeric_limits<float>::infinity();
      Odometer r(rows);
      do m = MaxNaN(m, RowReduce(Acc::max, base + r.offset, n));
      while (r.Next());
      off = ExpOffset(m);
    }
    float acc = Identity(k);
    Odometer r(rows);
    do acc = CombineScalar(k, acc, RowReduce(k, base + r.offset, n, off));
    while (r.Next());
    y[oy.offset] = Finish(op, acc, count, m);
    oy.Next();
  } while (o.Next());
}

// Accumulates the rows at base + offsets of `rows`, columns [0, width), into acc (and, for
// max/min, NaN lanes into nan), reading each row's columns contiguously; acc and nan are
// padded to whole vectors. exp_sum subtracts off[j] from column j.
template <Acc K>
HWY_NOINLINE void AccumulateRows(const float* base, const Walk& rows, std::size_t width, float* acc,
                                 float* nan, const float* off) {
  const hn::ScalableTag<float> d;
  const std::size_t L = hn::Lanes(d);
  constexpr bool kTrack = K == Acc::max || K == Acc::min;
  const std::size_t full = width - width % L;
  Odometer r(rows);
  do {
    const float* p = base + r.offset;
    for (std::size_t j = 0; j <= full && j < width; j += L) {
      auto a = hn::Load(d, acc + j);
      auto nv = kTrack ? hn::Load(d, nan + j) : hn::Zero(d);
      const auto v =
          j < full ? hn::LoadU(d, p + j) : LoadTail(d, p + j, width - j, NeutralInput(K));
      Step<K>(d, a, nv, v, K == Acc::exp_sum ? hn::Load(d, off + j) : hn::Zero(d));
      hn::Store(a, d, acc + j);
      if (kTrack) hn::Store(nv, d, nan + j);
    }
  } while (r.Next());
}

inline void AccumulateRows(Acc k, const float* base, const Walk& rows, std::size_t width,
                           float* acc, float* nan, const float* off) {
  switch (k) {
    case Acc::sum: return AccumulateRows<Acc::sum>(base, rows, width, acc, nan, off);
    case Acc::abs_sum: return AccumulateRows<Acc::abs_sum>(base, rows, width, acc, nan, off);
    case Acc::sq_sum: return AccumulateRows<Acc::sq_sum>(base, rows, width, acc, nan, off);
    case Acc::max: return AccumulateRows<Acc::max>(base, rows, width, acc, nan, off);
    case Acc::min: return AccumulateRows<Acc::min>(base, rows, width, acc, nan, off);
    case Acc::prod: return AccumulateRows<Acc::prod>(base, rows, width, acc, nan, off);
    case Acc::exp_sum: return AccumulateRows<Acc::exp_sum>(base, rows, width, acc, nan, off);
  }
}

// Innermost run kept: blocks of up to kBlock contiguous outputs accumulate the reduced rows
// into stack buffers (vectorized along the kept run, each row read contiguously), then finish.
inline void ReduceColumns(ReduceOp op, const float* x, const Walk& outs, const Walk& out_y,
                          const Walk& rows, std::size_t w, float* y) {
  constexpr std::size_t kBlock = 1024;  // 4 KiB per buffer, 16 KiB of stack in all
  HWY_ALIGN float acc[kBlock], nan[kBlock], mx[kBlock], off[kBlock];
  const std::size_t L = hn::Lanes(hn::ScalableTag<float>());
  const Acc k = AccOf(op);
  const std::size_t count = rows.count();
  const float inf = std::numeric_limits<float>::infinity();
  const float qnan = std::numeric_limits<float>::quiet_NaN();
  Odometer o(outs), oy(out_y);
  do {
    for (std::size_t j0 = 0; j0 < w; j0 += kBlock) {
      const std::size_t width = w - j0 < kBlock ? w - j0 : kBlock;
      const float* base = x + o.offset + j0;
      const std::size_t padded = (width + L - 1) / L * L;
      for (std::size_t j = 0; j < padded; ++j) {
        acc[j] = Identity(k);
        nan[j] = 0.0f;
        mx[j] = -inf;
      }
      if (op == ReduceOp::log_sum_exp) {
        AccumulateRows(Acc::max, base, rows, width, mx, nan, nullptr);
        for (std::size_t j = 0; j < width; ++j) {
          if (std::isnan(nan[j])) mx[j] = qnan;  // the mask of a NaN lane has all bits set
          off[j] = ExpOffset(mx[j]);
        }
      }
      AccumulateRows(k, base, rows, width, acc, nan, off);
      float* out = y + oy.offset + j0;
      for (std::size_t j = 0; j < width; ++j) {
        const bool has_nan = (k == Acc::max || k == Acc::min) && std::isnan(nan[j]);
        out[j] = Finish(op, has_nan ? qnan : acc[j], count, mx[j]);
      }
    }
    oy.Next();
  } while (o.Next());
}

void reduce_f32(ReduceOp op, const float* x, const Shape& x_shape, const std::int64_t* axes,
                std::size_t num_axes, float* y) {
  const std::size_t rank = x_shape.rank();
  bool reduced[Shape::max_rank] = {};
  for (std::size_t i = 0; i < num_axes; ++i) reduced[axes[i]] = true;
  std::size_t out_count = 1, red_count = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    (reduced[i] ? red_count : out_count) *= static_cast<std::size_t>(x_shape[i]);
  }
  if (out_count == 0) return;
  if (red_count == 0) {
    const float v = Finish(op, Identity(AccOf(op)), 0, -std::numeric_limits<float>::infinity());
    for (std::size_t i = 0; i < out_count; ++i) y[i] = v;
    return;
  }
  // Collapse: drop size-1 dims, merge neighbours of the same kind (both reduced or both kept).
  std::size_t size[Shape::max_rank];
  bool red[Shape::max_rank];
  std::size_t n = 0;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t s = static_cast<std::size_t>(x_shape[i]);
    if (s == 1) continue;
    if (n > 0 && red[n - 1] == reduced[i]) {
      size[n - 1] *= s;
    } else {
      size[n] = s;
      red[n++] = reduced[i];
    }
  }
  // x strides of the collapsed dims; y strides of the kept ones (y is dense over kept dims).
  std::size_t xs[Shape::max_rank], ys[Shape::max_rank];
  for (std::size_t i = n, sx = 1, sy = 1; i-- > 0;) {
    xs[i] = sx;
    ys[i] = red[i] ? 0 : sy;
    sx *= size[i];
    if (!red[i]) sy *= size[i];
  }
  // The innermost collapsed dim is handled contiguously; the others are walked.
  const bool inner_reduced = n > 0 && red[n - 1];
  const std::size_t inner = n > 0 ? size[n - 1] : 1;
  Walk outs, out_y, rows;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    Walk& w = red[i] ? rows : outs;
    w.size[w.rank] = size[i];
    w.stride[w.rank++] = xs[i];
    if (!red[i]) {
      out_y.size[out_y.rank] = size[i];
      out_y.stride[out_y.rank++] = ys[i];
    }
  }
  if (inner_reduced) {
    ReduceRows(op, x, outs, out_y, rows, inner, y);
  } else {
    ReduceColumns(op, x, outs, out_y, rows, inner, y);
  }
}

// ------------------------------------------------------------------ argmax / argmin

// Whether value v at index i beats the best b at index ib (argmax order; NaN above all numbers).
inline bool Beats(float v, std::int64_t i, float b, std::int64_t ib, bool last) {
  const bool vn = std::isnan(v), bn = std::isnan(b);
  if (vn != bn) return vn;
  if (!vn && v != b) return v > b;
  return last ? i > ib : i < ib;
}

// Lane-parallel argmax of sign * x over `steps` vectors at p, p + stride, ...: each lane keeps its
// best value (to bv) and that value's index (to bi; idx holds the first indices).
template <class D, class DI, class VI>
HWY_INLINE void ArgLanes(D d, DI di, const float* p, std::size_t steps, std::size_t stride,
                         std::int32_t idx_step, VI idx, hn::Vec<D> sign, bool last, float* bv,
                         std::int32_t* bi) {
  hn::Vec<D> best = hn::Mul(hn::LoadU(d, p), sign);
  VI best_i = idx;
  const VI step = hn::Set(di, idx_step);
  for (std::size_t s = 1; s < steps; ++s) {
    idx = hn::Add(idx, step);
    const hn::Vec<D> v = hn::Mul(hn::LoadU(d, p + s * stride), sign);
    const auto v_nan = hn::IsNaN(v);
    // Ties (and a NaN after a NaN) go to the later index only when `last`.
    const auto better = last ? hn::Or(hn::Ge(v, best), v_nan)
                             : hn::Or(hn::Gt(v, best), hn::AndNot(hn::IsNaN(best), v_nan));
    best = hn::IfThenElse(better, v, best);
    best_i = hn::IfThenElse(hn::RebindMask(di, better), idx, best_i);
  }
  hn::Store(best, d, bv);
  hn::Store(best_i, di, bi);
}

// Argmax of sign * x along the axis of [outer, axis, inner]; argmin is the argmax of -x (NaN stays
// NaN, so it still wins). Lanes run along inner (or along the axis when inner == 1, then
// combined), keeping each lane's best value and its index.
inline void ArgBest(const float* x, const Shape& x_shape, std::size_t axis, bool last, float sign,
                    std::int64_t* y) {
  std::size_t outer = 1, n = static_cast<std::size_t>(x_shape[axis]), inner = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= static_cast<std::size_t>(x_shape[i]);
  for (std::size_t i = axis + 1; i < x_shape.rank(); ++i) {
    inner *= static_cast<std::size_t>(x_shape[i]);
  }
  const hn::ScalableTag<float> d;
  const hn::RebindToSigned<decltype(d)> di;
  const std::size_t L = hn::Lanes(d);
  const auto vs = hn::Set(d, sign);
  HWY_ALIGN float bv[hn::MaxLanes(decltype(d)())];
  HWY_ALIGN std::int32_t bi[hn::MaxLanes(decltype(di)())];
  const bool vec_ok = n < (std::size_t{1} << 31);
  for (std::size_t o = 0; o < outer; ++o) {
    const float* xo = x + o * n * inner;
    std::int64_t* yo = y + o * inner;
    if (inner == 1) {
      float b = sign * xo[0];
      std::int64_t ib = 0;
      std::size_t i = 1;
      if (vec_ok && n >= L) {
        const std::size_t steps = n / L;
        ArgLanes(d, di, xo, steps, L, static_cast<std::int32_t>(L), hn::Iota(di, 0), vs, last, bv,
                 bi);
        b = bv[0];
        ib = bi[0];
        for (std::size_t l = 1; l < L; ++l) {
          if (Beats(bv[l], bi[l], b, ib, last)) {
            b = bv[l];
            ib = bi[l];
          }
        }
        i = steps * L;
      }
      for (; i < n; ++i) {
        if (Beats(sign * xo[i], static_cast<std::int64_t>(i), b, ib, last)) {
          b = sign * xo[i];
          ib = static_cast<std::int64_t>(i);
        }
      }
      yo[0] = ib;
      continue;
    }
    std::size_t j = 0;
    if (vec_ok) {
      for (; j + L <= inner; j += L) {
        ArgLanes(d, di, xo + j, n, inner, 1, hn::Zero(di), vs, last, bv, bi);
        for (std::size_t l = 0; l < L; ++l) yo[j + l] = bi[l];
      }
    }
    for (; j < inner; ++j) {
      float b = sign * xo[j];
      std::int64_t ib = 0;
      for (std::size_t i = 1; i < n; ++i) {
        if (Beats(sign * xo[i * inner + j], static_cast<std::int64_t>(i), b, ib, last)) {
          b = sign * xo[i * inner + j];
          ib = static_cast<std::int64_t>(i);
        }
      }
      yo[j] = ib;
    }
  }
}

void argmax_f32(const float* x, const Shape& x_shape, std::size_t axis, bool select_last_index,
                std::int64_t* y) {
  ArgBest(x, x_shape, axis, select_last_index, 1.0f, y);
}

void argmin_f32(const float* x, const Shape& x_shape, std::size_t axis, bool select_last_index,
                std::int64_t* y) {
  ArgBest(x, x_shape, axis, select_last_index, -1.0f, y);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace INLAY_ABI_NAMESPACE
}  // namespace inlay
HWY_AFTER_NAMESPACE();

#endif  // INLAY_KERNELS_REDUCE_INL_HPP
