// Optimizer and learning-rate schedule definitions.
#ifndef INLAY_NN_IMPL_OPTIMIZERS_HPP
#define INLAY_NN_IMPL_OPTIMIZERS_HPP

#include <cmath>

#include "inlay/nn/optimizer.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

void Optimizer::step(const std::vector<Param>& params, float lr_factor) {
  ++steps_;
  if (state_.size() != params.size() * slots()) { state_.assign(params.size() * slots(), {}); }
  double norm2 = 0.0;
  for (const Param& p : params) {
    if (p.grad == nullptr) continue;
    for (std::size_t i = 0; i < p.size; ++i) {
      float g = p.grad[i];
      if (p.decay) {
        const float w = p.value[i];
        g += l2 * w + l1 * (w > 0.0f ? 1.0f : (w < 0.0f ? -1.0f : 0.0f));
      }
      if (clip_value > 0.0f) g = std::fmin(std::fmax(g, -clip_value), clip_value);
      p.grad[i] = g;
      norm2 += static_cast<double>(g) * g;
    }
  }
  if (clip_norm > 0.0f && norm2 > static_cast<double>(clip_norm) * clip_norm) {
    const float scale = static_cast<float>(clip_norm / std::sqrt(norm2));
    for (const Param& p : params) {
      if (p.grad == nullptr) continue;
      for (std::size_t i = 0; i < p.size; ++i) p.grad[i] *= scale;
    }
  }
  const float lr = learning_rate * lr_factor;
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (params[k].grad == nullptr) continue;
    std::vector<float>* state = slots() ? &state_[k * slots()] : nullptr;
    for (std::size_t s = 0; s < slots(); ++s) {
      if (state[s].size() != params[k].size) state[s].assign(params[k].size, 0.0f);
    }
    update(params[k], state, lr, steps_);
  }
}

void SGD::update(const Param& p, std::vector<float>*, float lr, std::size_t) {
  for (std::size_t i = 0; i < p.size; ++i) p.value[i] -= lr * p.grad[i];
}

namespace {
void momentum_update(const Param& p, std::vector<float>& v, float lr, float mu, bool nesterov) {
  for (std::size_t i = 0; i < p.size; ++i) {
    v[i] = mu * v[i] + p.grad[i];
    p.value[i] -= lr * (nesterov ? p.grad[i] + mu * v[i] : v[i]);
  }
}
}  // namespace

void Momentum::update(const Param& p, std::vector<float>* state, float lr, std::size_t) {
  momentum_update(p, state[0], lr, momentum, nesterov);
}

void Nesterov::update(const Param& p, std::vector<float>* state, float lr, std::size_t) {
  momentum_update(p, state[0], lr, momentum, true);
}

void Adam::update(const Param& p, std::vector<float>* state, float lr, std::size_t t) {
  std::vector<float>& m = state[0];
  std::vector<float>& v = state[1];
  const double c1 = 1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(t));
  const double c2 = 1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(t));
  const float step = static_cast<float>(lr * std::sqrt(c2) / c1);
  const float eps_hat = static_cast<float>(eps * std::sqrt(c2));
  const float decay = p.decay ? lr * weight_decay : 0.0f;
  for (std::size_t i = 0; i < p.size; ++i) {
    const float g = p.grad[i];
    m[i] = beta1 * m[i] + (1.0f - beta1) * g;
    v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
    p.value[i] -= decay * p.value[i];
    p.value[i] -= step * m[i] / (std::sqrt(v[i]) + eps_hat);
  }
}

void RMSprop::update(const Param& p, std::vector<float>* state, float lr, std::size_t) {
  std::vector<float>& s = state[0];
  for (std::size_t i = 0; i < p.size; ++i) {
    const float g = p.grad[i];
    s[i] = rho * s[i] + (1.0f - rho) * g * g;
    p.value[i] -= lr * g / (std::sqrt(s[i]) + eps);
  }
}

float LrSchedule::factor(double epoch, std::size_t total_epochs,
                         std::size_t steps_per_epoch) const {
  if (warmup_epochs > 0.0 && epoch < warmup_epochs) {
    const double step = 1.0 / static_cast<double>(steps_per_epoch ? steps_per_epoch : 1);
    return static_cast<float>(std::fmin(1.0, (epoch + step) / warmup_epochs));
  }
  const double after = epoch - warmup_epochs;
  switch (kind) {
    case Kind::constant: return 1.0f;
    case Kind::step:
      return static_cast<float>(
          std::pow(static_cast<double>(gamma),
                   std::floor(after / static_cast<double>(step_epochs ? step_epochs : 1))));
    case Kind::cosine: {
      const double span = static_cast<double>(total_epochs) - warmup_epochs;
      const double progress = span > 0 ? std::fmin(after / span, 1.0) : 1.0;
      return static_cast<float>(min_factor +
                                (1.0 - min_factor) * 0.5 *
                                    (1.0 + std::cos(3.14159265358979323846 * progress)));
    }
  }
  return 1.0f;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_OPTIMIZERS_HPP
