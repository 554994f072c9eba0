// StringNormalizer (opset 10): drops stopwords from a [C] or [1, C] string tensor, then
// lowercases, uppercases or keeps the rest. Case mapping is ASCII only (bytes >= 0x80, i.e. the
// rest of UTF-8, pass unchanged), so a locale other than C / en_US is refused at load rather
// than half honoured. Implementation-only.
#ifndef INLAY_GRAPH_OPS_STRING_NORMALIZER_HPP
#define INLAY_GRAPH_OPS_STRING_NORMALIZER_HPP

#include <string>
#include <unordered_set>
#include <vector>

#include "inlay/graph/ops/common.hpp"

INLAY_NAMESPACE_BEGIN
namespace graph {
namespace ops {

enum class CaseChange { none, lower, upper };

inline std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}
inline std::string ascii_upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

class StringNormalizerKernel final : public OpKernel {
 public:
  explicit StringNormalizerKernel(const OpInfo& info)
      : case_change_(enum_attribute<CaseChange>(info, "case_change_action", "NONE",
                                                {{"NONE", CaseChange::none},
                                                 {"LOWER", CaseChange::lower},
                                                 {"UPPER", CaseChange::upper}},
                                                ErrorKind::invalid_model)),
        case_sensitive_(info.get_int("is_case_sensitive", 0) != 0) {
    const std::string locale = info.get_string("locale", "");
    if (!locale.empty() && locale != "C" && locale != "POSIX" && locale != "en_US" &&
        locale != "en_US.UTF-8" && locale != "en_US.utf8") {
      info.fail(ErrorKind::unsupported_op,
                "locale '" + locale + "': inlay maps case for ASCII (C, en_US) only");
    }
    for (const std::string& w : info.get_strings("stopwords")) {
      stopwords_.insert(case_sensitive_ ? w : ascii_lower(w));
    }
  }
  bool accepts_strings() const override { return true; }

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::string) {
      ctx.fail(ErrorKind::invalid_model,
               std::string("X must be a string tensor, not ") + dtype_name(x.dtype()));
    }
    if (!(x.rank() == 1 || (x.rank() == 2 && x.shape()[0] == 1))) {
      ctx.fail(ErrorKind::shape_mismatch, "X " + x.shape().to_string() + " must be [C] or [1, C]");
    }
    const std::string* px = x.data<std::string>();
    std::vector<std::string> kept;
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      if (stopwords_.count(case_sensitive_ ? px[i] : ascii_lower(px[i]))) continue;
      kept.push_back(case_change_ == CaseChange::lower   ? ascii_lower(px[i])
                     : case_change_ == CaseChange::upper ? ascii_upper(px[i])
                                                         : px[i]);
    }
    // Everything dropped: one empty string, as the spec asks ([1] or [1, 1]).
    if (kept.empty()) kept.emplace_back();
    const auto c = static_cast<std::int64_t>(kept.size());
    Tensor& y = ctx.output(0, DType::string, x.rank() == 1 ? Shape{c} : Shape{1, c});
    std::string* py = y.data<std::string>();
    for (std::size_t i = 0; i < kept.size(); ++i) py[i] = std::move(kept[i]);
  }

 private:
  CaseChange case_change_;
  bool case_sensitive_;
  std::unordered_set<std::string> stopwords_;
};

inline void register_string_normalizer_ops(OpSet& ops) {
  ops.add("", "StringNormalizer", 10, factory<StringNormalizerKernel>());
}

}  // namespace ops
}  // namespace graph
INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_OPS_STRING_NORMALIZER_HPP
