// Regression on the diabetes data: one disease-progression value from 10 measurements, trained
// with MSE and with Huber; R² on a held-out 20% split. Usage: inlay_diabetes_regression [data
// folder]
#include <inlay/inlay.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace data = inlay::data;
namespace metrics = inlay::metrics;
namespace nn = inlay::nn;

using Net = nn::Sequential<nn::Dense<10, 32>, nn::ReLU, nn::Dense<32, 1>>;

int main(int argc, char** argv) try {
  const std::string data_dir = argc > 1 ? argv[1] : INLAY_EXAMPLE_DATA_DIR;
  const data::Table table = data::read_csv(data_dir + "/diabetes.csv");
  const inlay::Tensor x = table.features(0, 10);
  std::vector<float> y = table.column(10);
  const data::Split split = data::random_split(table.rows, 0.2, 0);
  data::Standardizer scaler;
  const inlay::Tensor x_train = scaler.fit_transform(data::take_rows(x, split.train));
  const inlay::Tensor x_test = scaler.transform(data::take_rows(x, split.test));
  // The target is scaled for training (mean 0, deviation 1 on the training rows).
  std::vector<float> y_train = data::take(y, split.train);
  const std::vector<float> y_test = data::take(y, split.test);
  double mean = 0, var = 0;
  for (float v : y_train) mean += v;
  mean /= static_cast<double>(y_train.size());
  for (float v : y_train) var += (v - mean) * (v - mean);
  const double sd = std::sqrt(var / static_cast<double>(y_train.size()));
  for (float& v : y_train) v = static_cast<float>((v - mean) / sd);

  auto train_and_score = [&](const nn::Loss& loss) {
    Net net;
    nn::Adam adam(3e-3f);
    adam.l2 = 1e-3f;
    nn::FitOptions options;
    options.epochs = 150;
    options.batch_size = 32;
    options.progress = nullptr;
    nn::fit(net, x_train, nn::targets_view(y_train), loss, adam, options);
    const inlay::Tensor scaled = net.predict(x_test);
    std::vector<float> predicted(y_test.size());
    for (std::size_t i = 0; i < predicted.size(); ++i) {
      predicted[i] = static_cast<float>(scaled.data<float>()[i] * sd + mean);
    }
    std::printf("%-5s r2=%.4f mae=%.2f\n", loss.name(), metrics::r2(y_test, predicted),
                metrics::mae(y_test, predicted));
  };
  std::printf("diabetes: %zu training and %zu test rows\n", split.train.size(), split.test.size());
  train_and_score(nn::MeanSquaredError());
  train_and_score(nn::Huber(1.0f));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "diabetes_regression: %s\n", e.what());
  return 1;
}
