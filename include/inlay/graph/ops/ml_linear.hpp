// ai.onnx.ml LinearRegressor and LinearClassifier (opset 1): scores = X W^T + b with W given
// row-major as `coefficients` [targets x features], as sklearn-onnx writes linear and
// logistic regression, SVMs without kernels and the like. Implementation-only.
#ifndef INLAY_GRAPH_OPS_ML_LINEAR_HPP
#define INLAY_GRAPH_OPS_ML_LINEAR_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "inlay/graph/ops/ml_common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// W and b of a linear model with `targets` rows; scores() checks X's width against W.
class LinearScores {
 public:
  LinearScores(const OpInfo& info, std::int64_t targets)
      : w_(ml_reals(info, "coefficients")), b_(ml_reals(info, "intercepts")), targets_(targets) {
    if (targets_ <= 0 || w_.empty() || w_.size() % static_cast<std::size_t>(targets_) != 0) {
      info.fail(ErrorKind::invalid_model, "coefficients has " + std::to_string(w_.size()) +
                                              " entries, not a non-zero multiple of the " +
                                              std::to_string(targets_) + " targets");
    }
    if (!b_.empty() && b_.size() != static_cast<std::size_t>(targets_)) {
      info.fail(ErrorKind::invalid_model, "intercepts has " + std::to_string(b_.size()) +
                                              " entries for " + std::to_string(targets_) +
                                              " targets");
    }
  }
  std::int64_t targets() const noexcept { return targets_; }
  // [n, targets] scores of X.
  std::vector<double> scores(const OpContext& ctx, MlRows& x) const {
    const auto c = static_cast<std::int64_t>(w_.size()) / targets_;
    if (x.c != c) {
      ctx.fail(ErrorKind::shape_mismatch, "X has " + std::to_string(x.c) +
                                              " features; the coefficients are for " +
                                              std::to_string(c));
    }
    std::vector<double> s(static_cast<std::size_t>(x.n * targets_));
    for (std::int64_t r = 0; r < x.n; ++r) {
      for (std::int64_t t = 0; t < targets_; ++t) {
        double acc = b_.empty() ? 0.0 : b_[static_cast<std::size_t>(t)];
        for (std::int64_t k = 0; k < c; ++k) {
          acc += x.v[static_cast<std::size_t>(r * c + k)] * w_[static_cast<std::size_t>(t * c + k)];
        }
        s[static_cast<std::size_t>(r * targets_ + t)] = acc;
      }
    }
    return s;
  }

 private:
  std::vector<double> w_, b_;
  std::int64_t targets_;
};

class LinearRegressorKernel final : public OpKernel {
 public:
  explicit LinearRegressorKernel(const OpInfo& info)
      : linear_(info, info.get_int("targets", 1)), post_(post_transform_of(info)) {}
  void run(OpContext& ctx) const override {
    MlRows x = ml_rows(ctx, ctx.input(0));
    std::vector<double> s = linear_.scores(ctx, x);
    const auto t = static_cast<std::size_t>(linear_.targets());
    Tensor& y = ctx.output(0, DType::f32, Shape{x.n, linear_.targets()});
    for (std::size_t r = 0; r < static_cast<std::size_t>(x.n); ++r) {
      apply_post_transform(post_, s.data() + r * t, t);
      for (std::size_t k = 0; k < t; ++k)
        y.data<float>()[r * t + k] = static_cast<float>(s[r * t + k]);
    }
  }

 private:
  LinearScores linear_;
  PostTransform post_;
};

// The number of score rows of a LinearClassifier: one per intercept, else one per label (one
// for two labels: the binary form).
inline std::int64_t linear_classifier_targets(const OpInfo& info, const MlLabels& labels) {
  const std::size_t b = ml_reals(info, "intercepts").size();
  if (b) return static_cast<std::int64_t>(b);
  return labels.size() == 2 ? 1 : static_cast<std::int64_t>(labels.size());
}

class LinearClassifierKernel final : public OpKernel {
 public:
  explicit LinearClassifierKernel(const OpInfo& info)
      : labels_(ml_labels(info, "classlabels_ints")),
        linear_(info, linear_classifier_targets(info, labels_)),
        post_(post_transform_of(info)) {
    const auto t = linear_.targets();
    if (!(static_cast<std::int64_t>(labels_.size()) == t || (t == 1 && labels_.size() == 2))) {
      info.fail(ErrorKind::invalid_model, std::to_string(labels_.size()) +
                                              " class labels do not fit " + std::to_string(t) +
                                              " score rows (need as many, or 2 for 1 row)");
    }
  }
  void run(OpContext& ctx) const override {
    MlRows x = ml_rows(ctx, ctx.input(0));
    std::vector<double> s = linear_.scores(ctx, x);
    const auto t = static_cast<std::size_t>(linear_.targets());
    const std::size_t nc = labels_.size();
    Tensor& z = ctx.output(1, DType::f32, Shape{x.n, static_cast<std::int64_t>(nc)});
    std::vector<std::size_t> label(static_cast<std::size_t>(x.n));
    std::vector<double> row(nc);
    for (std::size_t r = 0; r < static_cast<std::size_t>(x.n); ++r) {
      if (t == 1) {
        // Binary form: one margin m; positive class above 0. As ONNX Runtime, the scores are
        // (1 - t, t) with t the post-transformed margin (LOGISTIC: (1 - p, p); NONE: (1 - m, m)).
        const double m = s[r];
        label[r] = m > 0.0 ? 1 : 0;
        row[1] = m;
        apply_post_transform(post_, row.data() + 1, 1);
        row[0] = 1.0 - row[1];
      } else {
        std::size_t best = 0;
        for (std::size_t k = 0; k < t; ++k) {
          row[k] = s[r * t + k];
          if (row[k] > row[best]) best = k;
        }
        label[r] = best;
      }
      if (t != 1) apply_post_transform(post_, row.data(), nc);
      for (std::size_t k = 0; k < nc; ++k) z.data<float>()[r * nc + k] = static_cast<float>(row[k]);
    }
    write_labels(ctx, 0, labels_, x.n,
                 [&](std::int64_t r) { return label[static_cast<std::size_t>(r)]; });
  }

 private:
  MlLabels labels_;
  LinearScores linear_;
  PostTransform post_;
};

inline void register_ml_linear_ops(OpSet& ops) {
  ops.add("ai.onnx.ml", "LinearRegressor", 1, factory<LinearRegressorKernel>());
  ops.add("ai.onnx.ml", "LinearClassifier", 1, factory<LinearClassifierKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_ML_LINEAR_HPP
