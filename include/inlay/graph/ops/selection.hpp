// Ops that select or place elements by a condition, a mask or a position: NonZero, OneHot,
// Trilu, ReverseSequence, Compress, Unique.
// Implementation-only.
#ifndef INLAY_GRAPH_OPS_SELECTION_HPP
#define INLAY_GRAPH_OPS_SELECTION_HPP

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/shape.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

template <class T>
bool is_nonzero(T v) {
  if constexpr (is_half_v<T>) {  // both have the sign in bit 15
    return (v.bits & 0x7fffu) != 0;
  } else {
    return v != T(0);
  }
}

// NonZero: the coordinates of the nonzero elements, [rank, count], in row-major order.
class NonZeroKernel final : public OpKernel {
 public:
  explicit NonZeroKernel(const OpInfo&) {}
  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    visit_dtype(
        ctx.info(), x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* p = x.data<T>();
          const std::int64_t n = x.numel();
          std::int64_t count = 0;
          for (std::int64_t e = 0; e < n; ++e) count += is_nonzero(p[e]) ? 1 : 0;
          const std::size_t rank = x.rank();
          const std::int64_t rows =
              rank == 0 ? 1 : static_cast<std::int64_t>(rank);  // a scalar as [1]
          Tensor& y = ctx.output(0, DType::i64, Shape{rows, count});
          std::int64_t* out = y.data<std::int64_t>();
          std::int64_t index[Shape::max_rank] = {};
          std::int64_t j = 0;
          for (std::int64_t e = 0; e < n; ++e) {
            if (is_nonzero(p[e])) {
              for (std::size_t k = 0; k < rank; ++k)
                out[static_cast<std::int64_t>(k) * count + j] = index[k];
              if (rank == 0) out[j] = 0;
              ++j;
            }
            for (std::size_t k = rank; k-- > 0;) {
              if (++index[k] < x.shape()[k]) break;
              index[k] = 0;
            }
          }
        },
        AllTypes{});
  }
};

// OneHot: off_value everywhere, on_value where the new axis equals the index (negative indices
// count from depth; indices outside [-depth, depth) give a row of off_value, as the spec says).
class OneHotKernel final : public OpKernel {
 public:
  explicit OneHotKernel(const OpInfo& info) : axis_(info.get_int("axis", -1)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& indices = ctx.input(0);
    const double depth_value = read_scalar(info, ctx.input(1), "depth");
    const Tensor& values = ctx.input(2);
    if (values.numel() != 2)
      info.fail(ErrorKind::invalid_model, "values must hold [off_value, on_value]");
    if (!(depth_value >= 1 && depth_value < 1e12)) {
      info.fail(ErrorKind::invalid_argument,
                "depth " + std::to_string(depth_value) + " is not a positive count");
    }
    const auto depth = static_cast<std::int64_t>(depth_value);
    const std::size_t rank = indices.rank() + 1;
    const std::size_t axis = normalize_axis(info, axis_, rank);
    Dims out;
    out.n = rank;
    for (std::size_t k = 0, j = 0; k < rank; ++k) out[k] = k == axis ? depth : indices.shape()[j++];
    Tensor& y = ctx.output(0, values.dtype(), output_shape(info, out));
    const std::size_t e = dtype_size(values.dtype());
    const auto* off_on = static_cast<const unsigned char*>(values.raw_data());
    fill_bytes(y, off_on);
    const std::int64_t outer = span_of(indices.shape(), 0, axis);
    const std::int64_t inner = span_of(indices.shape(), axis, indices.rank());
    auto* dst = static_cast<unsigned char*>(writable(y));
    visit_dtype(
        info, indices.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* idx = indices.data<T>();
          for (std::int64_t o = 0; o < outer; ++o) {
            for (std::int64_t i = 0; i < inner; ++i) {
              const auto v = static_cast<double>(idx[o * inner + i]);
              if (!(std::fabs(v) < static_cast<double>(depth) + 1)) continue;  // also NaN
              auto k = static_cast<std::int64_t>(v);
              if (k < 0) k += depth;
              if (k < 0 || k >= depth) continue;
              std::memcpy(dst + ((o * depth + k) * inner + i) * static_cast<std::int64_t>(e),
                          off_on + e, e);
            }
          }
        },
        NumericTypes{});
  }

 private:
  std::int64_t axis_;
};

// Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of each matrix; zeros elsewhere.
class TriluKernel final : public OpKernel {
 public:
  explicit TriluKernel(const OpInfo& info) : upper_(info.get_int("upper", 1) != 0) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2)
      info.fail(ErrorKind::shape_mismatch,
                "the input must have rank 2 or more, not " + x.shape().to_string());
    std::int64_t k = 0;
    if (ctx.input_count() > 1 && ctx.has_input(1)) {
      const Tensor& kt = ctx.input(1);
      if (kt.dtype() != DType::i64 || kt.numel() != 1)
        info.fail(ErrorKind::invalid_model, "k must be one int64");
      k = *kt.data<std::int64_t>();
    }
    const std::int64_t rows_cols = x.shape()[x.rank() - 2] + x.shape()[x.rank() - 1];
    k = std::min(std::max(k, -rows_cols), rows_cols);  // beyond this every k gives the same
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const std::int64_t rows = x.shape()[x.rank() - 2], cols = x.shape()[x.rank() - 1];
    const std::int64_t mats = span_of(x.shape(), 0, x.rank() - 2);
    const std::size_t e = dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(writable(y));
    for (std::int64_t m = 0; m < mats; ++m) {
      for (std::int64_t i = 0; i < rows; ++i) {
        const std::int64_t row = (m * rows + i) * cols;
        // Kept columns: [max(0, i + k), cols) for upper, [0, min(cols, i + k + 1)) for lower.
        const std::int64_t lo = upper_ ? std::min(std::max(i + k, std::int64_t(0)), cols) : 0;
        const std::int64_t hi =
            upper_ ? cols : std::min(std::max(i + k + 1, std::int64_t(0)), cols);
        std::memset(dst + row * static_cast<std::int64_t>(e), 0,
                    static_cast<std::size_t>(cols) * e);
        if (hi > lo) {
          std::memcpy(dst + (row + lo) * static_cast<std::int64_t>(e),
                      src + (row + lo) * static_cast<std::int64_t>(e),
                      static_cast<std::size_t>(hi - lo) * e);
        }
      }
    }
  }

 private:
  bool upper_;
};

// ReverseSequence: for each batch b the first sequence_lens[b] steps along the time axis are
// reversed; the rest are copied.
class ReverseSequenceKernel final : public OpKernel {
 public:
  explicit ReverseSequenceKernel(const OpInfo& info)
      : batch_axis_(info.get_int("batch_axis", 1)), time_axis_(info.get_int("time_axis", 0)) {
    if (!((batch_axis_ == 0 && time_axis_ == 1) || (batch_axis_ == 1 && time_axis_ == 0))) {
      info.fail(ErrorKind::invalid_model, "batch_axis and time_axis must be 0 and 1 in some order");
    }
  }
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    const Tensor& lens = ctx.input(1);
    if (x.rank() < 2) info.fail(ErrorKind::shape_mismatch, "the input must have rank 2 or more");
    const std::int64_t batch = x.shape()[static_cast<std::size_t>(batch_axis_)];
    const std::int64_t steps = x.shape()[static_cast<std::size_t>(time_axis_)];
    if (lens.rank() != 1 || lens.numel() != batch) {
      info.fail(ErrorKind::shape_mismatch, "sequence_lens of shape " + lens.shape().to_string() +
                                               " does not match the batch size " +
                                               std::to_string(batch));
    }
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const std::size_t block =
        static_cast<std::size_t>(span_of(x.shape(), 2, x.rank())) * dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(writable(y));
    auto at = [&](std::int64_t t, std::int64_t b) {
      return static_cast<std::size_t>(time_axis_ == 0 ? t * batch + b : b * steps + t) * block;
    };
    visit_indices(info, lens, "sequence_lens", [&](const auto* len) {
      for (std::int64_t b = 0; b < batch; ++b) {
        if (len[b] < 0 || len[b] > steps) {
          info.fail(ErrorKind::invalid_argument, "sequence length " + std::to_string(len[b]) +
                                                     " is outside [0, " + std::to_string(steps) +
                                                     "]");
        }
      }
      for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t t = 0; t < steps && block; ++t) {
          const std::int64_t from = t < len[b] ? len[b] - 1 - t : t;
          std::memcpy(dst + at(t, b), src + at(from, b), block);
        }
      }
    });
  }

 private:
  std::int64_t batch_axis_, time_axis_;
};

// Compress: the slices along axis (or of the flattened input) where condition is true.
class CompressKernel final : public OpKernel {
 public:
  explicit CompressKernel(const OpInfo& info)
      : has_axis_(info.has("axis")), axis_(info.get_int("axis", 0)) {}
  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& input = ctx.input(0);
    const Tensor& condition = ctx.input(1);
    if (condition.dtype() != DType::boolean || condition.rank() != 1) {
      info.fail(ErrorKind::invalid_model, "condition must be a 1-D bool tensor");
    }
    const Tensor x = has_axis_ ? input : input.reshaped(Shape{input.numel()});
    const std::size_t axis = has_axis_ ? normalize_axis(info, axis_, x.rank()) : 0;
    const std::int64_t dim = x.shape()[axis];
    const bool* c = condition.data<bool>();
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < condition.numel(); ++i) {
      if (!c[i]) continue;
      if (i >= dim) {
        info.fail(ErrorKind::shape_mismatch, "condition selects index " + std::to_string(i) +
                                                 " of an axis of size " + std::to_string(dim));
      }
      ++count;
    }
    Dims out = dims_of_shape(x.shape());
    out[axis] = count;
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    const std::int64_t outer = span_of(x.shape(), 0, axis);
    const std::size_t block =
        static_cast<std::size_t>(span_of(x.shape(), axis + 1, x.rank())) * dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(writable(y));
    for (std::int64_t o = 0; o < outer && block; ++o) {
      for (std::int64_t i = 0; i < condition.numel(); ++i) {
        if (!c[i]) continue;
        std::memcpy(dst, src + static_cast<std::size_t>(o * dim + i) * block, block);
        dst += block;
      }
    }
  }

 private:
  bool has_axis_;
  std::int64_t axis_;
};

// Unique (opset 11): the distinct slices along `axis` (the distinct elements of the flattened
// input without it), in ascending order (sorted = 1, lexicographic over the slice's elements in
// row-major order) or in order of first occurrence (sorted = 0); with the index of each one's
// first occurrence, the slice each input slice became (inverse_indices) and how often each one
// occurs. NaNs equal each other and sort after every number, as NumPy's unique; -0 equals 0.
class UniqueKernel final : public OpKernel {
 public:
  explicit UniqueKernel(const OpInfo& info)
      : has_axis_(info.has("axis")), axis_(info.get_int("axis", 0)) {
    const std::int64_t sorted = info.get_int("sorted", 1);
    if (sorted != 0 && sorted != 1)
      info.fail(ErrorKind::invalid_model, "sorted " + std::to_string(sorted) + " is not 0 or 1");
    sorted_ = sorted == 1;
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& input = ctx.input(0);
    const Tensor x = has_axis_ ? input : input.reshaped(Shape{input.numel()});
    const std::size_t axis = has_axis_ ? normalize_axis(info, axis_, x.rank()) : 0;
    const std::int64_t outer = span_of(x.shape(), 0, axis), count = x.shape()[axis];
    const std::int64_t inner = span_of(x.shape(), axis + 1, x.rank());
    // order: the slices sorted (stable: the first occurrence leads its group); first: where
    // each group starts in order; group: the group of each slice.
    std::vector<std::int64_t> order(static_cast<std::size_t>(count)), first, group(order.size());
    std::iota(order.begin(), order.end(), std::int64_t(0));
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          const T* p = x.data<T>();
          auto compare = [&](std::int64_t a, std::int64_t b) {
            for (std::int64_t o = 0; o < outer; ++o) {
              for (std::int64_t i = 0; i < inner; ++i) {
                const int c = compare_elements(p[(o * count + a) * inner + i],
                                               p[(o * count + b) * inner + i]);
                if (c != 0) return c;
              }
            }
            return 0;
          };
          std::stable_sort(order.begin(), order.end(),
                           [&](std::int64_t a, std::int64_t b) { return compare(a, b) < 0; });
          for (std::size_t k = 0; k < order.size(); ++k) {
            if (k == 0 || compare(order[k - 1], order[k]) != 0) first.push_back(order[k]);
          }
        },
        AllTypes{});
    const auto unique = static_cast<std::int64_t>(first.size());
    // Group g of sorted order holds order[start[g] .. start[g + 1]).
    std::vector<std::int64_t> start, sizes;
    for (std::size_t k = 0, g = 0; k < order.size(); ++k) {
      if (g < first.size() && order[k] == first[g]) {
        start.push_back(static_cast<std::int64_t>(k));
        ++g;
      }
    }
    start.push_back(count);
    // rank[g]: the output position of sorted group g.
    std::vector<std::int64_t> by_output(first.size()), rank(first.size());
    std::iota(by_output.begin(), by_output.end(), std::int64_t(0));
    if (!sorted_) {
      std::sort(by_output.begin(), by_output.end(), [&](std::int64_t a, std::int64_t b) {
        return first[static_cast<std::size_t>(a)] < first[static_cast<std::size_t>(b)];
      });
    }
    for (std::size_t r = 0; r < by_output.size(); ++r)
      rank[static_cast<std::size_t>(by_output[r])] = static_cast<std::int64_t>(r);
    for (std::size_t g = 0; g < first.size(); ++g) {
      for (std::int64_t k = start[g]; k < start[g + 1]; ++k)
        group[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = rank[g];
    }

    Dims out = dims_of_shape(x.shape());
    out[axis] = unique;
    Tensor& y = ctx.output(0, x.dtype(), output_shape(info, out));
    const std::size_t block = static_cast<std::size_t>(inner) * dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw_data());
    auto* dst = static_cast<unsigned char*>(writable(y));
    for (std::int64_t o = 0; o < outer && block; ++o) {
      for (std::int64_t r = 0; r < unique; ++r) {
        const std::int64_t g = by_output[static_cast<std::size_t>(r)];
        std::memcpy(
            dst + static_cast<std::size_t>(o * unique + r) * block,
            src + static_cast<std::size_t>(o * count + first[static_cast<std::size_t>(g)]) * block,
            block);
      }
    }
    const std::size_t outputs = ctx.output_count();
    if (outputs > 1) {
      std::int64_t* indices = ctx.output(1, DType::i64, Shape{unique}).data<std::int64_t>();
      for (std::int64_t r = 0; r < unique; ++r)
        indices[r] = first[static_cast<std::size_t>(by_output[static_cast<std::size_t>(r)])];
    }
    if (outputs > 2) {
      std::int64_t* inverse = ctx.output(2, DType::i64, Shape{count}).data<std::int64_t>();
      for (std::int64_t k = 0; k < count; ++k) inverse[k] = group[static_cast<std::size_t>(k)];
    }
    if (outputs > 3) {
      std::int64_t* counts = ctx.output(3, DType::i64, Shape{unique}).data<std::int64_t>();
      for (std::int64_t r = 0; r < unique; ++r) {
        const auto g = static_cast<std::size_t>(by_output[static_cast<std::size_t>(r)]);
        counts[r] = start[g + 1] - start[g];
      }
    }
  }

 private:
  // -1, 0 or 1 as a is before, equal to or after b; NaN after every number and equal to NaN.
  template <class T>
  static int compare_elements(T a, T b) {
    if constexpr (is_float_v<T>) {
      const auto fa = to_scalar(a), fb = to_scalar(b);
      const bool na = fa != fa, nb = fb != fb;
      if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
      return fa < fb ? -1 : (fb < fa ? 1 : 0);
    } else {
      return a < b ? -1 : (b < a ? 1 : 0);
    }
  }

  bool has_axis_;
  std::int64_t axis_;
  bool sorted_ = true;
};

inline void register_selection_ops(OpSet& ops) {
  ops.add("", "NonZero", 9, factory<NonZeroKernel>());
  ops.add("", "OneHot", 9, factory<OneHotKernel>());
  ops.add("", "Trilu", 14, factory<TriluKernel>());
  ops.add("", "ReverseSequence", 10, factory<ReverseSequenceKernel>());
  ops.add("", "Compress", 9, factory<CompressKernel>());
  ops.add("", "Unique", 11, factory<UniqueKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_SELECTION_HPP
