// ai.onnx.ml SVMClassifier and SVMRegressor (opset 1), as sklearn-onnx writes SVC, NuSVC, SVR,
// NuSVR and OneClassSVM: kernels LINEAR, POLY, RBF and SIGMOID over libsvm's support vectors,
// one-vs-one voting, and Platt-scaled probabilities coupled over the class pairs (libsvm's
// method); without support vectors the liblinear form, one coefficient row per class. Outputs
// follow ONNX Runtime's, the reference that sklearn-onnx checks against. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_SVM_HPP
#define INLAY_GRAPH_OPS_ML_SVM_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

enum class SvmKernelType { linear, poly, rbf, sigmoid };

// The kernel K(x, v) of kernel_type with kernel_params [gamma, coef0, degree] (all 0 when absent).
class SvmKernel {
 public:
  explicit SvmKernel(const OpInfo& info)
      : type_(enum_attribute<SvmKernelType>(info, "kernel_type", "LINEAR",
                                            {{"LINEAR", SvmKernelType::linear},
                                             {"POLY", SvmKernelType::poly},
                                             {"RBF", SvmKernelType::rbf},
                                             {"SIGMOID", SvmKernelType::sigmoid}},
                                            ErrorKind::invalid_model)) {
    const std::vector<float> p = info.get_floats("kernel_params");
    if (!p.empty() && p.size() != 3) {
      info.fail(ErrorKind::invalid_model, "kernel_params has " + std::to_string(p.size()) +
                                              " entries; expected 3 (gamma, coef0, degree)");
    }
    if (p.size() == 3) {
      gamma_ = p[0];
      coef0_ = p[1];
      degree_ = p[2];
    }
  }
  // Without support vectors the model is linear whatever kernel_type says (as ONNX Runtime).
  void make_linear() noexcept { type_ = SvmKernelType::linear; }
  double operator()(const double* x, const double* v, std::int64_t c) const {
    if (type_ == SvmKernelType::rbf) {
      double d2 = 0.0;
      for (std::int64_t k = 0; k < c; ++k) d2 += (x[k] - v[k]) * (x[k] - v[k]);
      return std::exp(-gamma_ * d2);
    }
    double dot = 0.0;
    for (std::int64_t k = 0; k < c; ++k) dot += x[k] * v[k];
    switch (type_) {
      case SvmKernelType::poly: return std::pow(gamma_ * dot + coef0_, degree_);
      case SvmKernelType::sigmoid: return std::tanh(gamma_ * dot + coef0_);
      default: return dot;
    }
  }

 private:
  SvmKernelType type_;
  double gamma_ = 0.0, coef0_ = 0.0, degree_ = 0.0;
};

inline std::string svm_count(std::size_t n) { return std::to_string(n); }

// Checks that X is [N, c] for the c features of the model.
inline void svm_check_features(const OpContext& ctx, const MlRows& x, std::int64_t c) {
  if (x.c != c) {
    ctx.fail(ErrorKind::shape_mismatch,
             "X has " + std::to_string(x.c) + " features; the model is for " + std::to_string(c));
  }
}

// libsvm's Platt scaling of one pairwise decision value: P(first class) = 1 / (1 + exp(A f + B)),
// kept inside [1e-7, 1 - 1e-7] as libsvm does before the coupling.
inline double svm_pair_probability(double f, double a, double b) {
  const double p = 1.0 / (1.0 + std::exp(a * f + b));
  return std::min(std::max(p, 1e-7), 1.0 - 1e-7);
}

// The class probabilities p from the pairwise ones r (r[i k + j] = P(i | i or j)): method 2 of
// Wu, Lin and Weng, "Probability Estimates for Multi-class Classification by Pairwise
// Coupling" (JMLR 2004), with libsvm's and ONNX Runtime's stopping rule (100 rounds, error
// below 0.005 / k).
inline void svm_couple(std::size_t k, const std::vector<double>& r, double* p) {
  std::vector<double> q(k * k, 0.0), qp(k);
  for (std::size_t t = 0; t < k; ++t) {
    p[t] = 1.0 / static_cast<double>(k);
    for (std::size_t j = 0; j < k; ++j) {
      if (j == t) continue;
      q[t * k + t] += r[j * k + t] * r[j * k + t];
      q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  const double eps = 0.005 / static_cast<double>(k);
  for (int round = 0; round < 100; ++round) {
    double pqp = 0.0;
    for (std::size_t t = 0; t < k; ++t) {
      qp[t] = 0.0;
      for (std::size_t j = 0; j < k; ++j) qp[t] += q[t * k + j] * p[j];
      pqp += p[t] * qp[t];
    }
    double worst = 0.0;
    for (std::size_t t = 0; t < k; ++t) worst = std::max(worst, std::fabs(qp[t] - pqp));
    if (worst < eps) break;
    for (std::size_t t = 0; t < k; ++t) {
      const double diff = (pqp - qp[t]) / q[t * k + t];
      p[t] += diff;
      pqp = (pqp + diff * (diff * q[t * k + t] + 2.0 * qp[t])) / (1.0 + diff) / (1.0 + diff);
      for (std::size_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * q[t * k + j]) / (1.0 + diff);
        p[j] /= 1.0 + diff;
      }
    }
  }
}

class SVMClassifierKernel final : public OpKernel {
 public:
  explicit SVMClassifierKernel(const OpInfo& info)
      : labels_(ml_labels(info, "classlabels_ints")),
        kernel_(info),
        post_(post_transform_of(info)),
        per_class_(info.get_ints("vectors_per_class")),
        coef_(ml_reals(info, "coefficients")),
        sv_(ml_reals(info, "support_vectors")),
        rho_(ml_reals(info, "rho")),
        prob_a_(ml_reals(info, "prob_a")),
        prob_b_(ml_reals(info, "prob_b")) {
    const std::size_t k = labels_.size();
    if (k < 2) info.fail(ErrorKind::invalid_model, "needs at least 2 class labels");
    const std::size_t pairs = k * (k - 1) / 2;
    std::size_t vectors = 0;
    for (std::int64_t v : per_class_) {
      if (v < 0 || v > (std::int64_t{1} << 40)) {
        info.fail(ErrorKind::invalid_model, "vectors_per_class has the entry " + std::to_string(v));
      }
      start_.push_back(vectors);
      vectors += static_cast<std::size_t>(v);
    }
    if (prob_a_.size() != prob_b_.size()) {
      info.fail(ErrorKind::invalid_model, "prob_a has " + svm_count(prob_a_.size()) +
                                              " entries and prob_b " + svm_count(prob_b_.size()));
    }
    if (vectors == 0) {
      // liblinear form: one coefficient row per class, every score offset by rho[0].
      kernel_.make_linear();
      if (coef_.empty() || coef_.size() % k != 0) {
        info.fail(ErrorKind::invalid_model, "coefficients has " + svm_count(coef_.size()) +
                                                " entries, not a non-zero multiple of the " +
                                                svm_count(k) + " classes");
      }
      if (rho_.empty()) info.fail(ErrorKind::invalid_model, "rho is missing");
      if (!prob_a_.empty()) {
        info.fail(ErrorKind::invalid_model, "prob_a and prob_b need support vectors");
      }
      features_ = static_cast<std::int64_t>(coef_.size() / k);
      all_positive_ = std::all_of(coef_.begin(), coef_.end(), [](double w) { return w >= 0.0; });
      return;
    }
    if (per_class_.size() != k) {
      info.fail(ErrorKind::invalid_model, "vectors_per_class has " + svm_count(per_class_.size()) +
                                              " entries for " + svm_count(k) + " classes");
    }
    if (sv_.empty() || sv_.size() % vectors != 0) {
      info.fail(ErrorKind::invalid_model, "support_vectors has " + svm_count(sv_.size()) +
                                              " entries, not a non-zero multiple of the " +
                                              svm_count(vectors) + " vectors");
    }
    if (coef_.size() != (k - 1) * vectors) {
      info.fail(ErrorKind::invalid_model,
                "coefficients has " + svm_count(coef_.size()) +
                    " entries; expected (classes - 1) x vectors = " + svm_count((k - 1) * vectors));
    }
    if (rho_.size() != pairs) {
      info.fail(ErrorKind::invalid_model, "rho has " + svm_count(rho_.size()) +
                                              " entries for the " + svm_count(pairs) +
                                              " class pairs");
    }
    if (!prob_a_.empty() && prob_a_.size() != pairs) {
      info.fail(ErrorKind::invalid_model, "prob_a has " + svm_count(prob_a_.size()) +
                                              " entries for the " + svm_count(pairs) +
                                              " class pairs");
    }
    if (k == 2 && prob_a_.empty() && post_ == PostTransform::probit) {
      info.fail(ErrorKind::unsupported_op,
                "post_transform PROBIT on a two-class SVMClassifier without probabilities has "
                "no defined second score");
    }
    vectors_ = vectors;
    features_ = static_cast<std::int64_t>(sv_.size() / vectors);
  }

  void run(OpContext& ctx) const override {
    MlRows x = ml_rows(ctx, ctx.input(0));
    svm_check_features(ctx, x, features_);
    std::vector<std::size_t> label(static_cast<std::size_t>(x.n));
    if (vectors_ == 0) {
      run_linear(ctx, x, label);
    } else {
      run_support_vectors(ctx, x, label);
    }
    write_labels(ctx, 0, labels_, x.n,
                 [&](std::int64_t r) { return label[static_cast<std::size_t>(r)]; });
  }

 private:
  void run_linear(OpContext& ctx, const MlRows& x, std::vector<std::size_t>& label) const {
    const std::size_t k = labels_.size(), c = static_cast<std::size_t>(features_);
    Tensor& z = ctx.output(1, DType::f32, Shape{x.n, static_cast<std::int64_t>(k)});
    std::vector<double> s(k);
    for (std::size_t r = 0; r < label.size(); ++r) {
      for (std::size_t j = 0; j < k; ++j) {
        s[j] = kernel_(x.v.data() + r * c, coef_.data() + j * c, features_) + rho_[0];
      }
      const std::size_t best =
          static_cast<std::size_t>(std::distance(s.begin(), std::max_element(s.begin(), s.end())));
      label[r] = best;
      if (k == 2) {
        // ONNX Runtime's two-class rule: the second label once the top score passes 0.5 (all
        // coefficients non-negative) or 0 (mixed signs).
        const double top = s[best];
        if ((all_positive_ && top >= 0.5) || (!all_positive_ && top > 0.0)) label[r] = 1;
      }
      apply_post_transform(post_, s.data(), k);
      for (std::size_t j = 0; j < k; ++j) z.data<float>()[r * k + j] = static_cast<float>(s[j]);
    }
  }

  void run_support_vectors(OpContext& ctx, const MlRows& x, std::vector<std::size_t>& label) const {
    const std::size_t k = labels_.size(), c = static_cast<std::size_t>(features_);
    const std::size_t pairs = k * (k - 1) / 2;
    const bool proba = !prob_a_.empty();
    const std::size_t width = proba ? k : (k == 2 ? 2 : pairs);
    Tensor& z = ctx.output(1, DType::f32, Shape{x.n, static_cast<std::int64_t>(width)});
    std::vector<double> kern(vectors_), f(pairs), out(width), r2(k * k, 0.0);
    std::vector<std::size_t> votes(k);
    for (std::size_t r = 0; r < label.size(); ++r) {
      for (std::size_t v = 0; v < vectors_; ++v) {
        kern[v] = kernel_(x.v.data() + r * c, sv_.data() + v * c, features_);
      }
      // libsvm's one-vs-one layout: the decision value of pair (i, j) weighs class i's vectors
      // with coefficient row j - 1 and class j's vectors with row i.
      std::fill(votes.begin(), votes.end(), 0);
      std::size_t pair = 0;
      for (std::size_t i = 0; i + 1 < k; ++i) {
        for (std::size_t j = i + 1; j < k; ++j, ++pair) {
          double sum = rho_[pair];
          for (std::size_t m = 0; m < static_cast<std::size_t>(per_class_[i]); ++m) {
            sum += coef_[(j - 1) * vectors_ + start_[i] + m] * kern[start_[i] + m];
          }
          for (std::size_t m = 0; m < static_cast<std::size_t>(per_class_[j]); ++m) {
            sum += coef_[i * vectors_ + start_[j] + m] * kern[start_[j] + m];
          }
          f[pair] = sum;
          ++votes[sum > 0.0 ? i : j];
        }
      }
      // The label is the most voted class (the first of a tie), with or without probabilities.
      label[r] = static_cast<std::size_t>(
          std::distance(votes.begin(), std::max_element(votes.begin(), votes.end())));
      if (proba) {
        pair = 0;
        for (std::size_t i = 0; i + 1 < k; ++i) {
          for (std::size_t j = i + 1; j < k; ++j, ++pair) {
            const double p = svm_pair_probability(f[pair], prob_a_[pair], prob_b_[pair]);
            r2[i * k + j] = p;
            r2[j * k + i] = 1.0 - p;
          }
        }
        svm_couple(k, r2, out.data());
        apply_post_transform(post_, out.data(), k);
      } else if (k == 2) {
        // One decision value d: (-d, d) untransformed, else (1 - d, d) as ONNX Runtime writes.
        out[0] = post_ == PostTransform::none ? -f[0] : 1.0 - f[0];
        out[1] = f[0];
      } else {
        std::copy(f.begin(), f.end(), out.begin());
        apply_post_transform(post_, out.data(), pairs);
      }
      for (std::size_t j = 0; j < width; ++j) {
        z.data<float>()[r * width + j] = static_cast<float>(out[j]);
      }
    }
  }

  MlLabels labels_;
  SvmKernel kernel_;
  PostTransform post_;
  std::vector<std::int64_t> per_class_;
  std::vector<std::size_t> start_;
  std::vector<double> coef_, sv_, rho_, prob_a_, prob_b_;
  std::size_t vectors_ = 0;
  std::int64_t features_ = 0;
  bool all_positive_ = false;
};

class SVMRegressorKernel final : public OpKernel {
 public:
  explicit SVMRegressorKernel(const OpInfo& info)
      : kernel_(info),
        coef_(ml_reals(info, "coefficients")),
        sv_(ml_reals(info, "support_vectors")),
        rho_(ml_reals(info, "rho")),
        one_class_(info.get_int("one_class", 0) != 0) {
    const std::int64_t n = info.get_int("n_supports", 0);
    if (n < 0 || n > (std::int64_t{1} << 40)) {
      info.fail(ErrorKind::invalid_model, "n_supports is " + std::to_string(n));
    }
    if (post_transform_of(info) != PostTransform::none) {
      // ONNX Runtime ignores it; refusing keeps the two from disagreeing silently.
      info.fail(ErrorKind::unsupported_op, "SVMRegressor supports post_transform NONE only");
    }
    if (rho_.size() != 1) {
      info.fail(ErrorKind::invalid_model,
                "rho has " + svm_count(rho_.size()) + " entries; expected 1");
    }
    if (coef_.empty()) info.fail(ErrorKind::invalid_model, "coefficients is empty");
    vectors_ = static_cast<std::size_t>(n);
    if (vectors_ == 0) {
      kernel_.make_linear();
      features_ = static_cast<std::int64_t>(coef_.size());
      return;
    }
    if (sv_.empty() || sv_.size() % vectors_ != 0) {
      info.fail(ErrorKind::invalid_model, "support_vectors has " + svm_count(sv_.size()) +
                                              " entries, not a non-zero multiple of the " +
                                              svm_count(vectors_) + " n_supports");
    }
    if (coef_.size() != vectors_) {
      info.fail(ErrorKind::invalid_model, "coefficients has " + svm_count(coef_.size()) +
                                              " entries for " + svm_count(vectors_) +
                                              " support vectors");
    }
    features_ = static_cast<std::int64_t>(sv_.size() / vectors_);
  }

  void run(OpContext& ctx) const override {
    MlRows x = ml_rows(ctx, ctx.input(0));
    svm_check_features(ctx, x, features_);
    const auto c = static_cast<std::size_t>(features_);
    Tensor& y = ctx.output(0, DType::f32, Shape{x.n, 1});
    for (std::size_t r = 0; r < static_cast<std::size_t>(x.n); ++r) {
      const double* row = x.v.data() + r * c;
      double s = rho_[0];
      if (vectors_ == 0) {
        s += kernel_(row, coef_.data(), features_);
      } else {
        for (std::size_t v = 0; v < vectors_; ++v)
          s += coef_[v] * kernel_(row, sv_.data() + v * c, features_);
      }
      // OneClassSVM: the sign of the decision value, as +1 (inlier) or -1.
      if (one_class_) s = s > 0.0 ? 1.0 : -1.0;
      y.data<float>()[r] = static_cast<float>(s);
    }
  }

 private:
  SvmKernel kernel_;
  std::vector<double> coef_, sv_, rho_;
  bool one_class_;
  std::size_t vectors_ = 0;
  std::int64_t features_ = 0;
};

inline void register_ml_svm_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "SVMClassifier", 1, factory<SVMClassifierKernel>());
  ops.add("ai.onnx.ml", "SVMRegressor", 1, factory<SVMRegressorKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_SVM_HPP
