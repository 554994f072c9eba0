// Image classification with an ONNX model: read a PNG/JPEG/BMP with stb_image, resize to the
// model's input size with stb_image_resize, normalize with the ImageNet mean and deviation, run,
// and print the five best classes with their softmax scores.
//   inlay_classify_image [--model MODEL.onnx] [--labels FILE] [IMAGE]
// Defaults: ../shared/models/mobilenetv2/model.onnx (any NCHW float image classifier works) and
// test_image.png next to the source. FILE has one class name per line (line i = class i).
#include <inlay/inlay.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_resize.h>

namespace {

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;  // interleaved, 3 bytes per pixel
};

Image read_image(const std::string& path) {
  Image image;
  int channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &image.width, &image.height, &channels, 3);
  if (pixels == nullptr) {
    throw std::runtime_error("cannot read image " + path + ": " + stbi_failure_reason());
  }
  image.rgb.assign(pixels, pixels + static_cast<std::size_t>(image.width) * image.height * 3);
  stbi_image_free(pixels);
  return image;
}

// NCHW floats of size [1, 3, height, width]: resized, scaled to [0, 1], then normalized per
// channel with the ImageNet statistics torchvision's models were trained with.
std::vector<float> to_input(const Image& image, int width, int height) {
  std::vector<unsigned char> resized(static_cast<std::size_t>(width) * height * 3);
  if (!stbir_resize_uint8(image.rgb.data(), image.width, image.height, 0, resized.data(), width,
                          height, 0, 3)) {
    throw std::runtime_error("resizing the image failed");
  }
  const float mean[3] = {0.485f, 0.456f, 0.406f};
  const float stddev[3] = {0.229f, 0.224f, 0.225f};
  std::vector<float> x(resized.size());
  const std::size_t plane = static_cast<std::size_t>(width) * height;
  for (std::size_t p = 0; p < plane; ++p) {
    for (int c = 0; c < 3; ++c) {
      x[c * plane + p] = (resized[p * 3 + c] / 255.0f - mean[c]) / stddev[c];
    }
  }
  return x;
}

std::vector<std::string> read_labels(const std::string& path) {
  std::vector<std::string> labels;
  if (path.empty()) return labels;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read labels " + path);
  for (std::string line; std::getline(in, line);) labels.push_back(line);
  return labels;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path = INLAY_SHARED_DIR "/models/mobilenetv2/model.onnx";
  std::string image_path = INLAY_EXAMPLE_DIR "/test_image.png";
  std::string labels_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--model" || a == "--labels") && i + 1 < argc) {
      (a == "--model" ? model_path : labels_path) = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "usage: %s [--model MODEL.onnx] [--labels FILE] [IMAGE]\n", argv[0]);
      return 2;
    } else {
      image_path = a;
    }
  }
  try {
    inlay::Model model = inlay::Model::load(model_path);
    const inlay::ValueDesc& in = model.inputs().at(0);
    if (in.dtype != inlay::DType::f32 || in.dims.size() != 4 || in.dims[1] != 3) {
      std::fprintf(stderr, "%s: expected one float input [N, 3, H, W]\n", model_path.c_str());
      return 1;
    }
    const int height = in.dims[2] > 0 ? static_cast<int>(in.dims[2]) : 224;
    const int width = in.dims[3] > 0 ? static_cast<int>(in.dims[3]) : 224;

    const Image image = read_image(image_path);
    std::vector<float> x = to_input(image, width, height);
    inlay::Session session(model);
    const std::vector<inlay::Tensor> out =
        session.run({inlay::Tensor::view(x.data(), {1, 3, height, width})});

    // Softmax over the logits, then the five best.
    const float* logits = out[0].data<float>();
    const std::size_t classes = static_cast<std::size_t>(out[0].numel());
    const float top = *std::max_element(logits, logits + classes);
    std::vector<double> p(classes);
    double sum = 0;
    for (std::size_t c = 0; c < classes; ++c) sum += p[c] = std::exp(double(logits[c]) - top);
    std::vector<std::size_t> order(classes);
    std::iota(order.begin(), order.end(), 0);
    const std::size_t k = std::min<std::size_t>(5, classes);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
    const std::vector<std::string> labels = read_labels(labels_path);
    std::printf("%s (%dx%d) -> %s input %dx%d\n", image_path.c_str(), image.width, image.height,
                model_path.c_str(), width, height);
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t c = order[i];
      std::printf("top-%zu: class %4zu  score %.4f  %s\n", i + 1, c, p[c] / sum,
                  c < labels.size() ? labels[c].c_str() : "");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
