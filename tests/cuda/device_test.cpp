// Device queries and the errors of a session on a device, with or without a GPU.
#include <string>

#include "catch.hpp"
#include "graph/op_tester.hpp"

#include <inlay/cuda/device.hpp>

namespace {

inlay::Model relu_model() {
  return inlay_test::OpTester("Relu").in(inlay_test::f32s({-1.0f, 2.0f})).load();
}

std::string session_error(const std::string& device) {
  inlay::SessionOptions options;
  options.device = device;
  try {
    inlay::Session session(relu_model(), options);
  } catch (const inlay::Error& e) {
    CHECK(e.kind() == inlay::ErrorKind::invalid_argument);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("cuda device_count never throws and agrees with no_device_reason", "[cuda/device]") {
  const int count = inlay::cuda::device_count();
  CHECK(count >= 0);
  CHECK(inlay::cuda::no_device_reason().empty() == (count > 0));
  for (int i = 0; i < count; ++i) CHECK_FALSE(inlay::cuda::device_description(i).empty());
  CHECK_THROWS_AS(inlay::cuda::device_description(count), inlay::Error);
}

TEST_CASE("a session refuses device names that are not cpu, cuda or cuda:N", "[cuda/device]") {
  for (const std::string name : {"gpu", "cuda:", "cuda:x", "cuda0", "CUDA:0", "cuda:-1"}) {
    INFO(name);
    CHECK(session_error(name).find("is not \"cpu\", \"cuda\" or \"cuda:N\"") != std::string::npos);
  }
}

TEST_CASE("a session on a GPU that is not there is an Error naming why", "[cuda/device]") {
  const int count = inlay::cuda::device_count();
  if (count == 0) {
    const std::string error = session_error("cuda:0");
    INFO(error);
    CHECK(error.find("no CUDA GPU") != std::string::npos);
  } else {
    const std::string error = session_error("cuda:" + std::to_string(count));
    INFO(error);
    CHECK(error.find("there are " + std::to_string(count) + " CUDA GPUs") != std::string::npos);
  }
}

TEST_CASE("device cpu is the CPU session", "[cuda/device]") {
  inlay::SessionOptions options;
  options.device = "cpu";
  inlay::Session session(relu_model(), options);
  const std::vector<inlay::Tensor> out = session.run({inlay_test::f32s({-1.0f, 2.0f})});
  inlay_test::check_close(out[0], {0.0f, 2.0f});
  CHECK(session.placement() == "cpu Relu 'n'\n");
}
