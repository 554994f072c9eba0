// Hyperparameter search by cross-validation: every setting (learning rate, L1/L2, batch size,
// epochs) trains a fresh network with nn::fit on each fold's training rows and is scored on the
// fold's test rows; the result gives mean +- std over the folds per setting.
//
//   nn::SearchSpace space;
//   space.learning_rate = {1e-3f, 3e-3f};
//   space.l2 = {0.0f, 1e-4f};
//   const auto folds = data::stratified_k_fold(labels, 5, /*seed=*/0);
//   const nn::SearchResult r = nn::search<Mlp>(x, nn::labels_view(labels), nn::CrossEntropy(),
//                                              nn::grid(space), folds);
//   std::puts(r.to_string().c_str());  // r.best(): the setting with the best mean score
#ifndef INLAY_NN_SEARCH_HPP
#define INLAY_NN_SEARCH_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/data/pipeline.hpp"
#include "inlay/data/rows.hpp"
#include "inlay/data/split.hpp"
#include "inlay/nn/fit.hpp"
#include "inlay/nn/optimizer.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// The run-time hyperparameters one training run uses.
struct HyperParams {
  float learning_rate = 1e-3f;
  float l1 = 0.0f, l2 = 0.0f;
  std::size_t batch_size = 32;
  std::size_t epochs = 10;
  std::string to_string() const;  // "lr=0.001 l1=0 l2=0.0001 batch=32 epochs=10"
};

// The values to try of each hyperparameter.
struct SearchSpace {
  std::vector<float> learning_rate = {1e-3f};
  std::vector<float> l1 = {0.0f}, l2 = {0.0f};
  std::vector<std::size_t> batch_size = {32};
  std::vector<std::size_t> epochs = {10};
};

// Every combination (the learning rate varies slowest, epochs fastest). Empty lists, a learning
// rate <= 0, a negative L1/L2 or a batch size or epoch count of 0 are errors.
std::vector<HyperParams> grid(const SearchSpace& space);
// `count` random settings: the learning rate log-uniform between the smallest and largest listed
// (one value: that one), the others a uniform choice among the listed values; seeded (data::Rng).
std::vector<HyperParams> random_settings(const SearchSpace& space, std::size_t count,
                                         std::uint64_t seed);

struct SettingScore {
  HyperParams params;
  std::vector<double> fold_loss, fold_accuracy;  // per fold, on its test rows
  // Over the folds; std is the population standard deviation (numpy.std, as scikit-learn's
  // cv_results_). Accuracy is NaN unless the targets are class labels.
  double mean_loss = 0.0, std_loss = 0.0, mean_accuracy = 0.0, std_accuracy = 0.0;
};

struct SearchResult {
  std::vector<SettingScore> settings;
  // Index of the best setting: highest mean accuracy with class labels, else lowest mean loss;
  // the first one on ties.
  std::size_t best_index = 0;
  const SettingScore& best() const { return settings.at(best_index); }
  std::string to_string() const;  // one line per setting, "lr=... : loss m +- s, accuracy m +- s"
};

struct SearchOptions {
  // Everything but epochs and batch_size (which come from each setting); its progress sink is
  // replaced by nullptr during the folds.
  FitOptions fit;
  // Fitted afresh on each fold's training rows (a copy), so no test row leaks into the scaling.
  const data::Pipeline* preprocessing = nullptr;
  ProgressSink progress = print_progress;  // one line per setting; nullptr: silent
  void* progress_context = nullptr;
};

// Fills means, standard deviations (and checks the folds gave numbers); picks the best.
SettingScore score_setting(const HyperParams& params, std::vector<double> fold_loss,
                           std::vector<double> fold_accuracy);
std::size_t best_setting(const std::vector<SettingScore>& settings);
void check_search(const Tensor& x, const Tensor& y, const std::vector<HyperParams>& settings,
                  const std::vector<data::Split>& folds);

// Net: default-constructible typed network; OptimizerT: takes the learning rate in its
// constructor and has l1, l2 (SGD, Momentum, Adam, AdamW ...).
template <class Net, class OptimizerT = Adam, class LossT>
SearchResult search(const Tensor& x, const Tensor& y, const LossT& loss,
                    const std::vector<HyperParams>& settings, const std::vector<data::Split>& folds,
                    const SearchOptions& options = {}) {
  check_search(x, y, settings, folds);
  SearchResult result;
  for (std::size_t s = 0; s < settings.size(); ++s) {
    const HyperParams& p = settings[s];
    std::vector<double> fold_loss, fold_accuracy;
    for (const data::Split& fold : folds) {
      Tensor x_train = data::take_rows(x, fold.train);
      Tensor x_test = data::take_rows(x, fold.test);
      if (options.preprocessing) {
        data::Pipeline prep = *options.preprocessing;
        x_train = prep.fit_transform(x_train);
        x_test = prep.transform(x_test);
      }
      const Tensor y_train = data::take_rows(y, fold.train);
      const Tensor y_test = data::take_rows(y, fold.test);
      auto net = std::make_unique<Net>();
      OptimizerT optimizer(p.learning_rate);
      optimizer.l1 = p.l1;
      optimizer.l2 = p.l2;
      FitOptions fit_options = options.fit;
      fit_options.epochs = p.epochs;
      fit_options.batch_size = p.batch_size;
      fit_options.progress = nullptr;
      fit(*net, x_train, y_train, loss, optimizer, fit_options);
      const Evaluation e = evaluate(*net, x_test, y_test, loss);
      fold_loss.push_back(e.loss);
      fold_accuracy.push_back(e.accuracy);
    }
    result.settings.push_back(score_setting(p, std::move(fold_loss), std::move(fold_accuracy)));
    if (options.progress) {
      options.progress(options.progress_context,
                       "setting " + std::to_string(s + 1) + "/" + std::to_string(settings.size()) +
                           ": " + SearchResult{{result.settings.back()}, 0}.to_string());
    }
  }
  result.best_index = best_setting(result.settings);
  return result;
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_SEARCH_HPP
