// The weights file: round trip, and a clear error for every kind of mismatch or damage.
#include <cstdio>

#include "nn/grad_check.hpp"

namespace nn = inlay::nn;

TEST_CASE("Weights round-trip and mismatches are rejected", "[nn/serialize]") {
  using Net = nn::Sequential<nn::Dense<3, 4>, nn::ReLU, nn::Dense<4, 2>>;
  Net a, b;
  inlay::data::Rng rng(1), rng2(2);
  a.init(rng);
  b.init(rng2);
  const std::string bytes = nn::serialize_params(a.params());
  CHECK(bytes.compare(0, 8, std::string("INLAYNN\0", 8)) == 0);
  nn::deserialize_params(b.params(), bytes.data(), bytes.size(), "mem");
  CHECK(a.layer<2>().weight == b.layer<2>().weight);
  CHECK(a.layer<0>().bias == b.layer<0>().bias);

  const std::string path = "nn_serialize_test.weights";
  nn::save_weights(a, path);
  Net c;
  nn::load_weights(c, path);
  CHECK(c.layer<0>().weight == a.layer<0>().weight);
  std::remove(path.c_str());

  using Other = nn::Sequential<nn::Dense<3, 5>, nn::ReLU, nn::Dense<5, 2>>;
  Other o;
  CHECK_THROWS_WITH(
      nn::deserialize_params(o.params(), bytes.data(), bytes.size(), "mem"),
      Catch::Contains("mem: parameter '0.weight' has 12 values, the network's has 15"));
  nn::Sequential<nn::Dense<3, 2>> small;
  CHECK_THROWS_WITH(nn::deserialize_params(small.params(), bytes.data(), bytes.size(), "mem"),
                    Catch::Contains("holds 4 parameters, the network has 2"));
  CHECK_THROWS_WITH(nn::deserialize_params(b.params(), bytes.data(), bytes.size() - 1, "mem"),
                    Catch::Contains("ends inside"));
  CHECK_THROWS_WITH(
      nn::deserialize_params(b.params(), (bytes + "x").data(), bytes.size() + 1, "mem"),
      Catch::Contains("1 bytes past the last parameter"));
  std::string bad = bytes;
  bad[0] = 'X';
  CHECK_THROWS_WITH(nn::deserialize_params(b.params(), bad.data(), bad.size(), "mem"),
                    Catch::Contains("bad magic"));
  bad = bytes;
  bad[8] = 2;
  CHECK_THROWS_WITH(nn::deserialize_params(b.params(), bad.data(), bad.size(), "mem"),
                    Catch::Contains("version 2"));
  CHECK_THROWS_AS(nn::load_weights(b, "no/such/file.weights"), inlay::Error);
  // A failed load leaves the network unchanged.
  CHECK(b.layer<2>().weight == a.layer<2>().weight);
}
