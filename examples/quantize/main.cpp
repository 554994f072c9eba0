// Post-training quantization of the digits MLP: train it, export it to ONNX, quantize it to an
// 8-bit QDQ model calibrated on its training rows (inlay::quantize), and compare accuracy, size
// and speed of the two models run through inlay::Session. Then the same from the typed door:
// post-training quantization in one save_onnx call (OnnxOptions::quantization), and
// quantization-aware fine-tuning (nn::enable_qat, then nn::fit) exported as QDQ.
// Usage: inlay_quantize_example [data folder] [output folder]
#include <inlay/inlay.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace data = inlay::data;
namespace metrics = inlay::metrics;
namespace nn = inlay::nn;

using Mlp =
    nn::Sequential<nn::Dense<64, 128>, nn::ReLU, nn::Dense<128, 64>, nn::ReLU, nn::Dense<64, 10>>;

// The median time of `runs` runs of the session on x, in ms.
static double median_ms(inlay::Session& session, const inlay::Tensor& x, int runs) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    session.run({x});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  return metrics::latency_stats(ms).median_ms;
}

int main(int argc, char** argv) try {
  const std::string data_dir = argc > 1 ? argv[1] : INLAY_EXAMPLE_DATA_DIR;
  const std::string out_dir = argc > 2 ? argv[2] : ".";

  // The digits example's data and network (examples/digits).
  const data::Table table = data::read_csv(data_dir + "/digits.csv");
  const std::vector<std::int64_t> labels = table.labels(64);
  const data::Split split = data::stratified_split(labels, 0.2, 0);
  data::Standardizer scaler;
  const inlay::Tensor x_train =
      scaler.fit_transform(data::take_rows(table.features(0, 64), split.train));
  const inlay::Tensor x_test = scaler.transform(data::take_rows(table.features(0, 64), split.test));
  const std::vector<std::int64_t> y_train = data::take(labels, split.train);
  const std::vector<std::int64_t> y_test = data::take(labels, split.test);
  Mlp net;
  nn::Adam adam(1e-3f);
  nn::FitOptions options;
  options.epochs = 30;
  options.batch_size = 32;
  options.seed = 0;
  nn::fit(net, x_train, nn::labels_view(y_train), nn::CrossEntropy(), adam, options);
  const std::string float_path = out_dir + "/digits_fp32.onnx";
  const std::string int8_path = out_dir + "/digits_int8.onnx";
  nn::save_onnx(net, float_path);

  // Calibration: the training rows, in batches of 128 (one calibration set each).
  std::vector<std::vector<inlay::Tensor>> calibration;
  const std::size_t rows = split.train.size();
  for (std::size_t start = 0; start < rows; start += 128) {
    std::vector<std::size_t> batch;
    for (std::size_t r = start; r < std::min(rows, start + 128); ++r) batch.push_back(r);
    calibration.push_back({data::take_rows(x_train, batch)});
  }
  const inlay::QuantizedModel quantized = inlay::quantize(float_path, calibration);
  quantized.save(int8_path);
  std::printf("%s", inlay::to_string(quantized.report).c_str());

  // Both models on the test rows.
  inlay::Session fp32(inlay::Model::load(float_path));
  inlay::Session int8(inlay::Model::load(int8_path));
  const double fp32_accuracy =
      metrics::accuracy(y_test, metrics::argmax_rows(fp32.run({x_test})[0]));
  const double int8_accuracy =
      metrics::accuracy(y_test, metrics::argmax_rows(int8.run({x_test})[0]));
  const double speedup = median_ms(fp32, x_test, 30) / median_ms(int8, x_test, 30);
  const double drop = fp32_accuracy - int8_accuracy;
  std::printf("fp32 accuracy=%.4f int8 accuracy=%.4f size fp32=%.1fKB int8=%.1fKB speedup=%.2fx\n",
              fp32_accuracy, int8_accuracy, quantized.report.float_model_bytes / 1024.0,
              quantized.report.quantized_model_bytes / 1024.0, speedup);
  // margin >= 0: the quantized model loses at most 1 point of accuracy.
  std::printf("accuracy drop=%.4f (limit 0.01) margin=%.4f\n", drop, 0.01 - drop);

  // The typed door. PTQ: the float export quantized on the training rows in one call.
  nn::OnnxOptions ptq;
  ptq.quantization.calibration = x_train;
  const std::string ptq_path = out_dir + "/digits_ptq_int8.onnx";
  nn::save_onnx(net, ptq_path, ptq);
  // QAT: a copy of the trained network fine-tuned with fake-quantized inputs and weights (ranges
  // start from the training rows and follow a moving average), exported as QDQ.
  Mlp qat = net;
  nn::enable_qat(qat, x_train);
  nn::Adam fine(1e-4f);
  nn::FitOptions fine_options;
  fine_options.epochs = 3;
  fine_options.batch_size = 32;
  fine_options.seed = 1;
  fine_options.init_weights = false;
  fine_options.progress = nullptr;
  nn::fit(qat, x_train, nn::labels_view(y_train), nn::CrossEntropy(), fine, fine_options);
  const std::string qat_path = out_dir + "/digits_qat_int8.onnx";
  nn::save_onnx(qat, qat_path);
  auto accuracy_of = [&](const std::string& path) {
    inlay::Session s(inlay::Model::load(path));
    return metrics::accuracy(y_test, metrics::argmax_rows(s.run({x_test})[0]));
  };
  const double ptq_accuracy = accuracy_of(ptq_path);
  const double qat_accuracy = accuracy_of(qat_path);
  std::printf("typed door: fp32 accuracy=%.4f ptq_accuracy=%.4f qat_accuracy=%.4f\n", fp32_accuracy,
              ptq_accuracy, qat_accuracy);
  // The same 1-point limit for both typed-door exports.
  std::printf("ptq_margin=%.4f qat_margin=%.4f\n", 0.01 - (fp32_accuracy - ptq_accuracy),
              0.01 - (fp32_accuracy - qat_accuracy));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "quantize example: %s\n", e.what());
  return 1;
}
