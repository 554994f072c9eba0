// 3-D convolution and pooling models against ONNX Runtime: tests/graph/conv3d_models/ holds small
// models with random shapes, attributes and weights (tools/make-conv3d-models.py: grouped and
// dilated Conv, SAME_LOWER Conv + Relu, ConvTranspose with output_padding and with output_shape, a
// network of Conv, MaxPool with indices, ConvTranspose, AveragePool, LpPool and a global pool)
// with the outputs of ONNX Runtime (../shared/tools/ort_ref.js). inlay runs each on every CPU
// target and must agree in every output (indices exactly).
#include <string>
#include <vector>

#include "graph/op_tester.hpp"
#include "test_util.hpp"

using namespace inlay_test;

TEST_CASE("3-D convolution and pooling models agree with ONNX Runtime", "[graph/conv3d_models]") {
  for (const char* name : {"conv3d_grouped", "conv3d_same_lower_relu", "conv_transpose3d_grouped",
                           "conv_transpose3d_output_shape", "net3d"}) {
    SECTION(name) {
      const fs::path dir = fs::path(INLAY_SOURCE_DIR) / "tests/graph/conv3d_models" / name;
      const std::vector<inlay::Tensor> inputs = read_set(dir / "test_data_set_0", "input");
      const std::vector<inlay::Tensor> want = read_set(dir / "test_data_set_0", "output");
      REQUIRE(inputs.size() == 1);
      REQUIRE(!want.empty());
      for_each_cpu_target([&] {
        const inlay::Model model = inlay::Model::load((dir / "model.onnx").string());
        inlay::Session session(model);
        const std::vector<inlay::Tensor> got = session.run(inputs);
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
          outputs_match(got[i], want[i], 1e-4, 1e-5,
                        std::string(name) + " output " + std::to_string(i));
        }
      });
    }
  }
}
