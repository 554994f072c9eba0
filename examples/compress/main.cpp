// Compressing the digits MLP six ways and running each result through the graph door
// (inlay::Session): the float baseline, 80 % unstructured pruning, 50 % structured pruning (the
// exported network loses the pruned neurons), 16-value weight sharing, int8 post-training
// quantization and int8 quantization-aware training. One line per method: method= sparsity=
// size_kb= accuracy= latency_ms=. Usage: inlay_compress_example [data folder] [output folder]
#include <inlay/inlay.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace data = inlay::data;
namespace metrics = inlay::metrics;
namespace nn = inlay::nn;

using Mlp =
    nn::Sequential<nn::Dense<64, 256>, nn::ReLU, nn::Dense<256, 128>, nn::ReLU, nn::Dense<128, 10>>;

namespace {
struct Split {
  inlay::Tensor x_train, x_test;
  std::vector<std::int64_t> y_train, y_test;
};

// The median time of `runs` runs of the session on x, in ms (after one warm-up run).
double median_ms(inlay::Session& session, const inlay::Tensor& x, int runs) {
  session.run({x});
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    session.run({x});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  return metrics::latency_stats(ms).median_ms;
}

struct Result {
  double accuracy = 0.0, latency_ms = 0.0;
};

// Saves the model bytes, loads them in the graph door, and prints the method's line.
Result report(const char* method, double sparsity, const std::string& bytes,
              const std::string& path, const Split& s) {
  nn::save_bytes(bytes, path);
  inlay::Session session(inlay::Model::load(path));
  Result r;
  r.accuracy = metrics::accuracy(s.y_test, metrics::argmax_rows(session.run({s.x_test})[0]));
  r.latency_ms = median_ms(session, s.x_test, 200);
  std::printf("method=%s sparsity=%.3f size_kb=%.1f accuracy=%.4f latency_ms=%.4f\n", method,
              sparsity, static_cast<double>(bytes.size()) / 1024.0, r.accuracy, r.latency_ms);
  return r;
}

// The fraction of Dense weights that are zero.
double sparsity_of(Mlp& net) {
  std::size_t zeros = 0, total = 0;
  for (const nn::WeightMatrix& m : nn::weight_matrices(net)) {
    zeros += static_cast<std::size_t>(std::count(m.value, m.value + m.size(), 0.0f));
    total += m.size();
  }
  return static_cast<double>(zeros) / static_cast<double>(total);
}

nn::FitOptions fine_tune_options(std::size_t epochs) {
  nn::FitOptions o;
  o.epochs = epochs;
  o.batch_size = 32;
  o.seed = 1;
  o.init_weights = false;          // start from the trained baseline
  o.restore_best_weights = false;  // an earlier epoch would be pruned less
  o.progress = nullptr;
  return o;
}
}  // namespace

int main(int argc, char** argv) try {
  const std::string data_dir = argc > 1 ? argv[1] : INLAY_EXAMPLE_DATA_DIR;
  const std::string out_dir = argc > 2 ? argv[2] : ".";

  // The digits example's data (examples/digits).
  const data::Table table = data::read_csv(data_dir + "/digits.csv");
  const std::vector<std::int64_t> labels = table.labels(64);
  const data::Split split = data::stratified_split(labels, 0.2, 0);
  data::Standardizer scaler;
  Split s;
  s.x_train = scaler.fit_transform(data::take_rows(table.features(0, 64), split.train));
  s.x_test = scaler.transform(data::take_rows(table.features(0, 64), split.test));
  s.y_train = data::take(labels, split.train);
  s.y_test = data::take(labels, split.test);
  const inlay::Tensor y_train = nn::labels_view(s.y_train);

  // The float baseline.
  Mlp net;
  nn::Adam adam(1e-3f);
  nn::FitOptions options;
  options.epochs = 30;
  options.batch_size = 32;
  options.seed = 0;
  options.progress = nullptr;
  nn::fit(net, s.x_train, y_train, nn::CrossEntropy(), adam, options);
  const std::string float_path = out_dir + "/compress_fp32.onnx";
  const Result base = report("float", 0.0, net.to_onnx(), float_path, s);
  const std::size_t steps_per_epoch = (split.train.size() + 31) / 32;

  // 80 % of the weights of every layer, pruned gradually over 10 epochs (Zhu & Gupta's cubic
  // schedule), then 5 epochs with the final masks.
  Mlp sparse = net;
  nn::Pruner pruner(nn::weight_matrices(sparse));
  nn::FitOptions o = fine_tune_options(15);
  pruner.attach(o, nn::PruneSchedule{0.0, 0.8, 0, 10 * steps_per_epoch, steps_per_epoch / 4});
  nn::Adam adam_sparse(1e-3f);
  nn::fit(sparse, s.x_train, y_train, nn::CrossEntropy(), adam_sparse, o);
  pruner.apply();
  std::printf("%s", nn::to_string(pruner.report()).c_str());
  const Result unstructured = report("prune_unstructured_80", sparsity_of(sparse), sparse.to_onnx(),
                                     out_dir + "/compress_pruned80.onnx", s);

  // Half the neurons of both hidden layers, removed gradually; the export leaves them out.
  Mlp narrow = net;
  nn::Pruner neurons(nn::weight_matrices(narrow), nn::PruneScope::per_layer,
                     nn::PruneUnit::outputs);
  o = fine_tune_options(15);
  neurons.attach(o, nn::PruneSchedule{0.0, 0.5, 0, 10 * steps_per_epoch, steps_per_epoch / 4});
  nn::Adam adam_narrow(1e-3f);
  nn::fit(narrow, s.x_train, y_train, nn::CrossEntropy(), adam_narrow, o);
  neurons.apply();
  std::printf("%s", nn::to_string(neurons.report()).c_str());
  const Result structured =
      report("prune_structured_50", sparsity_of(narrow), nn::to_onnx_pruned(narrow),
             out_dir + "/compress_structured50.onnx", s);

  // 16 shared values per layer (k-means), centroids fine-tuned for 5 epochs.
  Mlp shared = net;
  nn::WeightSharing sharing(nn::weight_matrices(shared), 16);
  o = fine_tune_options(5);
  sharing.attach(o, 1e-5f);
  nn::Adam adam_shared(1e-3f);
  nn::fit(shared, s.x_train, y_train, nn::CrossEntropy(), adam_shared, o);
  const Result clustered =
      report("weight_sharing_16", sparsity_of(shared), nn::to_onnx_shared(shared, sharing),
             out_dir + "/compress_shared16.onnx", s);

  // int8 post-training quantization of the float model, calibrated on the training rows.
  std::vector<std::vector<inlay::Tensor>> calibration;
  for (std::size_t start = 0; start < split.train.size(); start += 128) {
    std::vector<std::size_t> batch;
    for (std::size_t r = start; r < std::min(split.train.size(), start + 128); ++r) {
      batch.push_back(r);
    }
    calibration.push_back({data::take_rows(s.x_train, batch)});
  }
  const inlay::QuantizedModel quantized = inlay::quantize(float_path, calibration);
  const std::string int8_path = out_dir + "/compress_int8.onnx";
  quantized.save(int8_path);
  std::string int8_bytes;
  {
    std::FILE* f = std::fopen(int8_path.c_str(), "rb");
    if (f == nullptr) throw std::runtime_error("cannot read " + int8_path);
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) int8_bytes.append(buf, n);
    std::fclose(f);
  }
  const Result int8 = report("int8_ptq", 0.0, int8_bytes, int8_path, s);

  // int8 quantization-aware training: a copy fine-tuned for 3 epochs with fake-quantized inputs
  // and weights (nn::enable_qat), exported as QDQ with the learned ranges.
  Mlp qat = net;
  nn::enable_qat(qat, s.x_train);
  nn::Adam adam_qat(1e-4f);
  nn::fit(qat, s.x_train, y_train, nn::CrossEntropy(), adam_qat, fine_tune_options(3));
  const Result int8_qat = report("int8_qat", 0.0, nn::to_onnx(qat, nn::OnnxOptions{}),
                                 out_dir + "/compress_qat.onnx", s);

  // margin >= 0: the method loses at most 1 point of accuracy against the float baseline.
  std::printf(
      "margins (0.01 - accuracy drop): pruned80_margin=%.4f structured50_margin=%.4f "
      "shared16_margin=%.4f int8_margin=%.4f qat_margin=%.4f\n",
      0.01 - (base.accuracy - unstructured.accuracy), 0.01 - (base.accuracy - structured.accuracy),
      0.01 - (base.accuracy - clustered.accuracy), 0.01 - (base.accuracy - int8.accuracy),
      0.01 - (base.accuracy - int8_qat.accuracy));
  std::printf("structured speedup over float in the graph door: %.2fx (goal 1.6x)\n",
              base.latency_ms / structured.latency_ms);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "compress example: %s\n", e.what());
  return 1;
}
