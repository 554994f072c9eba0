// Helpers shared by the graph-door operator tests (tests/graph/ops/*_test.cpp): run a model held
// in bytes, view a vector as a tensor, compare a tensor with expected floats, look for a phrase in
// an error message.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

#include "test_util.hpp"

namespace inlay_test {

// Loads the model from `bytes` and runs it once on `inputs`.
inline std::vector<inlay::Tensor> run_model(const std::string& bytes,
                                            const std::vector<inlay::Tensor>& inputs) {
  inlay::Model model = inlay::Model::from_bytes(bytes.data(), bytes.size());
  inlay::Session session(model);
  return session.run(inputs);
}

// A non-owning f32 tensor over v with the given dimensions.
inline inlay::Tensor f32_view(std::vector<float>& v, const std::vector<std::int64_t>& dims) {
  return inlay::Tensor::view(v.data(), inlay::Shape(dims.data(), dims.size()));
}

// Every element of the f32 tensor `got` within tol * (1 + |want|) of `want`.
inline void check_close(const inlay::Tensor& got, const std::vector<float>& want,
                        float tol = 1e-4f) {
  REQUIRE(got.numel() == static_cast<std::int64_t>(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(std::fabs(got.data<float>()[i] - want[i]) <= tol * (1.0f + std::fabs(want[i])));
  }
}

// Whether `message` contains `what` (the message is shown when a check on it fails).
inline bool mentions(const std::string& message, const char* what) {
  INFO(message);
  return message.find(what) != std::string::npos;
}

}  // namespace inlay_test
