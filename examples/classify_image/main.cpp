// Image classification with an ONNX model: read a PNG/JPEG/BMP (inlay::load_image, stb_image
// underneath), resize it bilinearly to the model's input size, normalize with the ImageNet mean and
// deviation (inlay::to_nchw_normalized), run, and print the five best classes with their softmax
// scores.
//   inlay_classify_image [--model MODEL.onnx] [--labels FILE] [IMAGE]
// Defaults: ../shared/models/mobilenetv2/model.onnx (random weights: a benchmark model; any NCHW
// float image classifier works, export_classifier.py writes a trained one) and test_image.png next
// to the source. FILE has one class name per line (line i = class i).
#include <inlay/inlay.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

namespace {

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

    // u8 [h, w, 3], then the statistics torchvision's models were trained with.
    const inlay::Tensor image = inlay::load_image(image_path);
    const inlay::Tensor x =
        inlay::to_nchw_normalized(inlay::resize_bilinear(image, height, width),
                                  {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
    inlay::Session session(model);
    const std::vector<inlay::Tensor> out = session.run({x});

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
    std::printf("%s (%lldx%lld) -> %s input %dx%d\n", image_path.c_str(),
                static_cast<long long>(image.shape()[1]), static_cast<long long>(image.shape()[0]),
                model_path.c_str(), width, height);
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t c = order[i];
      std::printf("top-%zu: class %4zu  score %.4f  %s\n", i + 1, c, p[c] / sum,
                  c < labels.size() ? labels[c].c_str() : "");
    }
    // A trained classifier is sure of something; scores within 10x of uniform over many classes
    // mean random weights (the bench models of ../shared/models are untrained).
    if (classes >= 100 && p[order[0]] / sum < 10.0 / static_cast<double>(classes)) {
      std::printf(
          "note: the scores are nearly uniform (top-1 %.4f, uniform %.4f): this model's weights "
          "look random, so its classes mean nothing. Export a trained classifier with "
          "examples/classify_image/export_classifier.py and pass it with --model.\n",
          p[order[0]] / sum, 1.0 / static_cast<double>(classes));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
