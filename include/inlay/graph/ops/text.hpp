// Ops on token sequences: TfIdfVectorizer (n-gram counts against a learned pool, as scikit-learn
// pipelines converted to ONNX use them). Implementation-only.
#ifndef INLAY_GRAPH_OPS_TEXT_HPP
#define INLAY_GRAPH_OPS_TEXT_HPP

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "inlay/graph/ops/common.hpp"
#include "inlay/graph/ops/shape.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

// The n-grams of a pool (pool_int64s), found by their tokens: an open-addressing hash table
// built once at load, so that a run looks an n-gram up without allocating.
class NgramPool {
 public:
  // Adds the n-gram tokens[0, length) as entry `entry`; false when the pool has it already.
  bool add(const std::int64_t* tokens, std::size_t length, std::int64_t entry) {
    grams_.push_back(Gram{tokens_.size(), length, entry});
    tokens_.insert(tokens_.end(), tokens, tokens + length);
    if (grams_.size() * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    return insert(grams_.size() - 1);
  }
  // The entry of the n-gram tokens[0, length), or -1.
  std::int64_t find(const std::int64_t* tokens, std::size_t length) const {
    if (slots_.empty()) return -1;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = hash(tokens, length) & mask;; s = (s + 1) & mask) {
      const std::int64_t g = slots_[s];
      if (g < 0) return -1;
      const Gram& gram = grams_[static_cast<std::size_t>(g)];
      if (gram.length == length &&
          std::memcmp(&tokens_[gram.at], tokens, length * sizeof(std::int64_t)) == 0)
        return gram.entry;
    }
  }

 private:
  struct Gram {
    std::size_t at, length;  // tokens_[at, at + length)
    std::int64_t entry;
  };
  static std::size_t hash(const std::int64_t* tokens, std::size_t length) {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ length;
    for (std::size_t i = 0; i < length; ++i) {
      h ^= static_cast<std::uint64_t>(tokens[i]) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      h *= 0xff51afd7ed558ccdull;  // a multiplier of MurmurHash3's finalizer
    }
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
  bool insert(std::size_t g) {
    const Gram& gram = grams_[g];
    const std::size_t mask = slots_.size() - 1;
    const std::int64_t* tokens = &tokens_[gram.at];
    for (std::size_t s = hash(tokens, gram.length) & mask;; s = (s + 1) & mask) {
      if (slots_[s] < 0) {
        slots_[s] = static_cast<std::int64_t>(g);
        return true;
      }
      const Gram& other = grams_[static_cast<std::size_t>(slots_[s])];
      if (other.length == gram.length &&
          std::memcmp(&tokens_[other.at], tokens, gram.length * sizeof(std::int64_t)) == 0) {
        tokens_.resize(gram.at);
        grams_.pop_back();
        return false;
      }
    }
  }
  void rehash(std::size_t size) {
    slots_.assign(size, -1);
    for (std::size_t g = 0; g + 1 < grams_.size(); ++g) insert(g);
  }

  std::vector<std::int64_t> tokens_;
  std::vector<Gram> grams_;
  std::vector<std::int64_t> slots_;  // index into grams_, -1 where empty
};

// TfIdfVectorizer (opset 9): for each row of X ([C] or [N, C], int32 or int64), counts the
// n-grams of the pool that occur in it, with n from min_gram_length to max_gram_length and the
// tokens of an n-gram up to max_skip_count apart (every gap the same; a 1-gram is counted once,
// not once per gap), then writes count (TF), weight if count > 0 (IDF) or count * weight (TFIDF)
// at the entry's output coordinate ngram_indexes[i]. Y is f32, [max(ngram_indexes) + 1] or
// [N, max(ngram_indexes) + 1].
class TfIdfVectorizerKernel final : public OpKernel {
 public:
  enum class Mode { tf, idf, tfidf };

  explicit TfIdfVectorizerKernel(const OpInfo& info) {
    if (info.has("pool_strings")) {
      info.fail(ErrorKind::unsupported_op,
                "attribute pool_strings is not supported (inlay has no string tensors); only "
                "pool_int64s");
    }
    mode_ = choice_of<Mode>(info, "mode", info.require("mode", Attribute::Kind::string).s,
                            {{"TF", Mode::tf}, {"IDF", Mode::idf}, {"TFIDF", Mode::tfidf}});
    min_gram_ = info.require("min_gram_length", Attribute::Kind::int_).i;
    max_gram_ = info.require("max_gram_length", Attribute::Kind::int_).i;
    max_skip_ = info.require("max_skip_count", Attribute::Kind::int_).i;
    const Attribute& pool_attr = info.require("pool_int64s", Attribute::Kind::ints);
    const std::vector<std::int64_t>& pool = pool_attr.ints;
    const std::vector<std::int64_t>& starts =
        info.require("ngram_counts", Attribute::Kind::ints).ints;
    indexes_ = info.require("ngram_indexes", Attribute::Kind::ints).ints;
    weights_ = info.get_floats("weights");
    if (min_gram_ < 1 || max_gram_ < min_gram_) {
      info.fail(ErrorKind::invalid_model, "min_gram_length " + std::to_string(min_gram_) +
                                              " and max_gram_length " + std::to_string(max_gram_) +
                                              " do not satisfy 1 <= min <= max");
    }
    if (max_skip_ < 0) {
      info.fail(ErrorKind::invalid_model,
                "max_skip_count " + std::to_string(max_skip_) + " is negative");
    }
    // ngram_counts[k]: where the (k + 1)-grams start in the pool. First check the sections and
    // count the n-grams, then hash them.
    const auto pool_size = static_cast<std::int64_t>(pool.size());
    std::int64_t total = 0;
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const std::int64_t from = starts[k];
      const std::int64_t to = k + 1 < starts.size() ? starts[k + 1] : pool_size;
      const auto n = static_cast<std::int64_t>(k + 1);
      if (from < 0 || from > to || to > pool_size || (to - from) % n != 0) {
        info.fail(ErrorKind::invalid_model,
                  "ngram_counts[" + std::to_string(k) + "] = " + std::to_string(from) +
                      " does not start a run of whole " + std::to_string(n) +
                      "-grams in pool_int64s of " + std::to_string(pool_size) + " tokens");
      }
      total += (to - from) / n;
    }
    if (starts.empty() || starts[0] != 0 || static_cast<std::size_t>(total) != indexes_.size()) {
      info.fail(ErrorKind::invalid_model, "ngram_indexes has " + std::to_string(indexes_.size()) +
                                              " entries for a pool of " + std::to_string(total) +
                                              " n-grams (ngram_counts must start at 0)");
    }
    std::int64_t entry = 0;
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const std::int64_t to = k + 1 < starts.size() ? starts[k + 1] : pool_size;
      const auto n = static_cast<std::int64_t>(k + 1);
      for (std::int64_t at = starts[k]; at < to; at += n, ++entry) {
        if (!pool_.add(pool.data() + at, static_cast<std::size_t>(n), entry)) {
          info.fail(ErrorKind::invalid_model, "pool_int64s holds the " + std::to_string(n) +
                                                  "-gram at " + std::to_string(at) + " twice");
        }
      }
    }
    if (!weights_.empty() && weights_.size() != indexes_.size()) {
      info.fail(ErrorKind::invalid_model, "weights has " + std::to_string(weights_.size()) +
                                              " entries, ngram_indexes " +
                                              std::to_string(indexes_.size()));
    }
    for (std::int64_t i : indexes_) {
      if (i < 0 || i >= (std::int64_t(1) << 40)) {
        info.fail(ErrorKind::invalid_model,
                  "ngram_indexes holds " + std::to_string(i) + ", outside [0, 2^40)");
      }
      width_ = std::max(width_, i + 1);
    }
  }

  void run(OpContext& ctx) const override {
    const OpInfo& info = ctx.info();
    const Tensor& x = ctx.input(0);
    if (x.rank() != 1 && x.rank() != 2) {
      info.fail(ErrorKind::shape_mismatch, "X must be [C] or [N, C], not " + x.shape().to_string());
    }
    const std::int64_t rows = x.rank() == 2 ? x.shape()[0] : 1;
    const std::int64_t length = x.shape()[x.rank() - 1];
    const std::int64_t dims[2] = {rows, width_};  // output_shape: an Error on overflow
    Tensor& y =
        ctx.output(0, DType::f32, output_shape(info, x.rank() == 2 ? dims : dims + 1, x.rank()));
    float* out = y.data<float>();
    std::fill(out, out + y.numel(), 0.0f);
    const std::size_t entries = indexes_.size();
    const auto longest = static_cast<std::size_t>(std::min<std::int64_t>(max_gram_, length));
    auto* counts =
        static_cast<std::int64_t*>(ctx.scratch((entries + longest + 1) * sizeof(std::int64_t)));
    std::int64_t* gram = counts + entries;
    visit_dtype(
        info, x.dtype(),
        [&](auto tag) {
          using T = decltype(tag);
          for (std::int64_t r = 0; r < rows; ++r) {
            const T* tokens = x.data<T>() + r * length;
            std::fill(counts, counts + entries, std::int64_t(0));
            auto count = [&](std::size_t n) {
              const std::int64_t e = pool_.find(gram, n);
              if (e >= 0) ++counts[e];
            };
            for (std::int64_t i = 0; i < length; ++i) {
              gram[0] = static_cast<std::int64_t>(tokens[i]);
              if (min_gram_ == 1) count(1);
              // Longer n-grams: tokens i, i + gap, i + 2 gap ... for every gap.
              for (std::int64_t gap = 1; gap <= max_skip_ + 1 && max_gram_ > 1; ++gap) {
                for (std::int64_t n = 2; n <= max_gram_; ++n) {
                  const std::int64_t at = i + (n - 1) * gap;
                  if (at >= length) break;
                  gram[n - 1] = static_cast<std::int64_t>(tokens[at]);
                  if (n >= min_gram_) count(static_cast<std::size_t>(n));
                }
                if (i + gap >= length) break;  // larger gaps reach past the end too
              }
            }
            float* row = out + r * width_;
            for (std::size_t e = 0; e < entries; ++e) {
              if (counts[e] == 0) continue;
              const float w = weights_.empty() ? 1.0f : weights_[e];
              const float c = static_cast<float>(counts[e]);
              row[indexes_[e]] += mode_ == Mode::tf ? c : (mode_ == Mode::idf ? w : c * w);
            }
          }
        },
        TypeList<std::int32_t, std::int64_t>{});
  }

 private:
  Mode mode_ = Mode::tf;
  std::int64_t min_gram_ = 1, max_gram_ = 1, max_skip_ = 0, width_ = 0;
  std::vector<std::int64_t> indexes_;
  std::vector<float> weights_;
  NgramPool pool_;
};

inline void register_text_ops(OpSet& ops) {
  ops.add("", "TfIdfVectorizer", 9, factory<TfIdfVectorizerKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_TEXT_HPP
