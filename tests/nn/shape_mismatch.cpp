// Must not compile: Dense<64, 10> after a layer that gives 128 values (CTest nn.shape_mismatch
// checks the compiler's message).
#include <inlay/inlay.hpp>

using Bad =
    inlay::nn::Sequential<inlay::nn::Dense<64, 128>, inlay::nn::ReLU, inlay::nn::Dense<64, 10>>;
Bad* bad = new Bad();
