// Dynamic batching's tensor work: whether a model's first dimension is a batch, whether two
// requests can share a batch, and joining their inputs along dimension 0 / splitting the outputs
// again. Requests run alone or together give the same rows, since every row of a batch model is
// computed independently of the others.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>

namespace inlay_serve {

// True when every input and output declares a symbolic first dimension: the model takes any
// number of rows and gives one output row per input row.
inline bool has_batch_dimension(const inlay::Model& model) {
  if (model.inputs().empty() || model.outputs().empty()) return false;
  for (const auto* list : {&model.inputs(), &model.outputs()}) {
    for (const inlay::ValueDesc& v : *list) {
      if (!v.has_shape || v.dims.empty() || v.dims[0] >= 0) return false;
    }
  }
  return true;
}

// Rows of a request: the first dimension of its first input.
inline std::int64_t batch_rows(const std::vector<inlay::Tensor>& inputs) {
  return inputs.empty() || inputs[0].rank() == 0 ? 1 : inputs[0].shape()[0];
}

// Same dtypes and shapes apart from the first dimension, and the same rows in every input.
inline bool can_share_batch(const std::vector<inlay::Tensor>& a,
                            const std::vector<inlay::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const inlay::Shape &sa = a[i].shape(), &sb = b[i].shape();
    if (a[i].dtype() != b[i].dtype() || sa.rank() != sb.rank() || sa.rank() == 0) return false;
    for (std::size_t d = 1; d < sa.rank(); ++d) {
      if (sa[d] != sb[d]) return false;
    }
    if (sa[0] != batch_rows(a) || sb[0] != batch_rows(b)) return false;
  }
  return true;
}

// Input i of every request, one after the other along dimension 0.
inline std::vector<inlay::Tensor> join_batch(
    const std::vector<const std::vector<inlay::Tensor>*>& requests) {
  std::vector<inlay::Tensor> joined;
  const std::size_t inputs = requests[0]->size();
  for (std::size_t i = 0; i < inputs; ++i) {
    const inlay::Tensor& first = (*requests[0])[i];
    std::int64_t rows = 0;
    for (const auto* r : requests) rows += (*r)[i].shape()[0];
    inlay::Shape shape = first.shape();
    std::vector<std::int64_t> dims(shape.begin(), shape.end());
    dims[0] = rows;
    inlay::Tensor t(first.dtype(), inlay::Shape(dims.data(), dims.size()));
    auto* dst = static_cast<unsigned char*>(const_cast<void*>(t.raw_data()));
    for (const auto* r : requests) {
      const inlay::Tensor& part = (*r)[i];
      if (part.nbytes()) std::memcpy(dst, part.raw_data(), part.nbytes());
      dst += part.nbytes();
    }
    joined.push_back(std::move(t));
  }
  return joined;
}

// The rows [begin, begin + rows) of a batch output as a tensor of its own.
inline inlay::Tensor batch_slice(const inlay::Tensor& t, std::int64_t begin, std::int64_t rows) {
  std::vector<std::int64_t> dims(t.shape().begin(), t.shape().end());
  const std::size_t row_bytes = dims[0] ? t.nbytes() / static_cast<std::size_t>(dims[0]) : 0;
  dims[0] = rows;
  inlay::Tensor out(t.dtype(), inlay::Shape(dims.data(), dims.size()));
  if (out.nbytes()) {
    std::memcpy(const_cast<void*>(out.raw_data()),
                static_cast<const unsigned char*>(t.raw_data()) +
                    static_cast<std::size_t>(begin) * row_bytes,
                out.nbytes());
  }
  return out;
}

}  // namespace inlay_serve
