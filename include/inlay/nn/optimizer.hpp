// Optimizers, regularization, gradient clipping and learning-rate schedules.
#ifndef INLAY_NN_OPTIMIZER_HPP
#define INLAY_NN_OPTIMIZER_HPP

#include <cstddef>
#include <vector>

#include "inlay/nn/core.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// step(params) in this order: gradient += l2 * w + l1 * sign(w) (parameters with decay only);
// each gradient value clipped to [-clip_value, clip_value] (when > 0); all gradients scaled so
// that their global L2 norm is at most clip_norm (when > 0); then the optimizer's update with
// learning_rate * lr_factor. State (moments) is kept per parameter position in the list.
class Optimizer {
 public:
  explicit Optimizer(float learning_rate) : learning_rate(learning_rate) {}
  virtual ~Optimizer() = default;
  void step(const std::vector<Param>& params, float lr_factor = 1.0f);
  // Forgets moments and the step count.
  void reset() {
    state_.clear();
    steps_ = 0;
  }
  std::size_t steps() const { return steps_; }

  float learning_rate;
  float l1 = 0.0f, l2 = 0.0f;
  float clip_value = 0.0f, clip_norm = 0.0f;

 protected:
  // Updates p.value from g = p.grad (already regularized and clipped); `state` holds
  // slots() vectors of p.size floats, zero at the first step; t is the 1-based step number.
  virtual void update(const Param& p, std::vector<float>* state, float lr, std::size_t t) = 0;
  virtual std::size_t slots() const { return 0; }

 private:
  std::vector<std::vector<float>> state_;
  std::size_t steps_ = 0;
};

// w -= lr g
class SGD final : public Optimizer {
 public:
  explicit SGD(float learning_rate = 0.01f) : Optimizer(learning_rate) {}

 protected:
  void update(const Param&, std::vector<float>*, float, std::size_t) override;
};
// v = mu v + g; w -= lr v (PyTorch's form). Nesterov: w -= lr (g + mu v) (Sutskever et al. 2013).
class Momentum final : public Optimizer {
 public:
  explicit Momentum(float learning_rate = 0.01f, float momentum = 0.9f, bool nesterov = false)
      : Optimizer(learning_rate), momentum(momentum), nesterov(nesterov) {}
  float momentum;
  bool nesterov;

 protected:
  void update(const Param&, std::vector<float>*, float, std::size_t) override;
  std::size_t slots() const override { return 1; }
};
class Nesterov final : public Optimizer {
 public:
  explicit Nesterov(float learning_rate = 0.01f, float momentum = 0.9f)
      : Optimizer(learning_rate), momentum(momentum) {}
  float momentum;

 protected:
  void update(const Param&, std::vector<float>*, float, std::size_t) override;
  std::size_t slots() const override { return 1; }
};
// Adam (Kingma & Ba, ICLR 2015) with bias correction. AdamW (Loshchilov & Hutter, ICLR 2019)
// adds decoupled weight decay: w -= lr * weight_decay * w for parameters with decay.
class Adam : public Optimizer {
 public:
  explicit Adam(float learning_rate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
                float eps = 1e-8f)
      : Optimizer(learning_rate), beta1(beta1), beta2(beta2), eps(eps) {}
  float beta1, beta2, eps;
  float weight_decay = 0.0f;  // decoupled (AdamW); 0 for Adam

 protected:
  void update(const Param&, std::vector<float>*, float, std::size_t) override;
  std::size_t slots() const override { return 2; }
};
class AdamW final : public Adam {
 public:
  explicit AdamW(float learning_rate = 0.001f, float weight_decay = 0.01f, float beta1 = 0.9f,
                 float beta2 = 0.999f, float eps = 1e-8f)
      : Adam(learning_rate, beta1, beta2, eps) {
    this->weight_decay = weight_decay;
  }
};
// s = rho s + (1 - rho) g^2; w -= lr g / (sqrt(s) + eps) (Tieleman & Hinton 2012).
class RMSprop final : public Optimizer {
 public:
  explicit RMSprop(float learning_rate = 0.001f, float rho = 0.9f, float eps = 1e-7f)
      : Optimizer(learning_rate), rho(rho), eps(eps) {}
  float rho, eps;

 protected:
  void update(const Param&, std::vector<float>*, float, std::size_t) override;
  std::size_t slots() const override { return 1; }
};

// The factor applied to the learning rate at a (fractional) epoch: linear warm-up from
// 1 / (warmup steps) to 1 over warmup_epochs (the first step gets 1 / warmup steps), then constant,
// step (gamma every step_epochs) or cosine (from 1 down to min_factor at total_epochs; Loshchilov &
// Hutter, ICLR 2017).
struct LrSchedule {
  enum class Kind { constant, step, cosine };
  Kind kind = Kind::constant;
  std::size_t step_epochs = 10;
  float gamma = 0.1f;
  float min_factor = 0.0f;
  double warmup_epochs = 0.0;

  static LrSchedule constant() { return {}; }
  static LrSchedule step(std::size_t every_epochs, float gamma) {
    LrSchedule s;
    s.kind = Kind::step;
    s.step_epochs = every_epochs;
    s.gamma = gamma;
    return s;
  }
  static LrSchedule cosine(float min_factor = 0.0f) {
    LrSchedule s;
    s.kind = Kind::cosine;
    s.min_factor = min_factor;
    return s;
  }
  LrSchedule& with_warmup(double epochs) {
    warmup_epochs = epochs;
    return *this;
  }
  // epoch: epochs done before this step, fractional within an epoch (0 at the first step).
  float factor(double epoch, std::size_t total_epochs, std::size_t steps_per_epoch = 1) const;
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_OPTIMIZER_HPP
