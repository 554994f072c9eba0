// Definitions of the banded inverted bottleneck (kernels/inverted_bottleneck.hpp); included by the
// implementation unit with the core.
#ifndef INLAY_KERNELS_INVERTED_BOTTLENECK_IMPLEMENTATION_HPP
#define INLAY_KERNELS_INVERTED_BOTTLENECK_IMPLEMENTATION_HPP

#include <algorithm>
#include <cstring>
#include <string>

#include "inlay/core/error.hpp"
#include "inlay/kernels/gemm.hpp"
#include "inlay/kernels/inverted_bottleneck.hpp"
#include "inlay/kernels/impl/paths.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {
namespace bottleneck_detail {

[[noreturn]] inline void bottleneck_fail(const std::string& what) {
  fail(ErrorKind::invalid_argument, "inverted_bottleneck: " + what);
}

// Input rows a band of output rows [o0, o1) reads, clipped to the plane: [first, last).
struct RowSpan {
  std::size_t first = 0, last = 0;
};
inline RowSpan input_rows(const Conv2dParams& d, std::size_t o0, std::size_t o1) {
  // Output row o reads input rows o * stride - pad_top + [0, kernel_h); signed until clipped.
  const auto top =
      static_cast<std::ptrdiff_t>(o0 * d.stride_h) - static_cast<std::ptrdiff_t>(d.pad_top);
  const auto bottom = static_cast<std::ptrdiff_t>((o1 - 1) * d.stride_h + d.kernel_h) -
                      static_cast<std::ptrdiff_t>(d.pad_top);
  RowSpan r;
  r.first = static_cast<std::size_t>(std::max<std::ptrdiff_t>(top, 0));
  r.last = static_cast<std::size_t>(
      std::min<std::ptrdiff_t>(bottom, static_cast<std::ptrdiff_t>(d.in_h)));
  return r;
}

struct Plan {
  std::size_t out_h = 0, out_w = 0, band_rows = 0, ranges = 1;
  std::size_t expanded_floats = 0, depthwise_floats = 0;  // per task
};

inline Plan make_plan(const InvertedBottleneckParams& p, Executor* executor) {
  const Conv2dParams& d = p.depthwise;
  Plan plan;
  plan.out_h = d.out_h();
  plan.out_w = d.out_w();
  plan.band_rows = detail::inverted_bottleneck_band_rows(p);
  const std::size_t c = d.in_channels;
  const std::size_t macs =
      d.batch * (c * d.in_h * d.in_w * p.in_channels +
                 c * plan.out_h * plan.out_w * (d.kernel_h * d.kernel_w + p.out_channels));
  executor = executor_for_work(executor, macs);
  if (executor != nullptr && d.batch < executor->concurrency()) {
    // Split each image's rows so every thread has work; a range is at least one band.
    const std::size_t want = (executor->concurrency() + d.batch - 1) / d.batch;
    plan.ranges = std::max<std::size_t>(1, std::min(want, plan.out_h / plan.band_rows));
  }
  plan.expanded_floats = c * ((plan.band_rows - 1) * d.stride_h + d.kernel_h) * d.in_w;
  plan.depthwise_floats = c * plan.band_rows * plan.out_w;
  return plan;
}

inline std::size_t task_count(const Plan& plan, const Conv2dParams& d, Executor* executor) {
  const std::size_t tasks = d.batch * plan.ranges;
  const std::size_t threads = executor != nullptr ? executor->concurrency() : 1;
  return std::min(tasks, std::max<std::size_t>(threads, 1));
}

// Runs output rows [r0, r1) of one image with one task's buffers. The expanded rows of a band
// that the next band reads again (kernel_h - stride_h of them, when bands are contiguous) move to
// the front of the buffer instead of being computed twice.
inline void run_rows(const InvertedBottleneckParams& p, const Plan& plan, const float* x,
                     const BottleneckStage& expand, const BottleneckStage& dw,
                     const BottleneckStage& project, float* y, std::size_t r0, std::size_t r1,
                     float* expanded, float* depthwise) {
  const Conv2dParams& d = p.depthwise;
  const std::size_t c = d.in_channels, w = d.in_w;
  const std::size_t in_plane = d.in_h * w, out_plane = plan.out_h * plan.out_w;
  const GemmEpilogue expand_epilogue{expand.bias, BiasKind::per_row, expand.activation};
  const GemmEpilogue project_epilogue{project.bias, BiasKind::per_row, project.activation};
  RowSpan held;  // the input rows `expanded` holds, [first, last), plane by plane
  for (std::size_t o0 = r0; o0 < r1; o0 += plan.band_rows) {
    const std::size_t o1 = std::min(r1, o0 + plan.band_rows);
    const RowSpan need = input_rows(d, o0, o1);
    const std::size_t rows = need.last - need.first;
    // Keep the rows of `held` that this band reads again: [need.first, held.last).
    std::size_t kept = 0;
    if (held.last > need.first && held.first <= need.first) {
      kept = held.last - need.first;
      const std::size_t old_stride = (held.last - held.first) * w, new_stride = rows * w;
      const std::size_t skip = (need.first - held.first) * w;
      // Channel planes move towards the front (new_stride <= old_stride) or the back: walk them
      // in the order that never overwrites a plane not yet moved.
      for (std::size_t i = 0; i < c; ++i) {
        const std::size_t ch = new_stride <= old_stride ? i : c - 1 - i;
        std::memmove(expanded + ch * new_stride, expanded + ch * old_stride + skip,
                     kept * w * sizeof(float));
      }
    }
    // Expand the rows not kept: E[:, kept:rows] = W_e * x[:, need.first + kept : need.last].
    const std::size_t fresh = rows - kept;
    if (fresh > 0) {
      gemm_f32(false, false, c, fresh * w, p.in_channels, 1.0f, expand.w, p.in_channels,
               x + (need.first + kept) * w, in_plane, 0.0f, expanded + kept * w, rows * w,
               expand_epilogue, nullptr);
    }
    held = need;
    // The depthwise layer on the band as an image of its own: the pads it still needs at the
    // top and bottom are those the band's first and last windows reach past the plane.
    Conv2dParams band = d;
    band.batch = 1;
    band.in_h = rows;
    band.pad_top = need.first + d.pad_top - o0 * d.stride_h;
    band.pad_bottom = (o1 - 1) * d.stride_h + d.kernel_h - d.pad_top - need.last;
    depthwise_conv2d_nchw_f32(band, expanded, dw.w, dw.bias, depthwise, dw.activation, nullptr);
    // Project: Y[:, o0:o1] = W_p * D.
    const std::size_t cols = (o1 - o0) * plan.out_w;
    gemm_f32(false, false, p.out_channels, cols, c, 1.0f, project.w, c, depthwise, cols, 0.0f,
             y + o0 * plan.out_w, out_plane, project_epilogue, nullptr);
  }
}

}  // namespace bottleneck_detail

void validate_inverted_bottleneck(const InvertedBottleneckParams& p) {
  using bottleneck_detail::bottleneck_fail;
  const Conv2dParams& d = p.depthwise;
  validate_conv2d(d);
  if (d.groups != d.in_channels || d.out_channels != d.in_channels) {
    bottleneck_fail("the depthwise layer needs groups == in_channels == out_channels (" +
                    std::to_string(d.groups) + ", " + std::to_string(d.in_channels) + ", " +
                    std::to_string(d.out_channels) + ")");
  }
  if (d.dilation_h != 1 || d.dilation_w != 1) bottleneck_fail("dilation must be 1");
  if (p.in_channels == 0 || p.out_channels == 0) {
    bottleneck_fail("in_channels and out_channels must be positive");
  }
  if (d.pad_top >= d.kernel_h || d.pad_bottom >= d.kernel_h) {
    bottleneck_fail("pad_top and pad_bottom must be less than kernel_h");
  }
}

std::size_t detail::inverted_bottleneck_band_rows(const InvertedBottleneckParams& p) {
  const Conv2dParams& d = p.depthwise;
  // Per output row: stride_h expanded rows of in_w and one depthwise row of out_w, all channels.
  const std::size_t per_row = d.in_channels * (d.stride_h * d.in_w + d.out_w()) * sizeof(float);
  const std::size_t rows = per_row == 0 ? 1 : detail::kInvertedBottleneckBandBytes / per_row;
  return std::max<std::size_t>(1, std::min(rows, std::max<std::size_t>(d.out_h(), 1)));
}

std::size_t inverted_bottleneck_workspace_size_f32(const InvertedBottleneckParams& p,
                                                   Executor* executor) {
  const bottleneck_detail::Plan plan = bottleneck_detail::make_plan(p, executor);
  return bottleneck_detail::task_count(plan, p.depthwise, executor) *
         (plan.expanded_floats + plan.depthwise_floats);
}

void inverted_bottleneck_nchw_f32(const InvertedBottleneckParams& p, const float* x,
                                  const BottleneckStage& expand, const BottleneckStage& depthwise,
                                  const BottleneckStage& project, float* y, float* workspace,
                                  Executor* executor) {
  using namespace bottleneck_detail;
  validate_inverted_bottleneck(p);
  const Conv2dParams& d = p.depthwise;
  const Plan plan = make_plan(p, executor);
  if (d.batch == 0 || plan.out_h == 0 || plan.out_w == 0) return;
  if (x == nullptr || y == nullptr || workspace == nullptr || expand.w == nullptr ||
      depthwise.w == nullptr || project.w == nullptr) {
    bottleneck_fail("x, y, workspace and every stage's weights must be non-null");
  }
  const std::size_t tasks = task_count(plan, d, executor);
  const std::size_t units = d.batch * plan.ranges;  // (image, row range) pairs
  const std::size_t per_task = plan.expanded_floats + plan.depthwise_floats;
  const std::size_t in_image = p.in_channels * d.in_h * d.in_w;
  const std::size_t out_image = p.out_channels * plan.out_h * plan.out_w;
  // Ranges are whole bands, so each task's rows start on a band boundary of its own.
  const std::size_t bands = (plan.out_h + plan.band_rows - 1) / plan.band_rows;
  parallel_for(tasks > 1 ? executor : nullptr, tasks, [&](std::size_t t) {
    float* expanded = workspace + t * per_task;
    float* dw = expanded + plan.expanded_floats;
    for (std::size_t u = units * t / tasks; u < units * (t + 1) / tasks; ++u) {
      const std::size_t n = u / plan.ranges, r = u % plan.ranges;
      const std::size_t r0 = std::min(plan.out_h, bands * r / plan.ranges * plan.band_rows);
      const std::size_t r1 = std::min(plan.out_h, bands * (r + 1) / plan.ranges * plan.band_rows);
      if (r0 >= r1) continue;
      run_rows(p, plan, x + n * in_image, expand, depthwise, project, y + n * out_image, r0, r1,
               expanded, dw);
    }
  });
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_INVERTED_BOTTLENECK_IMPLEMENTATION_HPP
