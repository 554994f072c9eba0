// OpInfo's attribute getters and the OpSet table. Implementation-only.
#ifndef INLAY_GRAPH_IMPL_OP_HPP
#define INLAY_GRAPH_IMPL_OP_HPP

#include <algorithm>
#include <string>
#include <tuple>

#include "inlay/graph/op.hpp"

INLAY_NAMESPACE_BEGIN

const char* to_string(Attribute::Kind kind) noexcept {
  switch (kind) {
    case Attribute::Kind::float_: return "float";
    case Attribute::Kind::int_: return "int";
    case Attribute::Kind::string: return "string";
    case Attribute::Kind::tensor: return "tensor";
    case Attribute::Kind::graph: return "graph";
    case Attribute::Kind::floats: return "floats";
    case Attribute::Kind::ints: return "ints";
    case Attribute::Kind::strings: return "strings";
  }
  return "?";
}

std::string OpInfo::where() const {
  std::string s = "node '" + node_name_ + "' (";
  s += domain_.empty() ? "ai.onnx" : domain_;
  return s + ":" + op_type_ + ", opset " + std::to_string(opset_) + ")";
}

void OpInfo::fail(ErrorKind kind, const std::string& message) const {
  inlay::fail(kind, where() + ": " + message);
}

const Attribute* OpInfo::find(const std::string& name) const noexcept {
  if (attributes_ == nullptr) return nullptr;
  for (const Attribute& a : *attributes_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const Attribute& OpInfo::require(const std::string& name, Attribute::Kind kind) const {
  const Attribute* a = find(name);
  if (a == nullptr) fail(ErrorKind::invalid_model, "attribute '" + name + "' is required");
  if (a->kind != kind) {
    fail(ErrorKind::invalid_model, "attribute '" + name + "' must be of kind " + to_string(kind) +
                                       ", not " + to_string(a->kind));
  }
  return *a;
}

namespace graph {
namespace detail {
// The attribute, or null when absent; an Error when it has another kind.
inline const Attribute* typed(const OpInfo& info, const std::string& name, Attribute::Kind kind) {
  const Attribute* a = info.find(name);
  if (a != nullptr && a->kind != kind) {
    info.fail(ErrorKind::invalid_model, "attribute '" + name + "' must be of kind " +
                                            to_string(kind) + ", not " + to_string(a->kind));
  }
  return a;
}
}  // namespace detail
}  // namespace graph

std::int64_t OpInfo::get_int(const std::string& name, std::int64_t fallback) const {
  const Attribute* a = graph::detail::typed(*this, name, Attribute::Kind::int_);
  return a ? a->i : fallback;
}
float OpInfo::get_float(const std::string& name, float fallback) const {
  const Attribute* a = graph::detail::typed(*this, name, Attribute::Kind::float_);
  return a ? a->f : fallback;
}
std::string OpInfo::get_string(const std::string& name, const std::string& fallback) const {
  const Attribute* a = graph::detail::typed(*this, name, Attribute::Kind::string);
  return a ? a->s : fallback;
}
std::vector<std::int64_t> OpInfo::get_ints(const std::string& name,
                                           std::vector<std::int64_t> fallback) const {
  const Attribute* a = graph::detail::typed(*this, name, Attribute::Kind::ints);
  return a ? a->ints : fallback;
}
std::vector<float> OpInfo::get_floats(const std::string& name, std::vector<float> fallback) const {
  const Attribute* a = graph::detail::typed(*this, name, Attribute::Kind::floats);
  return a ? a->floats : fallback;
}
std::vector<std::string> OpInfo::get_strings(const std::string& name,
                                             std::vector<std::string> fallback) const {
  const Attribute* a = graph::detail::typed(*this, name, Attribute::Kind::strings);
  return a ? a->strings : fallback;
}

void OpSet::add(const std::string& domain, const std::string& op_type, std::int64_t since_version,
                OpFactory factory) {
  const std::string d = domain == "ai.onnx" ? std::string() : domain;
  if (!factory) {
    inlay::fail(ErrorKind::invalid_argument,
                "OpSet::add(" + d + ":" + op_type + "): empty factory");
  }
  for (Entry& e : entries_) {
    if (e.domain == d && e.op_type == op_type && e.since_version == since_version) {
      e.factory = std::move(factory);  // a later registration replaces an earlier one
      return;
    }
  }
  entries_.push_back(Entry{d, op_type, since_version, std::move(factory)});
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.domain, a.op_type, a.since_version) <
           std::tie(b.domain, b.op_type, b.since_version);
  });
}

const OpFactory* OpSet::find(const std::string& domain, const std::string& op_type,
                             std::int64_t opset) const {
  const std::string& d = domain == "ai.onnx" ? std::string() : domain;
  const OpFactory* best = nullptr;
  for (const Entry& e : entries_) {
    if (e.domain == d && e.op_type == op_type && e.since_version <= opset) best = &e.factory;
  }
  return best;
}

INLAY_NAMESPACE_END

#endif  // INLAY_GRAPH_IMPL_OP_HPP
