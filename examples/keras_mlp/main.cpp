// The classic Keras MLP written in inlay line for line, on the digits data (8x8 images).
// Usage: inlay_keras_mlp [data folder] [output folder]
//
// The Keras code (Keras 2/3):
//
//   model = keras.Sequential([
//       keras.Input(shape=(64,)),
//       layers.Dense(64, activation="relu"),
//       layers.Dense(64, activation="relu"),
//       layers.Dense(10, activation="softmax"),
//   ])
//   model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
//                 loss="categorical_crossentropy", metrics=["accuracy"])
//   y_train = keras.utils.to_categorical(y_train, 10)
//   y_test = keras.utils.to_categorical(y_test, 10)
//   model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.1)
//   loss, accuracy = model.evaluate(x_test, y_test)
//   model.save("keras_mlp.keras")
//
// One difference, on purpose: inlay's CrossEntropy takes logits (softmax inside the loss, the
// numerically sound form), so the trained network ends with Dense(10) and the Softmax is added
// for inference; writing Softmax before CrossEntropy does not compile (nn/logit_check.hpp).
#include <inlay/inlay.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace data = inlay::data;
namespace nn = inlay::nn;

// keras.Sequential([... Dense(64, relu), Dense(64, relu), Dense(10)]): trained on logits.
using Mlp = nn::Sequential<nn::Input<64>, nn::Dense<64, 64>, nn::ReLU, nn::Dense<64, 64>, nn::ReLU,
                           nn::Dense<64, 10>>;
// The same layers and parameters (same names) with Dense(10, activation="softmax").
using MlpProba = nn::Sequential<nn::Input<64>, nn::Dense<64, 64>, nn::ReLU, nn::Dense<64, 64>,
                                nn::ReLU, nn::Dense<64, 10>, nn::Softmax>;

int main(int argc, char** argv) try {
  const std::string data_dir = argc > 1 ? argv[1] : INLAY_EXAMPLE_DATA_DIR;
  const std::string out_dir = argc > 2 ? argv[2] : ".";

  // (x_train, y_train), (x_test, y_test): stratified 80/20 split, standardized on training rows.
  const data::Table table = data::read_csv(data_dir + "/digits.csv");
  const std::vector<std::int64_t> labels = table.labels(64);
  const data::Split split = data::stratified_split(labels, 0.2, 0);
  data::Standardizer scaler;
  const inlay::Tensor x = table.features(0, 64);
  const inlay::Tensor x_train = scaler.fit_transform(data::take_rows(x, split.train));
  const inlay::Tensor x_test = scaler.transform(data::take_rows(x, split.test));

  // y_train = keras.utils.to_categorical(y_train, 10)
  const inlay::Tensor y_train = data::one_hot(data::take(labels, split.train), 10);
  const inlay::Tensor y_test = data::one_hot(data::take(labels, split.test), 10);

  // model = keras.Sequential([...]); model.compile(optimizer=Adam(1e-3), loss=..., ...)
  Mlp model;
  nn::Adam adam(1e-3f);
  const nn::CrossEntropy categorical_crossentropy;

  // model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.1)
  nn::FitOptions fit;
  fit.batch_size = 32;
  fit.epochs = 30;
  fit.validation_fraction = 0.1;
  const nn::History history = nn::fit(model, x_train, y_train, categorical_crossentropy, adam, fit);

  // loss, accuracy = model.evaluate(x_test, y_test)
  const nn::Evaluation score = nn::evaluate(model, x_test, y_test, categorical_crossentropy);
  std::printf("test loss=%.4f accuracy=%.4f (best epoch %zu of %zu)\n", score.loss, score.accuracy,
              history.best_epoch, history.epochs.size());

  // The softmax model for inference: the trained parameters copied into MlpProba.
  MlpProba proba;
  std::vector<nn::Param> from = model.params(), to = proba.params();
  for (std::size_t i = 0; i < from.size(); ++i) {
    std::copy(from[i].value, from[i].value + from[i].size, to[i].value);
  }

  // model.save(...): an ONNX file that says what it is (inlay info shows it).
  nn::OnnxOptions onnx;
  onnx.model_version = 1;
  onnx.doc_string = "Keras-style MLP: 8x8 digit image (standardized) -> 10 class probabilities";
  onnx.domain = "org.inlay.examples";
  onnx.metadata = {{"training_data", "digits.csv, stratified 80% split, seed 0"},
                   {"preprocessing", "standardize each pixel with the training rows' mean, std"},
                   {"test_accuracy", std::to_string(score.accuracy)}};
  const std::string path = out_dir + "/keras_mlp.onnx";
  nn::save_onnx(proba, path, onnx);

  // Reloaded through the graph door (inlay::Model), which reads the metadata back.
  const inlay::Model reloaded = inlay::Model::load(path);
  std::printf("saved %s: version %lld, %zu metadata entries\n", path.c_str(),
              static_cast<long long>(reloaded.metadata().model_version),
              reloaded.metadata().props.size());
  return 0;
} catch (const inlay::Error& e) {
  std::fprintf(stderr, "keras_mlp: %s\n", e.what());
  return 1;
}
