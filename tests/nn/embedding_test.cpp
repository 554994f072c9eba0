// Embedding (include/inlay/nn/embedding.hpp): each token id becomes its row of the table; ids
// that are not whole numbers in [0, vocabulary) are rejected. The table's gradient against
// finite differences (tests/nn/grad_check.hpp).
#include <cmath>

#include "nn/forward_check.hpp"

namespace nn = inlay::nn;
using nn_test::check_network_gradient;

TEST_CASE("Embedding looks up one table row per token", "[nn/embedding]") {
  nn::Sequential<nn::Embedding<7, 3, 4>> net;
  static_assert(decltype(net)::out_size == 12, "Dims<4> -> Dims<4, 3>");
  net.layer<0>().weight = inlay_test::random_floats(21, 1);
  const std::vector<float>& table = net.layer<0>().weight;
  // Every id at least once, repeats, first and last rows; batch 3.
  const std::vector<float> ids = {0, 6, 3, 3, 1, 2, 4, 5, 6, 0, 0, 2};
  std::vector<float> want;
  for (float id : ids) {
    const std::size_t row = static_cast<std::size_t>(id);
    want.insert(want.end(), table.begin() + static_cast<std::ptrdiff_t>(row * 3),
                table.begin() + static_cast<std::ptrdiff_t>(row * 3 + 3));
  }
  for (bool training : {false, true}) {
    INFO("training " << training);
    const std::vector<float> y = nn_test::run_forward(net, ids, 3, training);
    CHECK(y == want);  // a copy: exact
  }
  // A batch of one gives the first sequence.
  const std::vector<float> first(ids.begin(), ids.begin() + 4);
  CHECK(nn_test::run_forward(net, first, 1, false) ==
        std::vector<float>(want.begin(), want.begin() + 12));
}

TEST_CASE("Embedding rejects ids outside the vocabulary or not whole", "[nn/embedding]") {
  nn::Sequential<nn::Embedding<5, 2, 3>> net;
  for (float bad : {5.0f, -1.0f, 2.5f, 1e9f, NAN}) {
    INFO("id " << bad);
    const std::vector<float> ids = {1, bad, 0};
    const std::string message = inlay_test::error_of(
        [&] { nn_test::run_forward(net, ids, 1, false); }, inlay::ErrorKind::invalid_argument);
    CHECK_THAT(message, Catch::Contains("position 1"));
  }
}

TEST_CASE("Embedding's table gradient matches finite differences", "[nn/embedding]") {
  // Ids are whole numbers: only the table's gradient is checked.
  nn::Sequential<nn::Embedding<7, 3, 4>, nn::Flatten, nn::Dense<12, 2>> emb;
  check_network_gradient(emb, 2, 62, 1e-2f, 2e-2, 2e-3, 24, 0.0f, 0.0f, false);
}
