// Preprocessing that travels with a model: imputers, one-hot encoders and scalers applied in
// order, fitted once on the training rows, saved with the weights (nn::save_weights) or a file of
// its own, and written as ONNX nodes in front of an exported network (nn::OnnxOptions::
// preprocessing), so that the exported model takes raw rows.
//
//   data::Pipeline prep;
//   prep.add(data::Imputer(data::ImputeStrategy::median))
//       .add(data::OneHotEncoder({2}))
//       .add(data::Standardizer());
//   const Tensor x_train = prep.fit_transform(raw_train);
#ifndef INLAY_DATA_PIPELINE_HPP
#define INLAY_DATA_PIPELINE_HPP

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "inlay/core/tensor.hpp"
#include "inlay/data/encode.hpp"
#include "inlay/data/impute.hpp"
#include "inlay/data/scalers.hpp"
#include "inlay/onnx/writer.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

class Pipeline {
 public:
  using Step = std::variant<Imputer, OneHotEncoder, Standardizer, MinMaxScaler>;

  Pipeline& add(Step step);
  // Fits each step on the output of the steps before it (x: f32 [n >= 1, features]).
  void fit(const Tensor& x);
  Tensor transform(const Tensor& x) const;
  Tensor fit_transform(const Tensor& x);
  bool fitted() const noexcept;
  const std::vector<Step>& steps() const noexcept { return steps_; }
  // Features of the raw rows and of the transformed rows (after fit).
  std::size_t input_width() const;
  std::size_t output_width() const;
  // One line, e.g. "Imputer(median) -> OneHotEncoder(columns 2) -> Standardizer: 5 -> 7".
  std::string describe() const;

  // Adds the nodes computing transform() (IsNaN/Where, Gather/Equal/Cast/Concat, Sub/Div) from
  // the f32 [batch, input_width()] tensor `input`; returns the name of the result. Names of new
  // tensors start with `prefix`.
  std::string to_onnx(onnx::GraphWriter& graph, const std::string& input,
                      const std::string& prefix = "preprocess") const;

  // "INLAYPP\0", u32 version 1, u32 step count, then per step a u8 kind and its numbers
  // (little-endian). Loading checks everything and fails with invalid_model naming the source.
  std::string serialize() const;
  // Reads a pipeline from the front of `data`; returns the bytes used.
  static std::size_t deserialize(const void* data, std::size_t size, const std::string& source,
                                 Pipeline& out);
  void save(const std::string& path) const;
  static Pipeline load(const std::string& path);

 private:
  std::vector<Step> steps_;
};

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_PIPELINE_HPP
