// The training loop and evaluation (type-erased through NetRef).
#ifndef INLAY_NN_IMPL_FIT_HPP
#define INLAY_NN_IMPL_FIT_HPP

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "inlay/core/error.hpp"
#include "inlay/data/rng.hpp"
#include "inlay/nn/fit.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

void print_progress(void*, const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

namespace {

// The rows of x/y/soft, checked against the network once.
struct Dataset {
  const float* x = nullptr;
  const std::int64_t* labels = nullptr;
  const float* values = nullptr;
  const float* soft = nullptr;
  std::size_t rows = 0;
  // The labels of one-hot target rows (for accuracy), shared by copies of the Dataset.
  std::shared_ptr<const std::vector<std::int64_t>> one_hot_labels;
};

// The first non-finite value of `rows` rows of `width` floats, as "row R, column C (nan)".
std::string first_non_finite(const float* v, std::size_t rows, std::size_t width) {
  for (std::size_t i = 0; i < rows * width; ++i) {
    if (!std::isfinite(v[i])) {
      return "row " + std::to_string(i / width) + ", column " + std::to_string(i % width) + " (" +
             std::to_string(v[i]) + ")";
    }
  }
  return std::string();
}

// The labels of target rows that are all one-hot (Keras' categorical targets), else empty.
std::vector<std::int64_t> labels_of_one_hot(const float* v, std::size_t rows, std::size_t width) {
  std::vector<std::int64_t> labels(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t ones = 0;
    for (std::size_t j = 0; j < width; ++j) {
      const float t = v[r * width + j];
      if (t == 1.0f) {
        ++ones;
        labels[r] = static_cast<std::int64_t>(j);
      } else if (t != 0.0f) {
        return {};
      }
    }
    if (ones != 1) return {};
  }
  return labels;
}

Dataset check_dataset(const NetRef& net, const Tensor& x, const Tensor& y, const Tensor* soft,
                      const char* what) {
  const std::string where = std::string("nn::") + what + ": ";
  Dataset d;
  if (x.dtype() != DType::f32 || x.rank() == 0) {
    fail(ErrorKind::invalid_argument, where + "x must be f32 [n, ...], got " +
                                          dtype_name(x.dtype()) + " " + x.shape().to_string());
  }
  d.rows = static_cast<std::size_t>(x.shape()[0]);
  if (static_cast<std::size_t>(x.numel()) != d.rows * net.in_size) {
    fail(ErrorKind::shape_mismatch, where + "x of shape " + x.shape().to_string() +
                                        " does not hold " + std::to_string(net.in_size) +
                                        " values per row (the network's input)");
  }
  d.x = x.data<float>();
  // A NaN in the data would surface epochs later as a NaN loss, blamed on the learning rate.
  const std::string bad_x = first_non_finite(d.x, d.rows, net.in_size);
  if (!bad_x.empty()) {
    fail(ErrorKind::invalid_argument,
         where + "x " + bad_x +
             " is not a finite number: bad input data (clean or impute it "
             "first; this is not a learning-rate problem)");
  }
  if (y.rank() == 0 || static_cast<std::size_t>(y.shape()[0]) != d.rows) {
    fail(ErrorKind::shape_mismatch, where + "y of shape " + y.shape().to_string() + " has not " +
                                        std::to_string(d.rows) + " rows like x");
  }
  if (y.dtype() == DType::i64) {
    if (static_cast<std::size_t>(y.numel()) != d.rows) {
      fail(ErrorKind::shape_mismatch,
           where + "labels y must be i64 [n], got " + y.shape().to_string());
    }
    d.labels = y.data<std::int64_t>();
    // One output: BinaryCrossEntropy (0/1) and Hinge (-1/0/1) check their own labels.
    for (std::size_t r = 0; r < d.rows && net.out_size > 1; ++r) {
      if (d.labels[r] < 0 || static_cast<std::uint64_t>(d.labels[r]) >= net.out_size) {
        fail(ErrorKind::invalid_argument,
             where + "label " + std::to_string(d.labels[r]) + " of row " + std::to_string(r) +
                 " is outside [0, " + std::to_string(net.out_size) + ") (the network's outputs)");
      }
    }
  } else if (y.dtype() == DType::f32) {
    if (static_cast<std::size_t>(y.numel()) != d.rows * net.out_size) {
      fail(ErrorKind::shape_mismatch, where + "target values y of shape " + y.shape().to_string() +
                                          " do not hold " + std::to_string(net.out_size) +
                                          " values per row (the network's output)");
    }
    d.values = y.data<float>();
    const std::string bad_y = first_non_finite(d.values, d.rows, net.out_size);
    if (!bad_y.empty()) {
      fail(ErrorKind::invalid_argument,
           where + "target values y " + bad_y + " is not a finite number: bad data");
    }
    if (net.out_size > 1) {
      auto labels = labels_of_one_hot(d.values, d.rows, net.out_size);
      if (!labels.empty()) {
        d.one_hot_labels = std::make_shared<const std::vector<std::int64_t>>(std::move(labels));
        d.labels = d.one_hot_labels->data();
      }
    }
  } else {
    fail(ErrorKind::invalid_argument,
         where + "y must be i64 labels or f32 values, got " + dtype_name(y.dtype()));
  }
  if (soft != nullptr && !soft->empty()) {
    if (soft->dtype() != DType::f32 ||
        static_cast<std::size_t>(soft->numel()) != d.rows * net.out_size) {
      fail(ErrorKind::shape_mismatch,
           where + "soft_targets must be f32 [" + std::to_string(d.rows) + ", " +
               std::to_string(net.out_size) + "], got " + soft->shape().to_string());
    }
    d.soft = soft->data<float>();
  }
  return d;
}

// Rows gathered into contiguous batch buffers.
struct Batch {
  std::vector<float> x, values, soft;
  std::vector<std::int64_t> labels;
  Targets targets;

  void gather(const Dataset& d, const NetRef& net, const std::size_t* rows, std::size_t count) {
    x.resize(count * net.in_size);
    for (std::size_t i = 0; i < count; ++i) {
      std::copy_n(d.x + rows[i] * net.in_size, net.in_size, x.data() + i * net.in_size);
    }
    targets = Targets();
    if (d.labels) {
      labels.resize(count);
      for (std::size_t i = 0; i < count; ++i) labels[i] = d.labels[rows[i]];
      targets.labels = labels.data();
    }
    auto take = [&](const float* src, std::vector<float>& dst) {
      dst.resize(count * net.out_size);
      for (std::size_t i = 0; i < count; ++i) {
        std::copy_n(src + rows[i] * net.out_size, net.out_size, dst.data() + i * net.out_size);
      }
      return dst.data();
    };
    if (d.values) targets.values = take(d.values, values);
    if (d.soft) targets.soft = take(d.soft, soft);
  }
};

// Correct predictions of a batch when the targets are labels.
std::size_t count_correct(const float* out, std::size_t batch, std::size_t width,
                          const std::int64_t* labels) {
  std::size_t correct = 0;
  for (std::size_t r = 0; r < batch; ++r) {
    const float* z = out + r * width;
    std::int64_t pred;
    if (width == 1) {
      pred = z[0] > 0.0f ? 1 : 0;
    } else {
      pred = static_cast<std::int64_t>(std::max_element(z, z + width) - z);
    }
    correct += pred == labels[r];
  }
  return correct;
}

Evaluation evaluate_rows(NetRef& net, const Dataset& d, const std::vector<std::size_t>& rows,
                         const Loss& loss, std::size_t batch_size, Executor* executor) {
  Evaluation e;
  if (rows.empty()) return e;
  if (batch_size == 0) batch_size = 256;
  Batch b;
  std::vector<float> out;
  double loss_sum = 0.0;
  std::size_t correct = 0;
  for (std::size_t start = 0; start < rows.size(); start += batch_size) {
    const std::size_t count = std::min(batch_size, rows.size() - start);
    b.gather(d, net, rows.data() + start, count);
    out.resize(count * net.out_size);
    net.forward(net.net, b.x.data(), count, out.data(), executor);
    loss_sum += loss.compute(out.data(), count, net.out_size, b.targets, nullptr) *
                static_cast<double>(count);
    if (d.labels) correct += count_correct(out.data(), count, net.out_size, b.targets.labels);
  }
  e.loss = loss_sum / static_cast<double>(rows.size());
  e.accuracy = d.labels ? static_cast<double>(correct) / static_cast<double>(rows.size()) : NAN;
  return e;
}

std::string format_epoch(const EpochStats& s, std::size_t epochs, bool validation) {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, "epoch %*zu/%zu  loss %.4f", epochs >= 100 ? 3 : 2,
                        s.epoch, epochs, s.loss);
  auto add = [&](const char* fmt, double v) {
    if (n > 0 && static_cast<std::size_t>(n) < sizeof buf) {
      n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), fmt, v);
    }
  };
  if (!std::isnan(s.accuracy)) add("  acc %.4f", s.accuracy);
  if (validation) {
    add("  val_loss %.4f", s.val_loss);
    if (!std::isnan(s.val_accuracy)) add("  val_acc %.4f", s.val_accuracy);
  }
  add("  lr %.2e", s.learning_rate);
  add("  %.2f s", s.seconds);
  return buf;
}

}  // namespace

void init_from_seed(NetRef& net, InitFn init, std::uint64_t seed) {
  data::Rng rng(seed);
  if (init) init(net.net, rng);
}

Evaluation evaluate_ref(NetRef& net, const Tensor& x, const Tensor& y, const Loss& loss,
                        std::size_t batch_size) {
  const Dataset d = check_dataset(net, x, y, nullptr, "evaluate");
  std::vector<std::size_t> rows(d.rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return evaluate_rows(net, d, rows, loss, batch_size, nullptr);
}

History fit_ref(NetRef& net, InitFn init, const Tensor& x, const Tensor& y, const Loss& loss,
                Optimizer& optimizer, const FitOptions& o) {
  using clock = std::chrono::steady_clock;
  const auto fit_start = clock::now();
  const Dataset train = check_dataset(net, x, y, &o.soft_targets, "fit");
  if (o.batch_size == 0) fail(ErrorKind::invalid_argument, "nn::fit: batch_size is 0");
  if (!(o.validation_fraction >= 0.0 && o.validation_fraction < 1.0)) {
    fail(ErrorKind::invalid_argument, "nn::fit: validation_fraction " +
                                          std::to_string(o.validation_fraction) +
                                          " is outside [0, 1)");
  }
  data::Rng rng(o.seed);
  if (o.init_weights && init) init(net.net, rng);

  std::vector<std::size_t> train_rows(train.rows), val_rows;
  std::iota(train_rows.begin(), train_rows.end(), std::size_t{0});
  Dataset val = train;
  if (!o.validation_x.empty()) {
    val = check_dataset(net, o.validation_x, o.validation_y, nullptr, "fit (validation data)");
    val_rows.resize(val.rows);
    std::iota(val_rows.begin(), val_rows.end(), std::size_t{0});
  } else if (o.validation_fraction > 0.0) {
    rng.shuffle(train_rows);
    const std::size_t k = static_cast<std::size_t>(
        std::llround(o.validation_fraction * static_cast<double>(train.rows)));
    val_rows.assign(train_rows.end() - static_cast<std::ptrdiff_t>(k), train_rows.end());
    train_rows.resize(train_rows.size() - k);
    std::sort(train_rows.begin(), train_rows.end());
  }
  if (train_rows.empty()) fail(ErrorKind::invalid_argument, "nn::fit: no training rows");

  History h;
  h.has_validation = !val_rows.empty();
  const std::vector<Param>& params = net.params;
  std::vector<std::vector<float>> best;
  double best_loss = INFINITY;
  std::size_t waited = 0;
  const std::size_t steps = (train_rows.size() + o.batch_size - 1) / o.batch_size;
  Batch b;
  std::vector<float> grad;
  RunContext ctx;
  ctx.training = true;
  ctx.rng = &rng;
  ctx.executor = o.executor;

  for (std::size_t epoch = 0; epoch < o.epochs; ++epoch) {
    const auto epoch_start = clock::now();
    if (o.shuffle) rng.shuffle(train_rows);
    double loss_sum = 0.0;
    std::size_t correct = 0;
    float factor = 1.0f;
    for (std::size_t s = 0; s < steps; ++s) {
      const std::size_t start = s * o.batch_size;
      const std::size_t count = std::min(o.batch_size, train_rows.size() - start);
      b.gather(train, net, train_rows.data() + start, count);
      const float* out = net.forward_train(net.net, b.x.data(), count, ctx);
      grad.resize(count * net.out_size);
      const double l = loss.compute(out, count, net.out_size, b.targets, grad.data());
      if (!std::isfinite(l)) {
        fail(ErrorKind::invalid_argument, "nn::fit: the loss became " + std::to_string(l) +
                                              " at epoch " + std::to_string(epoch + 1) +
                                              " (the data is finite: learning rate too high?)");
      }
      loss_sum += l * static_cast<double>(count);
      if (train.labels) correct += count_correct(out, count, net.out_size, b.targets.labels);
      net.backward(net.net, grad.data(), count);
      factor = o.schedule.factor(
          static_cast<double>(epoch) + static_cast<double>(s) / static_cast<double>(steps),
          o.epochs, steps);
      optimizer.step(params, factor);
      if (o.on_step) o.on_step(o.on_step_context, epoch * steps + s + 1);
    }
    EpochStats st;
    st.epoch = epoch + 1;
    st.loss = loss_sum / static_cast<double>(train_rows.size());
    st.accuracy =
        train.labels ? static_cast<double>(correct) / static_cast<double>(train_rows.size()) : NAN;
    st.val_loss = st.val_accuracy = NAN;
    if (h.has_validation) {
      const Evaluation e = evaluate_rows(net, val, val_rows, loss, 256, o.executor);
      st.val_loss = e.loss;
      st.val_accuracy = e.accuracy;
    }
    st.learning_rate = static_cast<double>(optimizer.learning_rate) * factor;
    st.seconds = std::chrono::duration<double>(clock::now() - epoch_start).count();
    h.epochs.push_back(st);
    if (o.progress) o.progress(o.progress_context, format_epoch(st, o.epochs, h.has_validation));

    const double monitored = h.has_validation ? st.val_loss : st.loss;
    if (monitored < best_loss - o.min_delta) {
      best_loss = monitored;
      h.best_epoch = st.epoch;
      waited = 0;
      if (o.restore_best_weights) {
        best.resize(params.size());
        for (std::size_t k = 0; k < params.size(); ++k) {
          best[k].assign(params[k].value, params[k].value + params[k].size);
        }
      }
    } else if (o.patience > 0 && ++waited >= o.patience) {
      h.stopped_early = st.epoch < o.epochs;
      break;
    }
  }
  if (o.restore_best_weights && !best.empty()) {
    for (std::size_t k = 0; k < params.size(); ++k) {
      std::copy(best[k].begin(), best[k].end(), params[k].value);
    }
  }
  h.seconds = std::chrono::duration<double>(clock::now() - fit_start).count();
  return h;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_FIT_HPP
