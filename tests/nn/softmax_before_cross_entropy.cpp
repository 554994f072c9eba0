// Must not compile: a network ending with Softmax trained with CrossEntropy, which takes logits
// (CTest nn.softmax_before_cross_entropy checks that the compiler's message says what to write).
#include <inlay/inlay.hpp>

namespace nn = inlay::nn;

using Keras = nn::Sequential<nn::Dense<64, 10>, nn::Softmax>;

void train(Keras& net, const inlay::Tensor& x, const inlay::Tensor& y) {
  nn::Adam adam(1e-3f);
  nn::fit(net, x, y, nn::CrossEntropy(), adam);
}
