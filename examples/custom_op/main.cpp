// A host's own operator: com.example:Swish(x; beta) = x * sigmoid(beta * x), registered in an
// inlay::OpSet and passed to Model::load. The model (swish_model.onnx, written by make_model.py)
// uses it next to a standard Add.
//   inlay_custom_op [MODEL]      (default: swish_model.onnx next to the source)
#include <inlay/inlay.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

class SwishKernel final : public inlay::OpKernel {
 public:
  // Attributes are read once, when the model is loaded.
  explicit SwishKernel(const inlay::OpInfo& info) : beta_(info.get_float("beta", 1.0f)) {}

  void run(inlay::OpContext& ctx) const override {
    const inlay::Tensor& x = ctx.input(0);
    if (x.dtype() != inlay::DType::f32) {
      ctx.fail(inlay::ErrorKind::unsupported_op, "Swish takes f32 only");
    }
    // The shape rule: the output has the input's shape.
    inlay::Tensor& y = ctx.output(0, inlay::DType::f32, x.shape());
    const float* in = x.data<float>();
    float* out = y.data<float>();
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      out[i] = in[i] / (1.0f + std::exp(-beta_ * in[i]));
    }
  }

 private:
  float beta_;
};

// Loads `path` with the custom op table and checks the Swish model's outputs; 0 when right.
int run(const std::string& path) {
  inlay::OpSet custom;
  custom.add("com.example", "Swish", 1, [](const inlay::OpInfo& info) {
    return std::unique_ptr<inlay::OpKernel>(new SwishKernel(info));
  });
  inlay::ModelOptions options;
  options.custom_ops = &custom;
  inlay::Model model = inlay::Model::load(path, options);
  inlay::Session session(model);

  std::vector<float> x = {-2.0f, -0.5f, 0.5f, 2.0f, 1.0f, 0.0f, -1.0f, 3.0f};
  const std::vector<inlay::Tensor> out = session.run({inlay::Tensor::view(x.data(), {2, 4})});
  if (out.size() != 1 || out[0].dtype() != inlay::DType::f32 ||
      out[0].numel() != static_cast<std::int64_t>(x.size())) {
    std::printf("%s: not the Swish model (its output is not one f32 [2, 4] tensor)\n",
                path.c_str());
    return 1;
  }
  const float bias[4] = {0.5f, -0.5f, 1.0f, 0.0f};
  int wrong = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float expected = x[i] / (1.0f + std::exp(-1.5f * x[i])) + bias[i % 4];
    const float got = out[0].data<float>()[i];
    std::printf("x=%5.2f  y=%8.5f  expected %8.5f\n", x[i], got, expected);
    wrong += std::fabs(got - expected) > 1e-5f;
  }
  std::printf("%s\n", wrong == 0 ? "custom op OK" : "custom op gave wrong results");

  // Without the custom op table, the same model is refused with a message naming the op.
  try {
    inlay::Model::load(path);
  } catch (const inlay::Error& e) { std::printf("without the OpSet: %s\n", e.what()); }
  return wrong == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : INLAY_EXAMPLE_DIR "/swish_model.onnx";
  try {
    return run(path);
  } catch (const inlay::Error& e) {
    // A model this program cannot serve (another file, other inputs): say so, do not abort.
    std::fprintf(stderr, "inlay_custom_op: cannot serve %s: %s\n", path.c_str(), e.what());
    return 1;
  }
}
