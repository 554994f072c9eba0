// The sequence layers of the typed door: TimeDistributed's export, the positional encodings and
// the pooling over positions (nn/time_distributed.hpp, nn/positions.hpp, nn/sequence_pool.hpp).
#ifndef INLAY_NN_IMPL_SEQUENCE_HPP
#define INLAY_NN_IMPL_SEQUENCE_HPP

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/nn/impl/export.hpp"
#include "inlay/nn/impl/recurrent.hpp"  // int64_constant
#include "inlay/nn/positions.hpp"
#include "inlay/nn/sequence_pool.hpp"
#include "inlay/nn/time_distributed.hpp"

INLAY_NAMESPACE_BEGIN
namespace nn {

std::string export_reshape_rows(ExportContext& ctx, const std::vector<std::int64_t>& dims,
                                const std::string& input) {
  std::vector<std::int64_t> shape = dims;
  shape.insert(shape.begin(), -1);
  return binary(ctx, "Reshape", input, int64_constant(ctx, shape));
}

void sinusoid_table(std::size_t seq, std::size_t embed, float* table) {
  for (std::size_t p = 0; p < seq; ++p) {
    for (std::size_t j = 0; j < embed; ++j) {
      // Columns 2i and 2i + 1 share the frequency 1 / 10000^(2i / embed).
      const double exponent = static_cast<double>(j - j % 2) / static_cast<double>(embed);
      const double angle = static_cast<double>(p) / std::pow(10000.0, exponent);
      table[p * embed + j] = static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  }
}

void add_positions(const float* table, std::size_t n, const float* x, float* y, std::size_t batch) {
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t i = 0; i < n; ++i) y[b * n + i] = x[b * n + i] + table[i];
  }
}

void positions_backward(const float* dy, std::size_t n, std::size_t batch, float* dtable) {
  std::memset(dtable, 0, n * sizeof(float));
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t i = 0; i < n; ++i) dtable[i] += dy[b * n + i];
  }
}

std::string export_positions(ExportContext& ctx, const float* table, std::size_t seq,
                             std::size_t embed, const std::string& input) {
  const std::string t = add_constant(
      ctx, "positions", table, {static_cast<std::int64_t>(seq), static_cast<std::int64_t>(embed)});
  return binary(ctx, "Add", input, t);
}

const std::uint8_t* checked_padding(const RunContext& ctx, std::size_t seq) {
  if (ctx.padding == nullptr) return nullptr;
  if (ctx.padding_length != seq) {
    fail(ErrorKind::invalid_argument,
         "inlay::nn: a layer over " + std::to_string(seq) +
             " positions follows an Embedding whose padding mask covers " +
             std::to_string(ctx.padding_length) +
             " positions (a layer between them changed the sequence length)");
  }
  return ctx.padding;
}

void sequence_pool_forward(bool mean, const float* x, float* y, std::size_t batch, std::size_t seq,
                           std::size_t f, const std::uint8_t* padding) {
  for (std::size_t b = 0; b < batch; ++b) {
    const float* xb = x + b * seq * f;
    float* yb = y + b * f;
    if (!mean) {
      std::memcpy(yb, xb, f * sizeof(float));
      continue;
    }
    const std::uint8_t* pad = padding != nullptr ? padding + b * seq : nullptr;
    std::size_t count = seq;
    if (pad != nullptr) {
      for (std::size_t s = 0; s < seq; ++s) count -= pad[s];
    }
    for (std::size_t j = 0; j < f; ++j) {
      double sum = 0.0;
      for (std::size_t s = 0; s < seq; ++s) {
        if (pad == nullptr || !pad[s]) sum += xb[s * f + j];
      }
      yb[j] = count == 0 ? 0.0f : static_cast<float>(sum / static_cast<double>(count));
    }
  }
}

void sequence_pool_backward(bool mean, const float* dy, float* dx, std::size_t batch,
                            std::size_t seq, std::size_t f, const std::uint8_t* padding) {
  for (std::size_t b = 0; b < batch; ++b) {
    const std::uint8_t* pad = padding != nullptr ? padding + b * seq : nullptr;
    std::size_t count = seq;
    if (pad != nullptr) {
      for (std::size_t s = 0; s < seq; ++s) count -= pad[s];
    }
    const float w = mean && count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
    for (std::size_t s = 0; s < seq; ++s) {
      const bool real = pad == nullptr || !pad[s];
      for (std::size_t j = 0; j < f; ++j) {
        // Mean: every real position gets dy / count; first: position 0 gets dy, the others
        // nothing.
        dx[(b * seq + s) * f + j] =
            mean ? (real ? dy[b * f + j] * w : 0.0f) : (s == 0 ? dy[b * f + j] : 0.0f);
      }
    }
  }
}

std::string export_sequence_pool(ExportContext& ctx, bool mean, std::size_t seq,
                                 const std::string& input) {
  std::string out;
  if (mean && !ctx.keep_mask.empty()) {
    if (ctx.keep_length != seq) {
      fail(ErrorKind::invalid_argument, "nn export: SequenceMean over " + std::to_string(seq) +
                                            " positions after a padding mask of " +
                                            std::to_string(ctx.keep_length));
    }
    // sum(x * keep) / max(count of real tokens, 1), keep [batch, seq] seen as [batch, seq, 1].
    const std::string keep = binary(ctx, "Reshape", ctx.keep_mask,
                                    int64_constant(ctx, {0, static_cast<std::int64_t>(seq), 1}));
    std::string sum, count;
    node(ctx, "ReduceSum", {binary(ctx, "Mul", input, keep), int64_constant(ctx, {1})}, sum)
        .attr("keepdims", std::int64_t{0});
    node(ctx, "ReduceSum", {ctx.keep_mask, int64_constant(ctx, {1})}, count)
        .attr("keepdims", std::int64_t{1});
    return binary(ctx, "Div", sum, binary(ctx, "Max", count, add_scalar(ctx, 1.0f)));
  }
  if (mean) {
    node(ctx, "ReduceSum", {input, int64_constant(ctx, {1})}, out)
        .attr("keepdims", std::int64_t{0});
    return binary(ctx, "Mul", out, add_scalar(ctx, 1.0f / static_cast<float>(seq)));
  }
  node(ctx, "Gather", {input, int64_constant(ctx, {0})}, out).attr("axis", std::int64_t{1});
  return export_flatten(ctx, out);  // [batch, 1, f] -> [batch, f]
}

}  // namespace nn
INLAY_NAMESPACE_END

#endif  // INLAY_NN_IMPL_SEQUENCE_HPP
