// A small Transformer encoder learns a rule that needs attention: "does the first token of the
// sequence appear again later?" The example makes its own data (random token sequences, half of
// them with the first token repeated), trains token embedding + learned positions + two
// pre-norm encoder blocks + first-token pooling + a Dense classifier, prints the test accuracy,
// exports the model to ONNX and checks that the graph door (inlay::Model) predicts the same
// classes. Usage: inlay_transformer [output folder]
#include <inlay/inlay.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace nn = inlay::nn;

constexpr std::size_t vocabulary = 12, seq = 8, embed = 16, heads = 2, hidden = 32;

// ids [seq] -> logits [2] (0: the first token is not repeated, 1: it is).
using Encoder =
    nn::Sequential<nn::Embedding<vocabulary, embed, seq>, nn::LearnedPositions<seq, embed>,
                   nn::TransformerEncoderBlock<seq, embed, heads, hidden, true, 0>,
                   nn::TransformerEncoderBlock<seq, embed, heads, hidden, true, 0>, nn::LayerNorm,
                   nn::FirstToken, nn::Dense<embed, 2>>;

struct Dataset {
  std::vector<float> ids;  // [n, seq], whole numbers in [0, vocabulary)
  std::vector<std::int64_t> labels;
};

// Half of the rows repeat their first token at one or more random later positions; in the other
// half no later token equals the first (so the label is never a coin flip).
Dataset make_sequences(std::size_t n, std::uint64_t seed) {
  inlay::data::Rng rng(seed);
  auto draw = [&](std::size_t below) {
    return static_cast<std::size_t>(rng.uniform() * static_cast<double>(below));
  };
  Dataset d;
  for (std::size_t i = 0; i < n; ++i) {
    const bool repeated = i % 2 == 1;
    const std::size_t first = draw(vocabulary);
    std::vector<std::size_t> row = {first};
    for (std::size_t s = 1; s < seq; ++s) {
      const std::size_t other = draw(vocabulary - 1);  // any token but the first
      row.push_back(other >= first ? other + 1 : other);
    }
    if (repeated) row[1 + draw(seq - 1)] = first;
    for (std::size_t t : row) d.ids.push_back(static_cast<float>(t));
    d.labels.push_back(repeated ? 1 : 0);
  }
  return d;
}

int main(int argc, char** argv) try {
  const std::string out_dir = argc > 1 ? argv[1] : ".";
  const Dataset train = make_sequences(3000, 1), test = make_sequences(1000, 2);
  const inlay::Tensor x_train = inlay::Tensor::view(train.ids.data(), {3000, seq});
  const inlay::Tensor x_test = inlay::Tensor::view(test.ids.data(), {1000, seq});

  Encoder net(64);
  nn::Adam adam(3e-3f);
  nn::FitOptions options;
  options.epochs = 12;
  options.batch_size = 32;
  options.schedule = nn::LrSchedule::cosine(0.05f);
  options.progress = nullptr;
  const nn::History history =
      nn::fit(net, x_train, nn::labels_view(train.labels), nn::CrossEntropy(), adam, options);
  const nn::Evaluation score =
      nn::evaluate(net, x_test, nn::labels_view(test.labels), nn::CrossEntropy());
  std::printf("trained %zu epochs: train loss %.4f, test loss=%.4f accuracy=%.4f\n",
              history.epochs.size(), history.epochs.back().loss, score.loss, score.accuracy);

  // Export, reload through the graph door, and compare the predicted classes.
  const std::string path = out_dir + "/transformer.onnx";
  nn::save_onnx(net, path);
  inlay::Session session(inlay::Model::load(path));
  const inlay::Tensor typed = net.predict(x_test);
  const inlay::Tensor graph = session.run({x_test})[0];
  std::size_t same = 0;
  for (std::size_t i = 0; i < 1000; ++i) {
    const float* a = typed.data<float>() + 2 * i;
    const float* b = graph.data<float>() + 2 * i;
    same += (a[1] > a[0]) == (b[1] > b[0]) ? 1 : 0;
  }
  std::printf("saved %s; graph door agree=%.4f\n", path.c_str(), same / 1000.0);
  return 0;
} catch (const inlay::Error& e) {
  std::fprintf(stderr, "transformer: %s\n", e.what());
  return 1;
}
