// Binary classification on the Wisconsin breast-cancer data with binary cross-entropy from one
// logit; ROC-AUC and F1 on a stratified 20% test split. Usage: inlay_breast_cancer [data folder]
#include <inlay/inlay.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace data = inlay::data;
namespace metrics = inlay::metrics;
namespace nn = inlay::nn;

using Net = nn::Sequential<nn::Dense<30, 16>, nn::ReLU, nn::Dropout<20>, nn::Dense<16, 1>>;

int main(int argc, char** argv) try {
  const std::string data_dir = argc > 1 ? argv[1] : INLAY_EXAMPLE_DATA_DIR;
  data::CsvOptions csv;
  csv.skip_lines = 1;  // header: rows, columns, class names
  const data::Table table = data::read_csv(data_dir + "/breast_cancer.csv", csv);
  const inlay::Tensor x = table.features(0, 30);
  const std::vector<std::int64_t> labels = table.labels(30);  // 0 malignant, 1 benign
  const data::Split split = data::stratified_split(labels, 0.2, 0);
  data::Standardizer scaler;
  const inlay::Tensor x_train = scaler.fit_transform(data::take_rows(x, split.train));
  const inlay::Tensor x_test = scaler.transform(data::take_rows(x, split.test));
  const std::vector<std::int64_t> y_train = data::take(labels, split.train);
  const std::vector<std::int64_t> y_test = data::take(labels, split.test);

  Net net;
  nn::Adam adam(1e-3f);
  nn::FitOptions options;
  options.epochs = 60;
  options.batch_size = 16;
  options.validation_fraction = 0.15;
  options.patience = 10;
  options.progress = nullptr;
  const nn::History h =
      nn::fit(net, x_train, nn::labels_view(y_train), nn::BinaryCrossEntropy(), adam, options);

  const inlay::Tensor logits = net.predict(x_test);
  const std::vector<float> scores(logits.data<float>(), logits.data<float>() + logits.numel());
  std::vector<std::int64_t> predicted;
  for (float s : scores) predicted.push_back(s > 0.0f ? 1 : 0);
  const metrics::ClassificationReport report = metrics::classification_report(y_test, predicted, 2);
  std::printf("breast_cancer: %zu training and %zu test rows, %zu epochs\n", split.train.size(),
              split.test.size(), h.epochs.size());
  std::printf("roc_auc=%.4f f1=%.4f accuracy=%.4f\n", metrics::roc_auc(y_test, scores),
              report.per_class[1].f1, report.accuracy);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "breast_cancer: %s\n", e.what());
  return 1;
}
