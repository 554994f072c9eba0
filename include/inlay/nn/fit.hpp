// Training loop and evaluation of a typed network (Sequential or anything with ref()).
//
//   nn::Adam adam(1e-3f);
//   nn::FitOptions options;
//   options.epochs = 30;
//   nn::History h = nn::fit(net, x_train, y_train, nn::CrossEntropy(), adam, options);
//
// x: f32 [n, in dims...], finite (a NaN or infinity is reported as bad data with its row);
// y: i64 [n] class labels, or f32 [n, outputs] target values; one-hot rows (Keras'
// categorical_crossentropy targets) work with CrossEntropy and count for accuracy like labels.
#ifndef INLAY_NN_FIT_HPP
#define INLAY_NN_FIT_HPP

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/data/pipeline.hpp"
#include "inlay/nn/logit_check.hpp"
#include "inlay/nn/loss.hpp"
#include "inlay/nn/optimizer.hpp"
#include "inlay/nn/quantization.hpp"
#include "inlay/nn/sequential.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// Called after every optimizer step with the 1-based step count since fit() began (pruning masks
// and shared weights are put back there: nn/prune.hpp, nn/weight_sharing.hpp).
using StepHook = void (*)(void* context, std::size_t step);
// Receives each progress line (no trailing newline).
using ProgressSink = void (*)(void* context, const std::string& line);
// Writes the line and a newline to stdout (the default sink).
void print_progress(void* context, const std::string& line);

struct FitOptions {
  std::size_t epochs = 10;
  std::size_t batch_size = 32;
  std::uint64_t seed = 0;  // weight init (when init_weights), shuffling, dropout, validation split
  bool init_weights = true;  // draw initial weights from the seed first
  bool shuffle = true;
  // A random fraction of the rows held out for validation (ignored when validation_x is set).
  double validation_fraction = 0.0;
  Tensor validation_x, validation_y;
  // Early stopping: stop after `patience` epochs without the monitored loss (validation loss when
  // there is validation data, else training loss) improving by more than min_delta; 0 = never.
  std::size_t patience = 0;
  double min_delta = 0.0;
  // Put back the weights of the epoch with the lowest monitored loss at the end.
  bool restore_best_weights = true;
  LrSchedule schedule;
  // Distillation: the teacher's logits for every row of x, f32 [n, outputs].
  Tensor soft_targets;
  ProgressSink progress = print_progress;  // nullptr: silent
  void* progress_context = nullptr;
  Executor* executor = nullptr;
  StepHook on_step = nullptr;
  void* on_step_context = nullptr;
};

struct EpochStats {
  std::size_t epoch = 0;  // 1-based
  double loss = 0.0, val_loss = 0.0;
  // Accuracy when the targets are class labels (argmax, or logit > 0 for one output), else NaN.
  double accuracy = 0.0, val_accuracy = 0.0;
  double learning_rate = 0.0;
  double seconds = 0.0;
};

struct History {
  std::vector<EpochStats> epochs;
  std::size_t best_epoch = 0;  // 1-based; the one whose weights were kept with restore_best
  bool has_validation = false;
  bool stopped_early = false;
  double seconds = 0.0;
};

struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;  // NaN unless the targets are class labels
};

// Optional argument of fit_ref to draw the initial weights (called once with the seeded Rng).
using InitFn = void (*)(void* net, data::Rng& rng);

History fit_ref(NetRef& net, InitFn init, const Tensor& x, const Tensor& y, const Loss& loss,
                Optimizer& optimizer, const FitOptions& options);
Evaluation evaluate_ref(NetRef& net, const Tensor& x, const Tensor& y, const Loss& loss,
                        std::size_t batch_size);

// A read-only i64 [n] view of class labels, for fit() and evaluate(); labels must outlive it.
inline Tensor labels_view(const std::vector<std::int64_t>& labels) {
  return Tensor::view(labels.data(), Shape{static_cast<std::int64_t>(labels.size())});
}
// A read-only f32 [n, 1] view of one target per row (regression with one output).
inline Tensor targets_view(const std::vector<float>& values) {
  return Tensor::view(values.data(), Shape{static_cast<std::int64_t>(values.size()), 1});
}

// A Net ending with Softmax (Sigmoid) and a loss on logits does not compile (nn/logit_check.hpp).
template <class Net, class LossT>
History fit(Net& net, const Tensor& x, const Tensor& y, const LossT& loss, Optimizer& optimizer,
            const FitOptions& options = {}) {
  check_logit_loss<Net, LossT>();
  NetRef r = net.ref();
  return fit_ref(
      r, [](void* n, data::Rng& rng) { static_cast<Net*>(n)->init(rng); }, x, y, loss, optimizer,
      options);
}
template <class Net, class LossT>
Evaluation evaluate(Net& net, const Tensor& x, const Tensor& y, const LossT& loss,
                    std::size_t batch_size = 256) {
  check_logit_loss<Net, LossT>();
  NetRef r = net.ref();
  return evaluate_ref(r, x, y, loss, batch_size);
}
// Seeds the weights like fit() does with options.init_weights.
void init_from_seed(NetRef& net, InitFn init, std::uint64_t seed);
template <class Net>
void init_weights(Net& net, std::uint64_t seed) {
  NetRef r = net.ref();
  init_from_seed(
      r, [](void* n, data::Rng& rng) { static_cast<Net*>(n)->init(rng); }, seed);
}

// Weights file: "INLAYNN\0", u32 version 1, u32 parameter count, then per parameter: u32 name
// length, the name, u64 value count, the values as little-endian f32. Loading checks every name
// and size against the network and fails (invalid_model / io) on any difference, naming it.
std::string serialize_params(const std::vector<Param>& params);
void deserialize_params(const std::vector<Param>& params, const void* data, std::size_t size,
                        const std::string& source);
void save_params(const std::vector<Param>& params, const std::string& path);
void load_params(const std::vector<Param>& params, const std::string& path);

template <class Net>
void save_weights(Net& net, const std::string& path) {
  save_params(net.params(), path);
}
template <class Net>
void load_weights(Net& net, const std::string& path) {
  load_params(net.params(), path);
}
// The same file with a fitted preprocessing pipeline after the parameters (Pipeline::serialize),
// so that the scalers and encoders travel with the weights. load_weights(net, path) refuses such
// a file (bytes past the last parameter); this one refuses a file without a pipeline.
void save_params(const std::vector<Param>& params, const data::Pipeline& preprocessing,
                 const std::string& path);
void load_params(const std::vector<Param>& params, data::Pipeline& preprocessing,
                 const std::string& path);
template <class Net>
void save_weights(Net& net, const std::string& path, const data::Pipeline& preprocessing) {
  save_params(net.params(), preprocessing, path);
}
template <class Net>
void load_weights(Net& net, const std::string& path, data::Pipeline& preprocessing) {
  load_params(net.params(), preprocessing, path);
}
// A saved model's version and provenance, so that a file found later says what it is
// (inlay::Model::metadata(), `inlay info`). The producer is always "inlay" and its version.
struct OnnxOptions {
  std::int64_t opset = 17;
  std::int64_t model_version = 0;  // ModelProto.model_version; 0: not written
  std::string doc_string;          // what the model does
  std::string domain;              // e.g. "com.example.digits"
  // metadata_props: training data, metrics, date, preprocessing ... (keys should be unique)
  std::vector<std::pair<std::string, std::string>> metadata;
  // Post-training int8 quantization (QDQ) on these calibration rows when they are given
  // (nn/quantization.hpp); a network under quantization-aware training exports QDQ without it.
  PostTrainingQuantization quantization;
  // A fitted pipeline written in front of the network: the model then takes raw rows, f32
  // [batch, preprocessing->input_width()], and its metadata says "inlay.preprocessing".
  const data::Pipeline* preprocessing = nullptr;
};
// model_bytes (an exported network) with options' version, doc_string, domain and metadata.
std::string with_model_info(std::string model_bytes, const OnnxOptions& options);

// Writes net.to_onnx(opset) to path.
void save_bytes(const std::string& bytes, const std::string& path);
template <class Net>
void save_onnx(const Net& net, const std::string& path, std::int64_t opset = 17) {
  save_bytes(net.to_onnx(opset), path);
}
// net.to_onnx(options.opset), quantized when options.quantization has calibration rows, with the
// model's version, description and metadata.
template <class Net>
std::string to_onnx(const Net& net, const OnnxOptions& options) {
  if (options.preprocessing != nullptr && !options.quantization.calibration.empty()) {
    fail(ErrorKind::invalid_argument,
         "nn::to_onnx: post-training quantization and a preprocessing pipeline cannot be "
         "exported together yet: the calibration rows are the network's inputs, not raw rows");
  }
  std::string bytes = net.to_onnx(options.opset, options.preprocessing);
  if (!options.quantization.calibration.empty()) {
    bytes = quantize_export(bytes, Net::in_shape::to_vector(), options.quantization).bytes;
  }
  return with_model_info(std::move(bytes), options);
}
// Writes to_onnx(net, options) to path.
template <class Net>
void save_onnx(const Net& net, const std::string& path, const OnnxOptions& options) {
  save_bytes(to_onnx(net, options), path);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_FIT_HPP
