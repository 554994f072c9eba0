// libFuzzer target: any bytes, read as a model and as a tensor (and every tensor found converted),
// must end in success or inlay::Error; anything else (a crash, a sanitizer report, another
// exception) is a bug. Built by tools/fuzz.
#include <inlay/inlay.hpp>

#include <cstddef>
#include <cstdint>

namespace {

void convert(const inlay::onnx::TensorProto& t) {
  try {
    inlay::onnx::to_tensor(t);  // no folder: external data is refused, never read
  } catch (const inlay::Error&) {}
}

void convert_graph(const inlay::onnx::GraphProto& g) {
  for (const auto& t : g.initializer) convert(t);
  for (const auto& n : g.node) {
    for (const auto& a : n.attribute) {
      if (a.has_t) convert(a.t);
      for (const auto& t : a.tensors) convert(t);
      if (a.g) convert_graph(*a.g);
      for (const auto& sub : a.graphs) convert_graph(sub);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const inlay::onnx::ModelProto m = inlay::onnx::parse_model(data, size);
    convert_graph(m.graph);
  } catch (const inlay::Error&) {}
  try {
    convert(inlay::onnx::parse_tensor(data, size));
  } catch (const inlay::Error&) {}
  return 0;
}
