// The README's demo: a typed MLP trained on the digits data, evaluated, drawn, exported to ONNX,
// and timed. Usage: inlay_digits [data folder] [output folder]
#include <inlay/inlay.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace data = inlay::data;
namespace metrics = inlay::metrics;
namespace nn = inlay::nn;
namespace plot = inlay::plot;

// 64 pixels -> 128 -> 64 -> 10 class logits.
using Mlp =
    nn::Sequential<nn::Dense<64, 128>, nn::ReLU, nn::Dense<128, 64>, nn::ReLU, nn::Dense<64, 10>>;

static std::vector<double> column(const nn::History& h, double nn::EpochStats::*field) {
  std::vector<double> v;
  for (const nn::EpochStats& e : h.epochs) v.push_back(e.*field);
  return v;
}

int main(int argc, char** argv) try {
  const std::string data_dir = argc > 1 ? argv[1] : INLAY_EXAMPLE_DATA_DIR;
  const std::string out_dir = argc > 2 ? argv[2] : ".";

  // Data: 1797 images of 8x8 pixels, stratified 80/20 split, standardized on the training rows.
  // The scaling is a data::Pipeline so that it travels with the weights and the ONNX model.
  const data::Table table = data::read_csv(data_dir + "/digits.csv");
  const inlay::Tensor x = table.features(0, 64);
  const std::vector<std::int64_t> labels = table.labels(64);
  const data::Split split = data::stratified_split(labels, 0.2, 0);
  data::Pipeline preprocessing;
  preprocessing.add(data::Standardizer());
  const inlay::Tensor raw_test = data::take_rows(x, split.test);
  const inlay::Tensor x_train = preprocessing.fit_transform(data::take_rows(x, split.train));
  const inlay::Tensor x_test = preprocessing.transform(raw_test);
  const std::vector<std::int64_t> y_train = data::take(labels, split.train);
  const std::vector<std::int64_t> y_test = data::take(labels, split.test);
  std::printf("digits: %zu training and %zu test images, CPU target %s\n", split.train.size(),
              split.test.size(), inlay::cpu_target());

  // Training: Adam, cross-entropy, L2; 10% of the training rows for validation and early stopping.
  Mlp net;
  nn::Adam adam(1e-3f);
  adam.l2 = 1e-4f;
  nn::FitOptions options;
  options.epochs = 40;
  options.batch_size = 32;
  options.seed = 0;
  options.validation_fraction = 0.1;
  options.patience = 8;
  const nn::History history =
      nn::fit(net, x_train, nn::labels_view(y_train), nn::CrossEntropy(), adam, options);
  std::printf("trained in %.2f s, best epoch %zu\n", history.seconds, history.best_epoch);

  // Evaluation on the test split.
  const inlay::Tensor scores = net.predict(x_test);
  const std::vector<std::int64_t> predicted = metrics::argmax_rows(scores);
  const metrics::ClassificationReport report =
      metrics::classification_report(y_test, predicted, 10);
  std::printf("accuracy=%.4f recall=%.4f f1=%.4f\n", report.accuracy, report.macro.recall,
              report.macro.f1);

  // Pictures: training curves and the confusion matrix.
  plot::save_line_chart_svg(out_dir + "/digits_loss.svg", "digits: cross-entropy", "epoch", "loss",
                            {{"train", column(history, &nn::EpochStats::loss)},
                             {"validation", column(history, &nn::EpochStats::val_loss)}});
  plot::save_line_chart_svg(out_dir + "/digits_accuracy.svg", "digits: accuracy", "epoch",
                            "accuracy",
                            {{"train", column(history, &nn::EpochStats::accuracy)},
                             {"validation", column(history, &nn::EpochStats::val_accuracy)}});
  plot::save_confusion_matrix_svg(out_dir + "/digits_confusion.svg",
                                  metrics::confusion_matrix(y_test, predicted, 10));

  // Export: weights file (with the fitted scaling) and ONNX model (with the scaling as its first
  // nodes, so it takes raw pixels). The weights reload into a fresh typed network; the ONNX file
  // reloads through the graph door (inlay::Model) and, given the RAW test pixels, must predict
  // the same classes as the network given the standardized ones.
  nn::save_weights(net, out_dir + "/digits_mlp.weights", preprocessing);
  nn::OnnxOptions onnx_options;
  onnx_options.doc_string = "8x8 digit images (raw pixels 0-16, 64 features) to 10 class logits";
  onnx_options.preprocessing = &preprocessing;
  nn::save_onnx(net, out_dir + "/digits_mlp.onnx", onnx_options);
  Mlp reloaded;
  data::Pipeline reloaded_preprocessing;
  nn::load_weights(reloaded, out_dir + "/digits_mlp.weights", reloaded_preprocessing);
  const bool same_weights =
      metrics::argmax_rows(reloaded.predict(reloaded_preprocessing.transform(raw_test))) ==
      predicted;
  inlay::Session session(inlay::Model::load(out_dir + "/digits_mlp.onnx"));
  const std::vector<inlay::Tensor> graph_scores = session.run({raw_test});
  const std::vector<std::int64_t> graph_predicted = metrics::argmax_rows(graph_scores.at(0));
  const bool same_onnx = graph_predicted == predicted;
  const bool same = same_weights && same_onnx;
  std::printf("ONNX model on raw test pixels: raw_onnx_accuracy=%.4f\n",
              metrics::accuracy(y_test, graph_predicted));
  std::printf(
      "wrote %s/digits_{loss,accuracy,confusion}.svg, digits_mlp.onnx, digits_mlp.weights\n",
      out_dir.c_str());
  std::printf("reloaded: weights file %s, ONNX through inlay::Model on raw pixels %s predictions\n",
              same_weights ? "identical" : "DIFFERENT", same_onnx ? "identical" : "DIFFERENT");

  // Batch-1 inference latency: no allocation, one image at a time.
  std::vector<float> logits(10);
  const float* first = x_test.data<float>();
  std::vector<double> ms;
  for (int run = 0; run < 2000; ++run) {
    const float* image =
        first + static_cast<std::size_t>(run % static_cast<int>(y_test.size())) * 64;
    const auto start = std::chrono::steady_clock::now();
    net.forward(image, 1, logits.data());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  const metrics::LatencyStats lat = metrics::latency_stats(ms);
  std::printf(
      "batch-1 latency over %zu runs: min %.4f ms, median %.4f ms, p90 %.4f ms, p99 %.4f ms\n",
      lat.runs, lat.min_ms, lat.median_ms, lat.p90_ms, lat.p99_ms);
  return same ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "digits: %s\n", e.what());
  return 1;
}
