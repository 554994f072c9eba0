// Entry points of the 8-bit depthwise convolution (see qdepthwise.hpp): the scratch layout, the
// parameter checks, then the body compiled for the CPU target in use. Part of the qgemm family
// (included by qgemm-dispatch.hpp), compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_QDEPTHWISE_DISPATCH_HPP
#define INLAY_KERNELS_QDEPTHWISE_DISPATCH_HPP

#include <algorithm>
#include <string>

#include "inlay/core/error.hpp"
#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/qdepthwise.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

INLAY_EXPORT(qdepthwise_conv2d);

namespace qdepthwise_detail {

// Room past the last output column of a phase row: the body reads two vectors of output columns
// at a time, and 2 * lanes divides this for every target up to 2048-bit vectors.
constexpr std::size_t kColumnRoom = 128;
// Pairs a vector of the pair rows' making writes at once (PairRow: at most 128 bits of int16).
constexpr std::size_t kPairStep = 8;

Layout qdepthwise_layout(const Conv2dParams& p, Executor* executor) {
  Layout l;
  const std::size_t oh = p.out_h(), ow = p.out_w();
  if (oh == 0 || ow == 0 || p.batch == 0 || p.in_channels == 0) return l;
  l.phases = p.stride_w;
  l.pairs = p.kernel_h * ((p.kernel_w + 1) / 2);
  l.rows = (oh - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1;
  const std::size_t padded_w = p.pad_left + p.in_w + p.pad_right;
  l.used = (padded_w + l.phases - 1) / l.phases;
  const std::size_t reach = (ow + kColumnRoom - 1) / kColumnRoom * kColumnRoom +
                            (p.kernel_w - 1) * p.dilation_w / p.stride_w;
  l.row_len = (std::max(l.used, reach) + 15) / 16 * 16;
  // A padded row as PairRow reads it: whole vectors of pairs past used, each pair's second
  // column a dilation further.
  const std::size_t used_up = (l.used + kPairStep - 1) / kPairStep * kPairStep;
  l.flat_len = ((used_up + 1) * l.phases + p.dilation_w + 31) / 32 * 32;
  // The pair rows (two int16 per pair), the padded rows, each tap pair's offset and weights.
  const std::size_t bytes = l.rows * l.phases * l.row_len * 2 * sizeof(std::int16_t) +
                            l.rows * l.flat_len * sizeof(std::int16_t) +
                            l.pairs * (sizeof(std::size_t) + sizeof(std::int32_t));
  l.worker_bytes = (bytes + 63) / 64 * 64;
  const std::size_t planes = p.batch * p.in_channels;
  Executor* ex = executor_for_work(executor, planes * oh * ow * p.kernel_h * p.kernel_w);
  l.workers = ex == nullptr ? 1 : std::max<std::size_t>(1, std::min(ex->concurrency(), planes));
  return l;
}

inline void check_zero(const char* name, std::int32_t v, bool is_signed) {
  const std::int32_t lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
  if (v < lo || v > hi) {
    fail(ErrorKind::invalid_argument,
         std::string("qdepthwise_conv2d: ") + name + " " + std::to_string(v) + " out of range");
  }
}

inline void check_axis(const char* name, QgemmAxis axis) {
  if (axis != QgemmAxis::per_tensor && axis != QgemmAxis::per_row) {
    fail(ErrorKind::invalid_argument, std::string("qdepthwise_conv2d: ") + name +
                                          " must be per tensor or per channel (per_row)");
  }
}

}  // namespace qdepthwise_detail

std::size_t qdepthwise_workspace_size(const Conv2dParams& p, Executor* executor) {
  validate_conv2d(p);
  const qdepthwise_detail::Layout l = qdepthwise_detail::qdepthwise_layout(p, executor);
  return l.worker_bytes * l.workers;
}

void qdepthwise_conv2d(const Conv2dParams& p, const QDepthwiseOperands& o, const QgemmEpilogue& e,
                       void* workspace, Executor* executor) {
  using namespace qdepthwise_detail;
  constexpr const char* f = "qdepthwise_conv2d";
  validate_conv2d(p);
  if (p.groups != p.in_channels || p.out_channels != p.in_channels) {
    fail(ErrorKind::invalid_argument,
         std::string(f) +
             ": in_channels, out_channels and groups must be equal (one filter per "
             "channel), not " +
             std::to_string(p.in_channels) + ", " + std::to_string(p.out_channels) + ", " +
             std::to_string(p.groups));
  }
  if (e.output != QgemmOutput::u8 && e.output != QgemmOutput::s8) {
    fail(ErrorKind::invalid_argument, std::string(f) + ": the output must be u8 or s8");
  }
  check_axis("bias", e.bias_axis);
  check_axis("scale", e.scale_axis);
  check_zero("x zero point", o.x_zero, o.x_signed);
  check_zero("output zero point", e.zero_point, e.output == QgemmOutput::s8);
  if (o.w_zero != nullptr) {
    const std::size_t count = o.w_zero_per_channel ? p.in_channels : 1;
    for (std::size_t c = 0; c < count; ++c) check_zero("w zero point", o.w_zero[c], o.w_signed);
  }
  const Layout l = qdepthwise_layout(p, executor);
  if (l.rows == 0) return;  // no output
  const auto need = [&](const char* name, const void* ptr) {
    if (ptr == nullptr)
      fail(ErrorKind::invalid_argument, std::string(f) + ": " + name + " is null");
  };
  need("x", o.x);
  need("w", o.w);
  need("epilogue.c", e.c);
  need("epilogue.scale", e.scale);
  need("workspace", workspace);
  INLAY_DISPATCH(qdepthwise_conv2d)(p, o, e, l, workspace, executor);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_QDEPTHWISE_DISPATCH_HPP
