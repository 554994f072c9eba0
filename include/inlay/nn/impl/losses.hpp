// Loss definitions. Each computes in double per row and returns the mean; gradients are those of
// the mean.
#ifndef INLAY_NN_IMPL_LOSSES_HPP
#define INLAY_NN_IMPL_LOSSES_HPP

#include <algorithm>
#include <cmath>
#include <string>

#include "inlay/core/error.hpp"
#include "inlay/nn/loss.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

namespace {
const float* need_values(const Targets& t, const char* loss) {
  if (t.values == nullptr) {
    fail(ErrorKind::invalid_argument,
         std::string("nn::") + loss + ": needs target values (f32 targets), got none");
  }
  return t.values;
}
const std::int64_t* need_labels(const Targets& t, const char* loss) {
  if (t.labels == nullptr) {
    fail(ErrorKind::invalid_argument,
         std::string("nn::") + loss + ": needs class labels (i64 targets), got none");
  }
  return t.labels;
}
std::size_t checked_label(std::int64_t label, std::size_t classes, std::size_t row,
                          const char* loss) {
  if (label < 0 || static_cast<std::uint64_t>(label) >= classes) {
    fail(ErrorKind::invalid_argument, std::string("nn::") + loss + ": label " +
                                          std::to_string(label) + " of row " + std::to_string(row) +
                                          " is outside [0, " + std::to_string(classes) + ")");
  }
  return static_cast<std::size_t>(label);
}
// log(softmax(z / temperature)) of one row into out (double).
void log_softmax_row(const float* z, std::size_t n, double temperature, double* out) {
  double m = -INFINITY;
  for (std::size_t j = 0; j < n; ++j) m = std::max(m, z[j] / temperature);
  double s = 0.0;
  for (std::size_t j = 0; j < n; ++j) s += std::exp(z[j] / temperature - m);
  const double lse = m + std::log(s);
  for (std::size_t j = 0; j < n; ++j) out[j] = z[j] / temperature - lse;
}
// log(sigmoid(z)), stable for large |z|.
double log_sigmoid(double z) {
  return z >= 0 ? -std::log1p(std::exp(-z)) : z - std::log1p(std::exp(z));
}
}  // namespace

double MeanSquaredError::compute(const float* y, std::size_t batch, std::size_t width,
                                 const Targets& targets, float* grad) const {
  const float* t = need_values(targets, "MeanSquaredError");
  const std::size_t n = batch * width;
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(y[i]) - t[i];
    sum += d * d;
    if (grad) grad[i] = static_cast<float>(2.0 * d / static_cast<double>(n));
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

double MeanAbsoluteError::compute(const float* y, std::size_t batch, std::size_t width,
                                  const Targets& targets, float* grad) const {
  const float* t = need_values(targets, "MeanAbsoluteError");
  const std::size_t n = batch * width;
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(y[i]) - t[i];
    sum += std::fabs(d);
    if (grad)
      grad[i] = static_cast<float>((d > 0 ? 1.0 : (d < 0 ? -1.0 : 0.0)) / static_cast<double>(n));
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

double Huber::compute(const float* y, std::size_t batch, std::size_t width, const Targets& targets,
                      float* grad) const {
  const float* t = need_values(targets, "Huber");
  const std::size_t n = batch * width;
  const double dl = delta;
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(y[i]) - t[i];
    const double ad = std::fabs(d);
    sum += ad <= dl ? 0.5 * d * d : dl * (ad - 0.5 * dl);
    if (grad)
      grad[i] = static_cast<float>((ad <= dl ? d : (d > 0 ? dl : -dl)) / static_cast<double>(n));
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

namespace {
// Checks that row r of target values is a distribution (one-hot or soft, Keras'
// categorical_crossentropy targets) and returns it.
const float* checked_distribution(const float* values, std::size_t r, std::size_t width,
                                  const char* loss) {
  const float* t = values + r * width;
  double total = 0.0;
  for (std::size_t j = 0; j < width; ++j) {
    if (!(t[j] >= 0.0f && t[j] <= 1.0f)) {  // also catches NaN
      fail(ErrorKind::invalid_argument, std::string("nn::") + loss + ": target " +
                                            std::to_string(t[j]) + " at row " + std::to_string(r) +
                                            ", class " + std::to_string(j) +
                                            " is outside [0, 1] (one-hot or probability rows)");
    }
    total += t[j];
  }
  if (std::fabs(total - 1.0) > 1e-3) {
    fail(ErrorKind::invalid_argument, std::string("nn::") + loss + ": target row " +
                                          std::to_string(r) + " sums to " + std::to_string(total) +
                                          ", not 1 (one-hot or probability rows)");
  }
  return t;
}
}  // namespace

double CrossEntropy::compute(const float* y, std::size_t batch, std::size_t width,
                             const Targets& targets, float* grad) const {
  // Labels, or else target rows (one-hot or soft) read as the distribution to match.
  const std::int64_t* labels = targets.values != nullptr && targets.labels == nullptr
                                   ? nullptr
                                   : need_labels(targets, "CrossEntropy");
  if (!class_weights.empty() && class_weights.size() != width) {
    fail(ErrorKind::invalid_argument, "nn::CrossEntropy: " + std::to_string(class_weights.size()) +
                                          " class weights for " + std::to_string(width) +
                                          " classes");
  }
  const double eps = label_smoothing;
  std::vector<double> logp(width), q(width), row_weight(batch);
  double sum = 0.0, weight_sum = 0.0;
  for (std::size_t r = 0; r < batch; ++r) {
    double w = 1.0;
    if (labels) {
      const std::size_t label = checked_label(labels[r], width, r, "CrossEntropy");
      if (!class_weights.empty()) w = class_weights[label];
    } else {
      const float* t = checked_distribution(targets.values, r, width, "CrossEntropy");
      if (!class_weights.empty()) {  // the expected weight (w[label] for a one-hot row)
        w = 0.0;
        for (std::size_t j = 0; j < width; ++j) w += t[j] * class_weights[j];
      }
    }
    row_weight[r] = w;
    weight_sum += w;
  }
  for (std::size_t r = 0; r < batch; ++r) {
    const float* z = y + r * width;
    const double w = row_weight[r];
    for (std::size_t j = 0; j < width; ++j) {
      const double target = labels ? (static_cast<std::int64_t>(j) == labels[r] ? 1.0 : 0.0)
                                   : static_cast<double>(targets.values[r * width + j]);
      q[j] = (1.0 - eps) * target + eps / static_cast<double>(width);
    }
    log_softmax_row(z, width, 1.0, logp.data());
    double row = 0.0;
    for (std::size_t j = 0; j < width; ++j) {
      row -= q[j] * logp[j];
      if (grad) {
        grad[r * width + j] = static_cast<float>(w * (std::exp(logp[j]) - q[j]) / weight_sum);
      }
    }
    sum += w * row;
  }
  return weight_sum > 0 ? sum / weight_sum : 0.0;
}

double BinaryCrossEntropy::compute(const float* y, std::size_t batch, std::size_t width,
                                   const Targets& targets, float* grad) const {
  if (targets.values == nullptr && (targets.labels == nullptr || width != 1)) {
    need_values(targets, "BinaryCrossEntropy");
  }
  const std::size_t n = batch * width;
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double t;
    if (targets.values) {
      t = targets.values[i];
    } else {
      t = static_cast<double>(checked_label(targets.labels[i], 2, i, "BinaryCrossEntropy"));
    }
    const double z = y[i];
    sum -= t * log_sigmoid(z) + (1.0 - t) * log_sigmoid(-z);
    if (grad) {
      const double p = 1.0 / (1.0 + std::exp(-z));
      grad[i] = static_cast<float>((p - t) / static_cast<double>(n));
    }
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

double KLDivergence::compute(const float* y, std::size_t batch, std::size_t width,
                             const Targets& targets, float* grad) const {
  const float* p = need_values(targets, "KLDivergence");
  std::vector<double> logq(width);
  double sum = 0.0;
  for (std::size_t r = 0; r < batch; ++r) {
    log_softmax_row(y + r * width, width, 1.0, logq.data());
    double total = 0.0;
    for (std::size_t k = 0; k < width; ++k) total += p[r * width + k];
    for (std::size_t j = 0; j < width; ++j) {
      const double pj = p[r * width + j];
      if (pj > 0) sum += pj * (std::log(pj) - logq[j]);
      if (grad) {
        // d/dz of -sum p log softmax(z) = softmax(z) * sum(p) - p.
        grad[r * width + j] =
            static_cast<float>((std::exp(logq[j]) * total - pj) / static_cast<double>(batch));
      }
    }
  }
  return batch ? sum / static_cast<double>(batch) : 0.0;
}

double Hinge::compute(const float* y, std::size_t batch, std::size_t width, const Targets& targets,
                      float* grad) const {
  double sum = 0.0;
  if (width == 1) {
    if (targets.values == nullptr) need_labels(targets, "Hinge");
    for (std::size_t r = 0; r < batch; ++r) {
      const double t = targets.values ? targets.values[r] : static_cast<double>(targets.labels[r]);
      const double s = t > 0 ? 1.0 : -1.0;
      const double m = 1.0 - s * y[r];
      sum += m > 0 ? m : 0.0;
      if (grad) grad[r] = static_cast<float>(m > 0 ? -s / static_cast<double>(batch) : 0.0);
    }
    return batch ? sum / static_cast<double>(batch) : 0.0;
  }
  const std::int64_t* labels = need_labels(targets, "Hinge");
  for (std::size_t r = 0; r < batch; ++r) {
    const float* z = y + r * width;
    const std::size_t label = checked_label(labels[r], width, r, "Hinge");
    if (grad) std::fill(grad + r * width, grad + (r + 1) * width, 0.0f);
    for (std::size_t j = 0; j < width; ++j) {
      if (j == label) continue;
      const double m = 1.0 + z[j] - z[label];
      if (m > 0) {
        sum += m;
        if (grad) {
          grad[r * width + j] += static_cast<float>(1.0 / static_cast<double>(batch));
          grad[r * width + label] -= static_cast<float>(1.0 / static_cast<double>(batch));
        }
      }
    }
  }
  return batch ? sum / static_cast<double>(batch) : 0.0;
}

double Distillation::compute(const float* y, std::size_t batch, std::size_t width,
                             const Targets& targets, float* grad) const {
  const std::int64_t* labels = need_labels(targets, "Distillation");
  if (targets.soft == nullptr) {
    fail(ErrorKind::invalid_argument,
         "nn::Distillation: needs the teacher's logits (FitOptions::soft_targets), got none");
  }
  if (!(temperature > 0.0f)) {
    fail(ErrorKind::invalid_argument, "nn::Distillation: temperature must be > 0");
  }
  const double T = temperature, a = alpha;
  std::vector<double> logp(width), logq_t(width), logp_t(width);
  double sum = 0.0;
  const double inv_b = batch ? 1.0 / static_cast<double>(batch) : 0.0;
  for (std::size_t r = 0; r < batch; ++r) {
    const float* z = y + r * width;
    const std::size_t label = checked_label(labels[r], width, r, "Distillation");
    log_softmax_row(z, width, 1.0, logp.data());
    log_softmax_row(targets.soft + r * width, width, T, logq_t.data());  // teacher
    log_softmax_row(z, width, T, logp_t.data());                         // student, softened
    double kl = 0.0;
    for (std::size_t j = 0; j < width; ++j) {
      const double pt = std::exp(logq_t[j]);
      kl += pt * (logq_t[j] - logp_t[j]);
      if (grad) {
        // d/dz of CE = softmax(z) - onehot; of T^2 KL(z / T) = T (softmax(z / T) - p_teacher).
        const double hard = std::exp(logp[j]) - (j == label ? 1.0 : 0.0);
        const double soft = T * (std::exp(logp_t[j]) - pt);
        grad[r * width + j] = static_cast<float>((a * hard + (1.0 - a) * soft) * inv_b);
      }
    }
    sum += a * -logp[label] + (1.0 - a) * T * T * kl;
  }
  return sum * inv_b;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_LOSSES_HPP
