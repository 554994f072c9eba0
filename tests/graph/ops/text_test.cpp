// Graph-door tests of TfIdfVectorizer (include/inlay/graph/ops/text.hpp): the spec's skip
// example, the three modes with weights, batches, a brute-force reference on random token
// rows, and the errors for pools, attributes and inputs that do not fit.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph/op_tester.hpp"

using namespace inlay_test;
using inlay::DType;
using inlay::ErrorKind;
using inlay::Shape;
using inlay::Tensor;

namespace {

struct Pool {
  std::vector<std::int64_t> tokens, starts, indexes;
  std::vector<float> weights;
};

OpTester tfidf(const Tensor& x, const std::string& mode, std::int64_t min_gram,
               std::int64_t max_gram, std::int64_t skip, const Pool& pool) {
  OpTester t("TfIdfVectorizer", 9);
  t.in(x)
      .attr("mode", mode)
      .attr("min_gram_length", min_gram)
      .attr("max_gram_length", max_gram)
      .attr("max_skip_count", skip)
      .attr("pool_int64s", pool.tokens)
      .attr("ngram_counts", pool.starts)
      .attr("ngram_indexes", pool.indexes);
  if (!pool.weights.empty()) t.attr(attr_floats("weights", pool.weights));
  return t;
}

// For each pool n-gram, how many (start, gap) pairs of the row spell it: a gap of 1 to skip + 1
// between its tokens (for a 1-gram the gap does not matter: one per start).
std::vector<float> reference_row(const std::vector<std::int64_t>& row, const std::string& mode,
                                 std::int64_t min_gram, std::int64_t max_gram, std::int64_t skip,
                                 const Pool& pool) {
  std::int64_t width = 0;
  for (std::int64_t i : pool.indexes) width = std::max(width, i + 1);
  std::vector<float> out(static_cast<std::size_t>(width), 0.0f);
  std::size_t entry = 0;
  for (std::size_t k = 0; k < pool.starts.size(); ++k) {
    const auto n = static_cast<std::int64_t>(k + 1);
    const std::int64_t end = k + 1 < pool.starts.size()
                                 ? pool.starts[k + 1]
                                 : static_cast<std::int64_t>(pool.tokens.size());
    for (std::int64_t at = pool.starts[k]; at < end; at += n, ++entry) {
      std::int64_t count = 0;
      if (n >= min_gram && n <= max_gram) {
        const std::int64_t gaps = n == 1 ? 1 : skip + 1;
        for (std::int64_t start = 0; start < static_cast<std::int64_t>(row.size()); ++start) {
          for (std::int64_t gap = 1; gap <= gaps; ++gap) {
            bool match = true;
            for (std::int64_t j = 0; j < n && match; ++j) {
              const std::int64_t p = start + j * gap;
              match =
                  p < static_cast<std::int64_t>(row.size()) &&
                  row[static_cast<std::size_t>(p)] == pool.tokens[static_cast<std::size_t>(at + j)];
            }
            count += match ? 1 : 0;
          }
        }
      }
      const float w = pool.weights.empty() ? 1.0f : pool.weights[entry];
      const float c = static_cast<float>(count);
      out[static_cast<std::size_t>(pool.indexes[entry])] +=
          mode == "TF" ? c : (mode == "IDF" ? (count > 0 ? w : 0.0f) : c * w);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("TfIdfVectorizer: skips, modes, weights and batches", "[graph/ops/text]") {
  // The spec's example: with 2 skips the 2-grams of [94, 17, 36, 12, 28] are [94, 12] and
  // [17, 28] (gap 3), beside the gap-1 and gap-2 ones.
  const Tensor x = make_tensor<std::int64_t>(Shape{5}, {94, 17, 36, 12, 28});
  Pool p{{94, 17, 94, 12, 17, 28, 94, 36}, {0, 0}, {0, 1, 2, 3}, {}};
  tfidf(x, "TF", 2, 2, 2, p).check({f32s({1, 1, 1, 1})});
  tfidf(x, "TF", 2, 2, 0, p).check({f32s({1, 0, 0, 0})});
  tfidf(x, "TF", 2, 2, 1, p).check({f32s({1, 0, 0, 1})});
  // Output coordinates in another order, and a coordinate no n-gram maps to.
  p.indexes = {4, 0, 2, 1};
  tfidf(x, "TF", 2, 2, 2, p).check({f32s({1, 1, 1, 0, 1})});

  // Counts above 1: IDF keeps the weight, TFIDF multiplies it; 1-grams counted once per token.
  const Tensor y = make_tensor<std::int32_t>(Shape{6}, {3, 3, 5, 3, 5, 7});
  Pool q{{3, 7, 3, 5}, {0, 2}, {0, 1, 2}, {0.5f, 2.0f, 4.0f}};
  // [3, 5] three times: tokens 0 and 2 (gap 2), 1 and 2, 3 and 4.
  tfidf(y, "TF", 1, 2, 1, q).check({f32s({3, 1, 3})});
  tfidf(y, "IDF", 1, 2, 1, q).check({f32s({0.5f, 2, 4})});
  tfidf(y, "TFIDF", 1, 2, 1, q).check({f32s({1.5f, 2, 12})});
  tfidf(y, "TF", 2, 2, 1, q).check({f32s({0, 0, 3})});  // min_gram_length 2: no 1-grams
  tfidf(y, "TF", 1, 1, 1, q).check({f32s({3, 1, 0})});  // max_gram_length 1: no 2-grams

  // [N, C]: one row each; no n-gram reaches across rows.
  tfidf(make_tensor<std::int32_t>(Shape{2, 3}, {3, 3, 5, 3, 5, 7}), "TF", 1, 2, 0, q)
      .check({make_tensor<float>(Shape{2, 3}, {2, 0, 1, 1, 1, 1})});
  // An empty row.
  tfidf(Tensor(DType::i64, Shape{0}), "TF", 1, 2, 0, q).check({f32s({0, 0, 0})});
}

TEST_CASE("TfIdfVectorizer matches a brute-force reference", "[graph/ops/text]") {
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::int64_t> token(0, 3);
  // Every 1-gram and a few 2- and 3-grams of the tokens 0..3.
  Pool pool{{0, 1, 2, 3, 0, 1, 1, 1, 3, 2, 2, 0, 0, 1, 2, 3, 3, 3}, {0, 4, 12}, {}, {}};
  for (std::int64_t i = 0; i < 10; ++i) {
    pool.indexes.push_back((i * 3) % 11);
    pool.weights.push_back(0.25f * static_cast<float>(i + 1));
  }
  const std::int64_t rows = 3, length = 12;
  std::vector<std::int64_t> x;
  for (std::int64_t i = 0; i < rows * length; ++i) x.push_back(token(rng));
  for (const char* mode : {"TF", "IDF", "TFIDF"}) {
    for (std::int64_t min_gram : {1, 2, 3}) {
      for (std::int64_t skip : {0, 1, 4}) {
        INFO(mode << ", min_gram_length " << min_gram << ", max_skip_count " << skip);
        std::vector<float> want;
        for (std::int64_t r = 0; r < rows; ++r) {
          const std::vector<std::int64_t> row(x.begin() + r * length, x.begin() + (r + 1) * length);
          const std::vector<float> out = reference_row(row, mode, min_gram, 3, skip, pool);
          want.insert(want.end(), out.begin(), out.end());
        }
        const auto width = static_cast<std::int64_t>(want.size()) / rows;
        tfidf(make_tensor<std::int64_t>(Shape{rows, length}, x), mode, min_gram, 3, skip, pool)
            .check({make_tensor<float>(Shape{rows, width}, want)});
      }
    }
  }
}

TEST_CASE("TfIdfVectorizer names what is wrong", "[graph/ops/text]") {
  const Tensor x = make_tensor<std::int64_t>(Shape{3}, {1, 2, 3});
  const Pool p{{1, 2, 1, 2}, {0, 2}, {0, 1, 2}, {}};
  OpTester strings("TfIdfVectorizer", 9);
  strings.in(x)
      .attr("mode", std::string("TF"))
      .attr("min_gram_length", std::int64_t{1})
      .attr("max_gram_length", std::int64_t{1})
      .attr("max_skip_count", std::int64_t{0})
      .attr(attr_strings("pool_strings", {"a", "b"}))
      .attr("ngram_counts", {0})
      .attr("ngram_indexes", {0, 1});
  strings.expect_load_error(ErrorKind::unsupported_op, "pool_strings");
  tfidf(x, "BM25", 1, 2, 0, p).expect_load_error(ErrorKind::unsupported_op, "mode 'BM25'");
  tfidf(x, "TF", 0, 2, 0, p).expect_load_error(ErrorKind::invalid_model, "min_gram_length 0");
  tfidf(x, "TF", 2, 1, 0, p).expect_load_error(ErrorKind::invalid_model, "max_gram_length 1");
  tfidf(x, "TF", 1, 2, -1, p).expect_load_error(ErrorKind::invalid_model, "max_skip_count -1");
  tfidf(x, "TF", 1, 2, 0, Pool{{1, 2, 1, 2, 3}, {0, 2}, {0, 1, 2}, {}})
      .expect_load_error(ErrorKind::invalid_model, "whole 2-grams");
  tfidf(x, "TF", 1, 2, 0, Pool{{1, 2, 1, 2}, {0, 5}, {0, 1, 2}, {}})
      .expect_load_error(ErrorKind::invalid_model, "ngram_counts[0]");
  tfidf(x, "TF", 1, 2, 0, Pool{{1, 2, 1, 2}, {0, 2}, {0, 1}, {}})
      .expect_load_error(ErrorKind::invalid_model, "ngram_indexes has 2 entries for a pool of 3");
  tfidf(x, "TF", 1, 2, 0, Pool{{1, 2, 1, 2}, {0, 2}, {0, -1, 2}, {}})
      .expect_load_error(ErrorKind::invalid_model, "ngram_indexes holds -1");
  tfidf(x, "TF", 1, 2, 0, Pool{{1, 2, 1, 2}, {0, 2}, {0, 1, 2}, {1, 2}})
      .expect_load_error(ErrorKind::invalid_model, "weights has 2 entries");
  tfidf(x, "TF", 1, 2, 0, Pool{{1, 1, 1, 2}, {0, 2}, {0, 1, 2}, {}})
      .expect_load_error(ErrorKind::invalid_model, "1-gram at 1 twice");
  tfidf(Tensor(DType::i64, Shape{1, 1, 3}), "TF", 1, 2, 0, p)
      .expect_run_error(ErrorKind::shape_mismatch, "X must be [C] or [N, C]");
  tfidf(f32s({1, 2}), "TF", 1, 2, 0, p).expect_run_error(ErrorKind::unsupported_op, "dtype f32");
  // An output of 2^24 rows of 2^40 counts overflows its element count.
  tfidf(Tensor(DType::i64, Shape{std::int64_t(1) << 24, 0}), "TF", 1, 1, 0,
        Pool{{1}, {0}, {(std::int64_t(1) << 40) - 1}, {}})
      .expect_run_error(ErrorKind::shape_mismatch, "too many elements");
}
