// Reads examples/classify_image/test_image.png (path in argv[1]) with inlay::load_image and checks
// its size and its first pixel, (90, 140, 235) by the formula of make_test_image.py.
#include <inlay/inlay.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    const inlay::Tensor image = inlay::load_image(argv[1]);
    const std::uint8_t* p = image.data<std::uint8_t>();
    const bool ok =
        image.shape() == inlay::Shape{64, 96, 3} && p[0] == 90 && p[1] == 140 && p[2] == 235;
    std::printf("inlay stb consumer: %s, first pixel %d %d %d: %s\n",
                image.shape().to_string().c_str(), p[0], p[1], p[2], ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
  } catch (const inlay::Error& e) {
    std::printf("inlay stb consumer: %s\n", e.what());
    return 1;
  }
}
