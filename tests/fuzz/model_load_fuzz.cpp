// libFuzzer target for the whole loader: any bytes go through inlay::Model::from_bytes (reader,
// import, validation, constant folding, compilation) and, when they load, one Session::run with
// zero inputs of the declared shapes (symbolic dimensions = 1). Success or inlay::Error are the
// only acceptable ends; a crash, a sanitizer report, another exception or a hang is a bug.
// Built and run by tools/fuzz (seed corpus: tests/graph/malformed, the bench models).
#include <inlay/inlay.hpp>
// Private: the runner's allocation limit (the implementation is in another unit).
#include <inlay/graph/impl/limits.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

// Legal shapes can be huge: these caps keep one run within the fuzzer's memory and time limits.
constexpr std::int64_t max_input_elements = std::int64_t(1) << 20;
constexpr std::size_t max_tensor_bytes = std::size_t(64) << 20;
// A few hundred bytes of functions calling each other can expand to the default limit (65,536
// nodes), which loads in about a second here but far slower under the sanitizers.
constexpr std::size_t max_function_nodes = 4096;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  inlay::graph::detail::max_tensor_bytes() = max_tensor_bytes;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    inlay::ModelOptions options;
    options.max_function_nodes = max_function_nodes;
    const inlay::Model model = inlay::Model::from_bytes(data, size, options);
    std::vector<inlay::Tensor> inputs;
    std::int64_t total = 0;
    for (const inlay::ValueDesc& d : model.inputs()) {
      std::vector<std::int64_t> dims;
      if (d.has_shape) {
        for (std::int64_t x : d.dims) dims.push_back(x < 0 ? 1 : x);
      }
      const inlay::Shape shape(dims.data(), dims.size());
      total += shape.numel();
      if (shape.numel() > max_input_elements || total > max_input_elements) return 0;
      inputs.emplace_back(d.dtype, shape);
    }
    inlay::Session session(model);
    session.run(inputs);
  } catch (const inlay::Error&) {}
  return 0;
}
