// A model compiled into the executable: CMake's inlay_embed_file turns digits_mlp.onnx into the
// byte array below, and inlay::Model::from_bytes runs it in place, with no file I/O at all.
// The implementation (INLAY_IMPLEMENTATION) is linked in from another translation unit.
#include <inlay/inlay.hpp>

#include <cstddef>
#include <cstdio>
#include <vector>

// Defined in the source that inlay_embed_file(inlay_embed_model digits_mlp.onnx
// digits_mlp_onnx) generates.
extern const unsigned char digits_mlp_onnx[];
extern const std::size_t digits_mlp_onnx_size;

int main() {
  // Three 8x8 hand-written digits (pixel counts 0..16) from the UCI digits data, with their labels.
  const int pixels[3][64] = {
      {0, 0,  5, 13, 9,  1, 0,  0, 0,  0,  13, 15, 10, 15, 5, 0,  0,  3, 15, 2, 0,  11,
       8, 0,  0, 4,  12, 0, 0,  8, 8,  0,  0,  5,  8,  0,  0, 9,  8,  0, 0,  4, 11, 0,
       1, 12, 7, 0,  0,  2, 14, 5, 10, 12, 0,  0,  0,  0,  6, 13, 10, 0, 0,  0},
      {0,  0, 0, 12, 13, 5,  0,  0,  0,  0, 0, 11, 16, 9,  0,  0,  0,  0,  3, 15, 16, 6,
       0,  0, 0, 7,  15, 16, 16, 2,  0,  0, 0, 0,  1,  16, 16, 3,  0,  0,  0, 0,  1,  16,
       16, 6, 0, 0,  0,  0,  1,  16, 16, 6, 0, 0,  0,  0,  0,  11, 16, 10, 0, 0},
      {0, 0,  7, 15, 13, 1,  0,  0, 0, 8,  13, 6, 15, 4, 0,  0,  0,  2, 1, 13, 13, 0,
       0, 0,  0, 0,  2,  15, 11, 1, 0, 0,  0,  0, 0,  1, 12, 12, 1,  0, 0, 0,  0,  0,
       1, 10, 8, 0,  0,  0,  8,  4, 5, 14, 9,  0, 0,  0, 7,  13, 13, 9, 0, 0}};
  const int labels[3] = {0, 1, 3};

  // Weights stay inside digits_mlp_onnx: the array lives as long as the program.
  inlay::Model model = inlay::Model::from_bytes(digits_mlp_onnx, digits_mlp_onnx_size);
  inlay::Session session(model);
  std::printf("model: %zu bytes compiled in, input '%s', output '%s'\n", digits_mlp_onnx_size,
              model.input_names()[0].c_str(), model.output_names()[0].c_str());

  // One batch of three rows, scaled to [0, 1] as in training.
  std::vector<float> x(3 * 64);
  for (int r = 0; r < 3; ++r) {
    for (int i = 0; i < 64; ++i) x[r * 64 + i] = static_cast<float>(pixels[r][i]) / 16.0f;
  }
  const std::vector<inlay::Tensor> out = session.run({inlay::Tensor::view(x.data(), {3, 64})});
  const float* logits = out[0].data<float>();
  int correct = 0;
  for (int r = 0; r < 3; ++r) {
    int best = 0;
    for (int c = 1; c < 10; ++c) {
      if (logits[r * 10 + c] > logits[r * 10 + best]) best = c;
    }
    std::printf("digit %d: predicted %d\n", labels[r], best);
    correct += best == labels[r];
  }
  std::printf("%d of 3 correct\n", correct);
  return correct == 3 ? 0 : 1;
}
