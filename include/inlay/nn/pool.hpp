// Pooling layers on Dims<C, H, W> images: MaxPool2D, AvgPool2D (kernels::max_pool2d_nchw_f32 /
// avg_pool2d_nchw_f32) and GlobalAvgPool (kernels::global_avg_pool_f32, giving Dims<C>).
#ifndef INLAY_NN_POOL_HPP
#define INLAY_NN_POOL_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "inlay/kernels/pool.hpp"
#include "inlay/nn/conv.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// dx (overwritten) from dy and the flat indices of each window's maximum.
void max_pool_backward(const std::int64_t* indices, const float* dy, std::size_t out_count,
                       float* dx, std::size_t in_count);
// dx (overwritten): each output's gradient spread evenly over the in-bounds part of its window.
void avg_pool_backward(const kernels::Pool2dParams& p, const float* dy, float* dx);
// MaxPool / AveragePool (max: true) with square kernel, stride and padding; GlobalAveragePool
// followed by Flatten.
std::string export_pool(ExportContext& ctx, bool max, const kernels::Pool2dParams& p,
                        const std::string& input);
std::string export_global_avg_pool(ExportContext& ctx, const std::string& input);

namespace detail {
template <std::size_t K, std::size_t S, std::size_t P, class In>
struct PoolGeometry {
  using img = image_dims<In>;
  static_assert(img::h + 2 * P >= K && img::w + 2 * P >= K,
                "inlay::nn pooling: the window is larger than the padded input");
  static constexpr std::size_t out_h = (img::h + 2 * P - K) / S + 1;
  static constexpr std::size_t out_w = (img::w + 2 * P - K) / S + 1;
  using out_shape = Dims<img::c, out_h, out_w>;
  static kernels::Pool2dParams params(std::size_t batch) {
    kernels::Pool2dParams p;
    p.batch = batch;
    p.channels = img::c;
    p.in_h = img::h;
    p.in_w = img::w;
    p.kernel_h = p.kernel_w = K;
    p.stride_h = p.stride_w = S;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = P;
    return p;
  }
};
}  // namespace detail

// MaxPool2D<kernel, stride = kernel, padding = 0>.
template <std::size_t K, std::size_t S = K, std::size_t P = 0, class In = void>
class MaxPool2D {
  using geo = detail::PoolGeometry<K, S, P, In>;

 public:
  using in_shape = In;
  using out_shape = typename geo::out_shape;
  template <class Shape>
  using bind = MaxPool2D<K, S, P, Shape>;

  void reserve(std::size_t batch) { indices_.resize(batch * out_shape::size); }
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    reserve_more(batch);
    kernels::max_pool2d_nchw_f32(geo::params(batch), x, y, indices_.data());
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    if (dx != nullptr) {
      max_pool_backward(indices_.data(), dy, batch * out_shape::size, dx, batch * In::size);
    }
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_pool(ctx, true, geo::params(1), input);
  }

 private:
  void reserve_more(std::size_t batch) {
    if (indices_.size() < batch * out_shape::size) reserve(batch);
  }
  std::vector<std::int64_t> indices_;
};
template <std::size_t K, std::size_t S, std::size_t P>
class MaxPool2D<K, S, P, void> {
 public:
  template <class Shape>
  using bind = MaxPool2D<K, S, P, Shape>;
};

// AvgPool2D<kernel, stride = kernel, padding = 0>; padding is not counted in the average.
template <std::size_t K, std::size_t S = K, std::size_t P = 0, class In = void>
class AvgPool2D {
  using geo = detail::PoolGeometry<K, S, P, In>;

 public:
  using in_shape = In;
  using out_shape = typename geo::out_shape;
  template <class Shape>
  using bind = AvgPool2D<K, S, P, Shape>;

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    kernels::avg_pool2d_nchw_f32(geo::params(batch), x, y);
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    if (dx != nullptr) avg_pool_backward(geo::params(batch), dy, dx);
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_pool(ctx, false, geo::params(1), input);
  }
};
template <std::size_t K, std::size_t S, std::size_t P>
class AvgPool2D<K, S, P, void> {
 public:
  template <class Shape>
  using bind = AvgPool2D<K, S, P, Shape>;
};

// The mean of each channel: Dims<C, H, W> -> Dims<C>.
template <class In>
class GlobalAvgPoolLayer {
  using img = detail::image_dims<In>;

 public:
  using in_shape = In;
  using out_shape = Dims<img::c>;
  template <class Shape>
  using bind = GlobalAvgPoolLayer<Shape>;

  void reserve(std::size_t) {}
  void forward(const float* x, float* y, std::size_t batch, const RunContext&) {
    kernels::global_avg_pool_f32(x, y, batch * img::c, img::h * img::w);
  }
  void backward(const float*, const float*, const float* dy, float* dx, std::size_t batch) {
    if (dx == nullptr) return;
    const std::size_t spatial = img::h * img::w;
    for (std::size_t plane = 0; plane < batch * img::c; ++plane) {
      const float g = dy[plane] / static_cast<float>(spatial);
      for (std::size_t i = 0; i < spatial; ++i) dx[plane * spatial + i] = g;
    }
  }
  template <class F>
  void for_each_param(F&&) {}
  void init(data::Rng&) {}
  std::string export_onnx(ExportContext& ctx, const std::string& input) const {
    return export_global_avg_pool(ctx, input);
  }
};
template <>
class GlobalAvgPoolLayer<void> {
 public:
  template <class Shape>
  using bind = GlobalAvgPoolLayer<Shape>;
};
using GlobalAvgPool = GlobalAvgPoolLayer<void>;

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_POOL_HPP
