// The consumer every packaging test builds (and Conan's test_package): the README's minimal
// program. It loads model.onnx (a small MLP, path in argv[1]), runs it on the fixed input of
// model_reference.hpp and compares the output with the reference that test_package/make_model.py
// computed with numpy. A wrong output makes it exit 1. The implementation unit comes from the
// build (inlay_add_implementation, or tests/packaging/consumer/implementation.cpp).
#include <inlay/inlay.hpp>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <vector>

#include "model_reference.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s path/to/test_package/model.onnx\n", argv[0]);
    return 2;
  }
  namespace ref = model_reference;
  try {
    inlay::Model model = inlay::Model::load(argv[1]);
    inlay::Session session(model);
    std::vector<float> x(std::begin(ref::input), std::end(ref::input));
    std::vector<inlay::Tensor> out =
        session.run({inlay::Tensor::view(x.data(), {ref::batch, ref::features})});
    const inlay::Tensor& y = out.at(0);
    if (y.dtype() != inlay::DType::f32 || y.shape() != inlay::Shape{ref::batch, ref::classes}) {
      std::printf("inlay %s consumer: output %s has the wrong shape\n", INLAY_VERSION_STRING,
                  y.shape().to_string().c_str());
      return 1;
    }
    float max_error = 0;
    for (std::size_t i = 0; i < std::size(ref::output); ++i)
      max_error = std::fmax(max_error, std::fabs(y.data<float>()[i] - ref::output[i]));
    const bool ok = max_error <= 1e-5f;
    std::printf("inlay %s consumer: %s y[0] = %.4f %.4f %.4f, max error %.2g: %s (CPU target %s)\n",
                INLAY_VERSION_STRING, model.output_names()[0].c_str(), y.data<float>()[0],
                y.data<float>()[1], y.data<float>()[2], max_error, ok ? "ok" : "WRONG",
                inlay::cpu_target());
    return ok ? 0 : 1;
  } catch (const inlay::Error& e) {
    std::printf("inlay consumer: %s\n", e.what());
    return 1;
  }
}
