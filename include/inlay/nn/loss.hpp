// Losses: each gives the mean loss over a batch and its gradient with respect to the network's
// output. Classification losses take logits (no softmax/sigmoid layer before them).
#ifndef INLAY_NN_LOSS_HPP
#define INLAY_NN_LOSS_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#include "inlay/core/config.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// The targets of one batch; which ones a loss reads is said with each loss.
struct Targets {
  const std::int64_t* labels = nullptr;  // [batch] class indices
  const float* values = nullptr;         // [batch, width] target values
  const float* soft = nullptr;           // [batch, width] a teacher's logits (distillation)
};

class Loss {
 public:
  virtual ~Loss() = default;
  // Mean loss of `batch` rows of `width` outputs; grad (may be null) receives d(mean loss) /
  // d(output), [batch, width]. inlay::Error (invalid_argument) when a needed target is missing or
  // a label is out of range.
  virtual double compute(const float* output, std::size_t batch, std::size_t width,
                         const Targets& targets, float* grad) const = 0;
  virtual const char* name() const = 0;
};

// mean((y - t)^2) over all values. Reads values.
class MeanSquaredError final : public Loss {
 public:
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "mse"; }
};
// mean(|y - t|). Reads values.
class MeanAbsoluteError final : public Loss {
 public:
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "mae"; }
};
// mean of 0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta); d = y - t. Reads values.
class Huber final : public Loss {
 public:
  explicit Huber(float delta = 1.0f) : delta(delta) {}
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "huber"; }
  float delta;
};
// Softmax cross-entropy from logits. Reads labels, or else values: rows that are one-hot or
// probabilities summing to 1 (Keras' categorical_crossentropy targets); a one-hot row gives the
// same loss as its label. With label smoothing eps the target
// distribution is (1 - eps) one_hot + eps / classes; with class weights w each row counts
// w[label] times (sum_j t_j w[j] for a target row t) and the mean divides by the sum of those
// weights (as PyTorch's weighted mean).
class CrossEntropy final : public Loss {
 public:
  CrossEntropy() = default;
  explicit CrossEntropy(std::vector<float> class_weights, float label_smoothing = 0.0f)
      : class_weights(std::move(class_weights)), label_smoothing(label_smoothing) {}
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "cross_entropy"; }
  std::vector<float> class_weights;  // empty: all 1
  float label_smoothing = 0.0f;
};
// Sigmoid cross-entropy from logits, every output an independent yes/no. Reads values (0..1),
// or labels (0/1) when width is 1 and no values are given.
class BinaryCrossEntropy final : public Loss {
 public:
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "binary_cross_entropy"; }
};
// KL(p || softmax(y)) per row, averaged over rows: p (values) is a target distribution, y logits.
class KLDivergence final : public Loss {
 public:
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "kl_divergence"; }
};
// Width 1: mean(max(0, 1 - s y)) with s = +1 for target 1 and -1 for target 0 or -1 (values or
// labels). Width > 1 (multi-class, Weston & Watkins): mean over rows of
// sum_{j != label} max(0, 1 + y_j - y_label). Reads labels there.
class Hinge final : public Loss {
 public:
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "hinge"; }
};
// Knowledge distillation (Hinton, Vinyals & Dean 2015): alpha * CE(y, labels) +
// (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(y / T)). Reads labels and soft (the
// teacher's logits, from a typed network's forward or an inlay::Session run).
class Distillation final : public Loss {
 public:
  explicit Distillation(float alpha = 0.5f, float temperature = 4.0f)
      : alpha(alpha), temperature(temperature) {}
  double compute(const float*, std::size_t, std::size_t, const Targets&, float*) const override;
  const char* name() const override { return "distillation"; }
  float alpha, temperature;
};

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_LOSS_HPP
