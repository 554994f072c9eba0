// Weight sharing (Han, Mao & Dally, "Deep Compression", ICLR 2016): the weights of each weight
// matrix (nn::weight_matrices: Dense, convolutions, LSTM/GRU W and R, attention projections,
// Embedding and LearnedPositions tables, nested ones too) take one of k shared values, found by
// k-means with linear initialization; training then moves the shared values (the centroids) with
// the assignments fixed, a centroid's gradient being the sum of its weights' gradients.
//
//   nn::WeightSharing sharing(nn::weight_matrices(net), 16);   // cluster, weights := centroids
//   sharing.attach(options, 1e-4f);                             // fine-tune the centroids in fit
//   nn::fit(net, x, y, loss, adam, options);                    // (biases train as usual)
//   nn::save_onnx_shared(net, sharing, "shared.onnx");          // uint8 indices + codebook
//
// The export stores each shared top-level Dense weight as uint8 indices [in, out] and a f32
// codebook [k] (ONNX Cast to int32, Gather, Gemm): about a quarter of the float file. Every other
// matrix (convolutions, recurrent, attention, tables, nested layers) is exported with its
// (shared) float weights.
#ifndef INLAY_NN_WEIGHT_SHARING_HPP
#define INLAY_NN_WEIGHT_SHARING_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "inlay/nn/fit.hpp"
#include "inlay/nn/weight_matrices.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

// k shared values and the value each weight takes.
struct Codebook {
  std::vector<float> centroids;           // ascending after clustering
  std::vector<std::uint8_t> assignments;  // per weight, an index into centroids
  std::size_t iterations = 0;             // Lloyd iterations run
};

// One-dimensional k-means: k (1..256) centroids spaced evenly over [min, max] of the values (the
// linear initialization Han et al. found best), then Lloyd iterations (assign each value to its
// nearest centroid, ties to the lower one; move each centroid to the mean of its values; an
// empty cluster keeps its centroid) until no assignment changes or max_iterations.
Codebook kmeans_linear(const float* values, std::size_t n, std::size_t k,
                       std::size_t max_iterations = 100);

class WeightSharing {
 public:
  // Clusters every matrix into `clusters` values and writes the shared weights.
  WeightSharing(std::vector<WeightMatrix> matrices, std::size_t clusters,
                std::size_t max_iterations = 100);
  // Writes every weight as its centroid.
  void apply();
  // centroid -= learning_rate * (sum of the gradients of its weights), then apply().
  void fine_tune_step(float learning_rate);
  // Makes fit() run fine_tune_step(learning_rate) after every optimizer step, which replaces
  // the optimizer's own update of these weights. The object must outlive the fit() call.
  void attach(FitOptions& options, float learning_rate);

  const std::vector<WeightMatrix>& matrices() const { return matrices_; }
  const std::vector<Codebook>& codebooks() const { return codebooks_; }
  // The codebook of the Sequential's top-level Dense or convolution layer `layer`, or null when
  // it is not shared (or not such a layer).
  const Codebook* codebook_of_layer(std::size_t layer) const;

 private:
  static void on_step(void* self, std::size_t step);
  std::vector<WeightMatrix> matrices_;
  std::vector<Codebook> codebooks_;
  float learning_rate_ = 0.0f;
};

namespace detail {
// Gemm(input, Gather(codebook, Cast(indices)), bias), the indices an uint8 initializer.
std::string export_dense_shared(ExportContext& ctx, const Codebook& codebook, const float* bias,
                                std::size_t in, std::size_t out, const std::string& input);

template <class L>
std::string export_shared_layer(const L& layer, std::size_t index, const WeightSharing& sharing,
                                ExportContext& ctx, const std::string& input) {
  if constexpr (is_dense<L>::value) {
    if (const Codebook* c = sharing.codebook_of_layer(index)) {
      return export_dense_shared(ctx, *c, layer.bias.data(),
                                 layer.weight.size() / layer.bias.size(), layer.bias.size(), input);
    }
  }
  return layer.export_onnx(ctx, input);
}
template <class Net, std::size_t... I>
std::string export_shared_body(const Net& net, const WeightSharing& sharing, ExportContext& ctx,
                               const std::string& input, std::index_sequence<I...>) {
  std::string name = input;
  ((name = export_shared_layer(net.template layer<I>(), I, sharing, ctx, name)), ...);
  return name;
}
}  // namespace detail

// An ONNX model like net.to_onnx(opset) with the shared Dense layers stored compactly.
template <class Net>
std::string to_onnx_shared(const Net& net, const WeightSharing& sharing, std::int64_t opset = 17) {
  const std::pair<const Net*, const WeightSharing*> both(&net, &sharing);
  return export_model_bytes(
      &both,
      [](const void* p, ExportContext& ctx, const std::string& input) {
        const auto& b = *static_cast<const std::pair<const Net*, const WeightSharing*>*>(p);
        return detail::export_shared_body(*b.first, *b.second, ctx, input,
                                          std::make_index_sequence<Net::num_layers>());
      },
      Net::in_shape::to_vector(), Net::out_shape::to_vector(), opset);
}
template <class Net>
void save_onnx_shared(const Net& net, const WeightSharing& sharing, const std::string& path,
                      std::int64_t opset = 17) {
  save_bytes(to_onnx_shared(net, sharing, opset), path);
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_WEIGHT_SHARING_HPP
