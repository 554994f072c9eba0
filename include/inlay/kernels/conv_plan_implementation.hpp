// Definitions of the convolution plan (kernels/conv_plan.hpp); included by the implementation unit
// with the core.
#ifndef INLAY_KERNELS_CONV_PLAN_IMPLEMENTATION_HPP
#define INLAY_KERNELS_CONV_PLAN_IMPLEMENTATION_HPP

#include <algorithm>
#include <cstring>

#include "inlay/core/error.hpp"
#include "inlay/kernels/conv_plan.hpp"
#include "inlay/kernels/impl/paths.hpp"
#include "inlay/kernels/winograd.hpp"

INLAY_NAMESPACE_BEGIN
namespace kernels {

const char* conv2d_algorithm_name(Conv2dAlgorithm algorithm) {
  switch (algorithm) {
    case Conv2dAlgorithm::gemm: return "gemm";
    case Conv2dAlgorithm::depthwise: return "depthwise";
    case Conv2dAlgorithm::winograd: return "winograd";
    case Conv2dAlgorithm::packed: return "packed";
  }
  return "?";
}

Conv2dAlgorithm choose_conv2d_algorithm(const Conv2dParams& p, Conv2dWeights weights) {
  if (p.groups > 1 && p.groups == p.in_channels && p.out_channels % p.in_channels == 0) {
    return Conv2dAlgorithm::depthwise;
  }
  if (weights != Conv2dWeights::changing && detail::winograd_applies(p)) {
    return Conv2dAlgorithm::winograd;
  }
  if (weights == Conv2dWeights::fixed && conv2d_packed_supports(p)) {
    return Conv2dAlgorithm::packed;
  }
  return Conv2dAlgorithm::gemm;
}

Conv2dPlan::Conv2dPlan(const Conv2dPlan& other) : weights_(other.weights_) { *this = other; }

Conv2dPlan& Conv2dPlan::operator=(const Conv2dPlan& other) {
  if (this == &other) return *this;
  std::scoped_lock lock(mutex_, other.mutex_);
  weights_ = other.weights_;
  winograd_ = other.winograd_;
  packed_ = other.packed_;
  built_from_ = other.built_from_;
  winograd_ready_ = other.winograd_ready_.load();
  packed_ready_ = other.packed_ready_.load();
  return *this;
}

std::size_t Conv2dPlan::workspace_size_f32(const Conv2dParams& p) const {
  switch (algorithm(p)) {
    case Conv2dAlgorithm::depthwise: return 0;
    case Conv2dAlgorithm::winograd: return winograd_workspace_size_f32(p);
    case Conv2dAlgorithm::packed: return conv2d_packed_workspace_size_f32(p);
    case Conv2dAlgorithm::gemm: break;
  }
  return conv2d_workspace_size_f32(p);
}

void Conv2dPlan::reserve(const Conv2dParams& p) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool winograd = weights_ != Conv2dWeights::changing && winograd_supports(p);
  const bool packed = weights_ == Conv2dWeights::fixed && p.groups == 1;
  if (winograd) winograd_.reserve(winograd_weights_size_f32(p.out_channels, p.in_channels));
  if (packed) packed_.reserve(conv2d_packed_weights_size_f32(p));
  if (weights_ == Conv2dWeights::checked && winograd) {
    built_from_.reserve(p.out_channels * (p.in_channels / std::max<std::size_t>(p.groups, 1)) *
                        p.kernel_h * p.kernel_w);
  }
}

const float* Conv2dPlan::form(Conv2dAlgorithm algorithm, const Conv2dParams& p,
                              const float* w) const {
  const bool winograd = algorithm == Conv2dAlgorithm::winograd;
  if (w == nullptr) fail(ErrorKind::invalid_argument, "Conv2dPlan::run: w is null");
  std::atomic<bool>& ready = winograd ? winograd_ready_ : packed_ready_;
  std::vector<float>& data = winograd ? winograd_ : packed_;
  if (weights_ == Conv2dWeights::fixed && ready.load(std::memory_order_acquire)) {
    return data.data();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (weights_ == Conv2dWeights::checked) {
    // Weights of one shape on every call: compare the values the form stands for.
    const std::size_t n = p.out_channels * p.in_channels * p.kernel_h * p.kernel_w;
    if (built_from_.size() != n || std::memcmp(built_from_.data(), w, n * sizeof(float)) != 0) {
      built_from_.assign(w, w + n);
      winograd_ready_ = false;
      packed_ready_ = false;
    }
  }
  if (!ready.load(std::memory_order_relaxed)) {
    if (winograd) {
      data.resize(winograd_weights_size_f32(p.out_channels, p.in_channels));
      winograd_transform_weights_f32(p, w, data.data());
      ++detail::conv_form_counts().winograd;
    } else {
      data.resize(conv2d_packed_weights_size_f32(p));
      conv2d_pack_weights_f32(p, w, data.data());
      ++detail::conv_form_counts().packed;
    }
    ready.store(true, std::memory_order_release);
  }
  return data.data();
}

void Conv2dPlan::run(const Conv2dParams& p, const float* w, const float* x, const float* bias,
                     float* y, float* workspace, const Activation& activation,
                     Executor* executor) const {
  switch (const Conv2dAlgorithm a = algorithm(p)) {
    case Conv2dAlgorithm::depthwise:
      depthwise_conv2d_nchw_f32(p, x, w, bias, y, activation, executor);
      return;
    case Conv2dAlgorithm::winograd:
      winograd_conv2d_nchw_f32(p, x, form(a, p, w), bias, y, workspace, activation, executor);
      return;
    case Conv2dAlgorithm::packed:
      conv2d_nchw_packed_f32(p, x, form(a, p, w), bias, y, workspace, activation, executor);
      return;
    case Conv2dAlgorithm::gemm: break;
  }
  conv2d_nchw_f32(p, x, w, bias, y, workspace, activation, executor);
}

}  // namespace kernels
INLAY_NAMESPACE_END

#endif  // INLAY_KERNELS_CONV_PLAN_IMPLEMENTATION_HPP
