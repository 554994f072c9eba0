// Entry points of the pool kernels (see pool.hpp): each calls the body compiled for the CPU target
// in use. Compiled once, in the implementation translation unit.
#ifndef INLAY_KERNELS_POOL_DISPATCH_HPP
#define INLAY_KERNELS_POOL_DISPATCH_HPP

#include <string>

#include "inlay/impl/dispatch.hpp"
#include "inlay/kernels/pool.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

namespace {
// ONNX's pooling output size: (in + pads - extent) / stride + 1 rounded down, or up with
// ceil_mode, where a last window starting past the input and the leading padding is dropped.
std::size_t pool_out_size(std::size_t in, std::size_t pad_begin, std::size_t pad_end,
                          std::size_t kernel, std::size_t stride, std::size_t dilation,
                          bool ceil_mode) {
  if (kernel == 0 || stride == 0) return 0;
  const std::size_t extent = dilation * (kernel - 1) + 1, padded = in + pad_begin + pad_end;
  if (padded < extent) return 0;
  std::size_t out = (padded - extent + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

void check_pool_params(const Pool2dParams& p, const char* fn) {
  const struct {
    const char* name;
    std::size_t value;
  } fields[] = {{"kernel_h", p.kernel_h},     {"kernel_w", p.kernel_w},
                {"stride_h", p.stride_h},     {"stride_w", p.stride_w},
                {"dilation_h", p.dilation_h}, {"dilation_w", p.dilation_w}};
  for (const auto& f : fields) {
    if (f.value == 0) fail(ErrorKind::invalid_argument, std::string(fn) + ": " + f.name + " is 0");
  }
}

void check_pool_pointer(const char* fn, const char* name, const void* ptr, std::size_t n) {
  if (ptr == nullptr && n != 0) {
    fail(ErrorKind::invalid_argument, std::string(fn) + ": " + name + " is null but " +
                                          std::to_string(n) + " elements are needed");
  }
}
}  // namespace

std::size_t Pool2dParams::out_h() const {
  return pool_out_size(in_h, pad_top, pad_bottom, kernel_h, stride_h, dilation_h, ceil_mode);
}
std::size_t Pool2dParams::out_w() const {
  return pool_out_size(in_w, pad_left, pad_right, kernel_w, stride_w, dilation_w, ceil_mode);
}

void validate_pool2d(const Pool2dParams& p) { check_pool_params(p, "pool2d"); }

INLAY_EXPORT(max_pool2d_nchw_f32);
INLAY_EXPORT(avg_pool2d_nchw_f32);
INLAY_EXPORT(global_avg_pool_f32);
INLAY_EXPORT(global_max_pool_f32);

void max_pool2d_nchw_f32(const Pool2dParams& p, const float* x, float* y, std::int64_t* indices) {
  const char* fn = "max_pool2d";
  check_pool_params(p, fn);
  const std::size_t out = p.batch * p.channels * p.out_h() * p.out_w();
  if (out == 0) return;
  check_pool_pointer(fn, "x", x, p.batch * p.channels * p.in_h * p.in_w);
  check_pool_pointer(fn, "y", y, out);
  INLAY_DISPATCH(max_pool2d_nchw_f32)(p, x, y, indices);
}

void avg_pool2d_nchw_f32(const Pool2dParams& p, const float* x, float* y) {
  const char* fn = "avg_pool2d";
  check_pool_params(p, fn);
  const std::size_t out = p.batch * p.channels * p.out_h() * p.out_w();
  if (out == 0) return;
  check_pool_pointer(fn, "x", x, p.batch * p.channels * p.in_h * p.in_w);
  check_pool_pointer(fn, "y", y, out);
  INLAY_DISPATCH(avg_pool2d_nchw_f32)(p, x, y);
}

void global_avg_pool_f32(const float* x, float* y, std::size_t planes, std::size_t spatial) {
  check_pool_pointer("global_avg_pool", "x", x, planes * spatial);
  check_pool_pointer("global_avg_pool", "y", y, planes);
  INLAY_DISPATCH(global_avg_pool_f32)(x, y, planes, spatial);
}

void global_max_pool_f32(const float* x, float* y, std::size_t planes, std::size_t spatial) {
  check_pool_pointer("global_max_pool", "x", x, planes * spatial);
  check_pool_pointer("global_max_pool", "y", y, planes);
  INLAY_DISPATCH(global_max_pool_f32)(x, y, planes, spatial);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_POOL_DISPATCH_HPP
