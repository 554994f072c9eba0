// The graph door against the typed door: an exported network run by inlay::Session.
#pragma once

#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "test_util.hpp"

namespace nn_test {

// The exported model (`bytes`) run by the graph door on random inputs of x_shape ([batch, in
// dims...]) against net's typed forward.
template <class Net>
void check_export_runs(Net& net, const std::string& bytes, const inlay::Shape& x_shape,
                       std::uint32_t seed) {
  std::size_t n = 1;
  for (std::int64_t d : x_shape) n *= static_cast<std::size_t>(d);
  const std::size_t batch = static_cast<std::size_t>(x_shape[0]);
  const std::vector<float> x = inlay_test::random_floats(n, seed);
  std::vector<float> want(batch * Net::out_size);
  net.forward(x.data(), batch, want.data());
  inlay::Session session(inlay::Model::from_bytes(bytes.data(), bytes.size()));
  const inlay::Tensor got = session.run({inlay::Tensor::view(x.data(), x_shape)})[0];
  REQUIRE(static_cast<std::size_t>(got.numel()) == want.size());
  inlay_test::check_close(got.data<float>(), want.data(), want.size(), 1e-4f, 1e-5f);
}

}  // namespace nn_test
