// Classification metrics on integer labels 0..classes-1: accuracy, top-k accuracy, the confusion
// matrix, and precision/recall/F1 per class with macro, micro and weighted averages (definitions
// as scikit-learn's precision_recall_fscore_support, with zero_division=0).
#ifndef INLAY_METRICS_CLASSIFICATION_HPP
#define INLAY_METRICS_CLASSIFICATION_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "inlay/core/tensor.hpp"

INLAY_NAMESPACE_BEGIN
namespace metrics {

// The index of the largest score in each row of f32 [n, classes] (the first one on ties).
std::vector<std::int64_t> argmax_rows(const Tensor& scores);

// Share of positions where y_pred equals y_true (0 for empty vectors).
double accuracy(const std::vector<std::int64_t>& y_true, const std::vector<std::int64_t>& y_pred);

// Share of rows whose true class is among the k highest scores (ties broken toward the lower
// class index, so a tie never counts twice).
double top_k_accuracy(const Tensor& scores, const std::vector<std::int64_t>& y_true, std::size_t k);

struct ConfusionMatrix {
  std::size_t classes = 0;
  std::vector<std::int64_t> counts;  // [true][pred], row-major, classes * classes
  std::int64_t at(std::size_t t, std::size_t p) const {
    if (t >= classes || p >= classes || counts.size() != classes * classes) {
      fail(ErrorKind::invalid_argument, "ConfusionMatrix::at(" + std::to_string(t) + ", " +
                                            std::to_string(p) + ") in a matrix of " +
                                            std::to_string(classes) + " classes");
    }
    return counts[t * classes + p];
  }
};

// Labels outside [0, classes) are an error naming their position.
ConfusionMatrix confusion_matrix(const std::vector<std::int64_t>& y_true,
                                 const std::vector<std::int64_t>& y_pred, std::size_t classes);

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;
  std::int64_t support = 0;  // number of true samples of the class (all samples for averages)
};

struct ClassificationReport {
  std::vector<ClassScores> per_class;
  ClassScores macro, micro, weighted;  // unweighted mean, global counts, support-weighted mean
  double accuracy = 0;
};

ClassificationReport classification_report(const std::vector<std::int64_t>& y_true,
                                           const std::vector<std::int64_t>& y_pred,
                                           std::size_t classes);
ClassificationReport classification_report(const ConfusionMatrix& m);

}  // namespace metrics
INLAY_NAMESPACE_END

#endif  // INLAY_METRICS_CLASSIFICATION_HPP
