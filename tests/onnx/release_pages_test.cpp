// onnx::release_file_pages: the pages of a memory-mapped file leave resident memory and read back
// the same bytes; memory that is not such a mapping is never touched.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "test_util.hpp"

TEST_CASE("Released file pages read back the same bytes", "[onnx/file]") {
  const std::string path = "release_pages_test.bin";
  std::vector<std::uint8_t> content(5 * 4096 + 123);
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 7);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(content.data()),
              static_cast<std::streamsize>(content.size()));
  }
  const auto bytes = inlay::onnx::FileBytes::open(path);
  REQUIRE(bytes->size() == content.size());
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < bytes->size(); ++i) sum += bytes->data()[i];  // all resident now
  CHECK(sum > 0);
  // A range with partial pages at both ends, then the whole file, then past its end (ignored).
  inlay::onnx::release_file_pages(bytes->data() + 100, 3 * 4096);
  inlay::onnx::release_file_pages(bytes->data(), bytes->size());
  inlay::onnx::release_file_pages(bytes->data() + 4096, bytes->size());
  CHECK(std::vector<std::uint8_t>(bytes->data(), bytes->data() + bytes->size()) == content);

  // Heap memory (a model given as bytes, a copied constant) is left as it is.
  std::vector<float> heap(64 * 1024, 1.5f);
  inlay::onnx::release_file_pages(heap.data(), heap.size() * sizeof(float));
  CHECK(heap == std::vector<float>(64 * 1024, 1.5f));
  inlay::onnx::release_file_pages(nullptr, 10);
  std::remove(path.c_str());
}

TEST_CASE("A memory-mapped model runs as the same model given as bytes", "[onnx/file]") {
  // Conv + BatchNormalization: the fold at load releases the original weights' pages and
  // compact() drops the unread constants; the mapped model must still compute what the bytes do.
  namespace nn = inlay::nn;
  nn::Sequential<nn::Input<2, 8, 8>, nn::Conv2D<2, 4, 3, 1, 1>, nn::BatchNorm, nn::ReLU,
                 nn::Conv2D<4, 4, 3, 1, 1>, nn::BatchNorm, nn::Flatten, nn::Dense<256, 3>>
      net(2);
  inlay::data::Rng rng(71);
  net.init(rng);
  for (std::size_t c = 0; c < 4; ++c) {
    net.layer<1>().running_mean[c] = 0.1f * static_cast<float>(c);
    net.layer<1>().running_var[c] = 1.0f + 0.5f * static_cast<float>(c);
  }
  const std::string path = "release_pages_model.onnx";
  nn::save_onnx(net, path);
  const std::string bytes = net.to_onnx();
  const std::vector<float> xs = inlay_test::random_floats(2 * 128, 72);
  const inlay::Tensor x = inlay::Tensor::view(xs.data(), inlay::Shape{2, 2, 8, 8});
  inlay::Model mapped = inlay::Model::load(path);
  inlay::Session first(mapped), second(mapped);
  inlay::Session reference(inlay::Model::from_bytes(bytes.data(), bytes.size()));
  const inlay::Tensor want = reference.run({x})[0];
  for (inlay::Session* s : {&first, &second, &first}) {
    const inlay::Tensor got = s->run({x})[0];
    REQUIRE(got.numel() == want.numel());
    inlay_test::check_close(got.data<float>(), want.data<float>(),
                            static_cast<std::size_t>(want.numel()), 0.0f, 0.0f);
  }
  std::remove(path.c_str());
}
