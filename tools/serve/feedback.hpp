// Accuracy in production from true labels sent later: the server remembers the prediction of
// each recent inference request that carried an "id" (the arg-max class of its first output's
// first row, or the value itself when that output has one element per row), and
// POST /v2/models/NAME/feedback {"id": ..., "label": L} scores it. Over the last `window`
// feedbacks it reports the accuracy (classification) and the mean absolute error (regression).
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include <inlay/inlay.hpp>

#include "request_error.hpp"

namespace inlay_serve {

class FeedbackTracker {
 public:
  static constexpr std::size_t remembered = 10000, window = 1000;

  // Records the prediction in `output` for request `id`.
  void predicted(const std::string& id, const inlay::Tensor& output) {
    if (id.empty() || output.dtype() != inlay::DType::f32 || output.numel() == 0) return;
    const std::int64_t row =
        output.rank() >= 2 ? output.shape()[output.rank() - 1] : output.numel();
    const float* v = output.data<float>();
    Prediction p;
    if (row == 1) {
      p.value = v[0];
    } else {
      std::int64_t best = 0;
      for (std::int64_t i = 1; i < row; ++i) {
        if (v[i] > v[best]) best = i;
      }
      p.classification = true;
      p.value = static_cast<double>(best);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (predictions_.count(id) == 0) order_.push_back(id);
    predictions_[id] = p;
    while (order_.size() > remembered) {
      predictions_.erase(order_.front());
      order_.pop_front();
    }
  }

  void feedback(const std::string& id, double label) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = predictions_.find(id);
    if (it == predictions_.end())
      throw RequestError(404, "no recent prediction with id '" + id + "'");
    const Prediction p = it->second;
    scores_.push_back(p.classification ? (p.value == label ? 1.0 : 0.0)
                                       : std::fabs(p.value - label));
    classification_ = p.classification;
    if (scores_.size() > window) scores_.pop_front();
    ++total_;
  }

  void render(std::string& out, const std::string& labels) const {
    std::lock_guard<std::mutex> lock(mutex_);
    out += "inlay_feedback_total{" + labels + "} " + std::to_string(total_) + "\n";
    if (scores_.empty()) return;
    double sum = 0;
    for (double s : scores_) sum += s;
    char num[64];
    std::snprintf(num, sizeof num, "%.9g", sum / static_cast<double>(scores_.size()));
    out += std::string(classification_ ? "inlay_feedback_accuracy{"
                                       : "inlay_feedback_mean_absolute_error{") +
           labels + "} " + num + "\n";
  }

 private:
  struct Prediction {
    bool classification = false;
    double value = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Prediction> predictions_;
  std::deque<std::string> order_;
  std::deque<double> scores_;
  bool classification_ = true;
  std::uint64_t total_ = 0;
};

}  // namespace inlay_serve
