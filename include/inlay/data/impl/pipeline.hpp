// data::Pipeline (data/pipeline.hpp): fitting in order, ONNX nodes, the saved form.
#ifndef INLAY_DATA_IMPL_PIPELINE_HPP
#define INLAY_DATA_IMPL_PIPELINE_HPP

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "inlay/data/pipeline.hpp"

INLAY_NAMESPACE_BEGIN
namespace data {

namespace detail {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

inline std::size_t step_input_width(const Pipeline::Step& step) {
  return std::visit(Overloaded{[](const Imputer& s) { return s.fills().size(); },
                               [](const OneHotEncoder& s) { return s.input_width(); },
                               [](const Standardizer& s) { return s.mean().size(); },
                               [](const MinMaxScaler& s) { return s.min().size(); }},
                    step);
}

inline std::size_t step_output_width(const Pipeline::Step& step) {
  if (const auto* e = std::get_if<OneHotEncoder>(&step)) return e->output_width();
  return step_input_width(step);
}

inline bool step_fitted(const Pipeline::Step& step) {
  return std::visit([](const auto& s) { return s.fitted(); }, step);
}

inline std::string step_name(const Pipeline::Step& step) {
  return std::visit(Overloaded{[](const Imputer& s) {
                                 return std::string("Imputer(") +
                                        impute_strategy_name(s.strategy()) + ")";
                               },
                               [](const OneHotEncoder& s) {
                                 std::string text = "OneHotEncoder(columns";
                                 for (std::size_t c : s.columns()) text += " " + std::to_string(c);
                                 return text + ")";
                               },
                               [](const Standardizer&) { return std::string("Standardizer"); },
                               [](const MinMaxScaler&) { return std::string("MinMaxScaler"); }},
                    step);
}

// The divisor MinMaxScaler::transform uses: the range, or 1 for a constant column.
inline std::vector<float> min_max_range(const MinMaxScaler& s) {
  std::vector<float> range(s.min().size());
  for (std::size_t c = 0; c < range.size(); ++c) {
    range[c] = s.max()[c] > s.min()[c] ? s.max()[c] - s.min()[c] : 1.0f;
  }
  return range;
}

// Writes nodes with fresh names "<prefix>_<n>".
struct OnnxNodes {
  onnx::GraphWriter& graph;
  const std::string& prefix;
  std::size_t counter = 0;
  std::string fresh(const char* what) {
    return prefix + "_" + what + "_" + std::to_string(counter++);
  }
  std::string floats(const char* what, const std::vector<float>& v) {
    Tensor t(DType::f32, Shape{static_cast<std::int64_t>(v.size())});
    if (!v.empty()) std::memcpy(t.data<float>(), v.data(), v.size() * sizeof(float));
    const std::string name = fresh(what);
    graph.add_initializer(name, t);
    return name;
  }
  std::string indices(const std::vector<std::int64_t>& v) {
    Tensor t(DType::i64, Shape{static_cast<std::int64_t>(v.size())});
    std::memcpy(t.data<std::int64_t>(), v.data(), v.size() * sizeof(std::int64_t));
    const std::string name = fresh("columns");
    graph.add_initializer(name, t);
    return name;
  }
  onnx::NodeWriter& node(const char* op, const std::vector<std::string>& inputs, std::string& out) {
    out = fresh(op);
    return graph.add_node(op, inputs, {out}, out);
  }
  std::string node(const char* op, const std::vector<std::string>& inputs) {
    std::string out;
    node(op, inputs, out);
    return out;
  }
};

inline std::string one_hot_nodes(OnnxNodes& g, const OneHotEncoder& e, const std::string& x) {
  std::vector<std::ptrdiff_t> encoded(e.input_width(), -1);
  for (std::size_t i = 0; i < e.columns().size(); ++i) {
    encoded[e.columns()[i]] = static_cast<std::ptrdiff_t>(i);
  }
  std::vector<std::string> parts;
  std::vector<std::int64_t> run;  // passed-through columns waiting for one Gather
  auto flush = [&] {
    if (run.empty()) return;
    std::string out;
    g.node("Gather", {x, g.indices(run)}, out).attr("axis", std::int64_t{1});
    parts.push_back(out);
    run.clear();
  };
  for (std::size_t c = 0; c < e.input_width(); ++c) {
    if (encoded[c] < 0) {
      run.push_back(static_cast<std::int64_t>(c));
      continue;
    }
    flush();
    std::string column, hot;
    g.node("Gather", {x, g.indices({static_cast<std::int64_t>(c)})}, column)
        .attr("axis", std::int64_t{1});  // [batch, 1]
    // [batch, 1] == [categories] broadcasts to [batch, categories]; NaN equals nothing.
    const std::string equal = g.node(
        "Equal",
        {column, g.floats("categories", e.categories()[static_cast<std::size_t>(encoded[c])])});
    g.node("Cast", {equal}, hot).attr("to", std::int64_t{1});  // FLOAT
    parts.push_back(hot);
  }
  flush();
  if (parts.size() == 1) return parts[0];
  std::string out;
  g.node("Concat", parts, out).attr("axis", std::int64_t{1});
  return out;
}

// Little-endian writing and checked reading of the saved form.
inline void put_u32(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void put_floats(std::string& out, const std::vector<float>& v) {
  put_u32(out, v.size());
  for (float f : v) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    put_u32(out, bits);
  }
}

struct PipelineReader {
  const unsigned char* p;
  std::size_t size, pos;
  const std::string& source;
  [[noreturn]] void bad(const std::string& what) const {
    fail(ErrorKind::invalid_model,
         source + ": preprocessing pipeline: " + what + " (offset " + std::to_string(pos) + ")");
  }
  std::uint32_t u32(const char* what) {
    if (size - pos < 4) bad(std::string("ends inside ") + what);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(p[pos + static_cast<std::size_t>(i)]) << (8 * i);
    pos += 4;
    return v;
  }
  std::vector<float> floats(const char* what) {
    const std::uint32_t n = u32(what);
    if ((size - pos) / 4 < n) bad(std::string("ends inside ") + what);
    std::vector<float> v(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t bits = u32(what);
      std::memcpy(&v[i], &bits, 4);
    }
    return v;
  }
};

constexpr char pipeline_magic[8] = {'I', 'N', 'L', 'A', 'Y', 'P', 'P', '\0'};
constexpr std::uint32_t pipeline_version = 1;
enum : unsigned char {
  step_imputer = 1,
  step_one_hot = 2,
  step_standardizer = 3,
  step_min_max = 4
};

}  // namespace detail

Pipeline& Pipeline::add(Step step) {
  steps_.push_back(std::move(step));
  return *this;
}

void Pipeline::fit(const Tensor& x) {
  if (steps_.empty()) fail(ErrorKind::invalid_argument, "Pipeline::fit: the pipeline has no step");
  Tensor current = x;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    current = std::visit([&](auto& s) { return s.fit_transform(current); }, steps_[i]);
  }
}

Tensor Pipeline::transform(const Tensor& x) const {
  if (!fitted()) fail(ErrorKind::invalid_argument, "Pipeline::transform: fit() was not called");
  Tensor current = x;
  for (const Step& step : steps_) {
    current = std::visit([&](const auto& s) { return s.transform(current); }, step);
  }
  return current;
}

Tensor Pipeline::fit_transform(const Tensor& x) {
  fit(x);
  return transform(x);
}

bool Pipeline::fitted() const noexcept {
  if (steps_.empty()) return false;
  for (const Step& s : steps_) {
    if (!detail::step_fitted(s)) return false;
  }
  return true;
}

std::size_t Pipeline::input_width() const {
  if (!fitted()) fail(ErrorKind::invalid_argument, "Pipeline::input_width: fit() was not called");
  return detail::step_input_width(steps_.front());
}

std::size_t Pipeline::output_width() const {
  if (!fitted()) fail(ErrorKind::invalid_argument, "Pipeline::output_width: fit() was not called");
  return detail::step_output_width(steps_.back());
}

std::string Pipeline::describe() const {
  std::string text;
  for (const Step& s : steps_) text += (text.empty() ? "" : " -> ") + detail::step_name(s);
  if (text.empty()) return "(no step)";
  if (fitted()) {
    text += ": " + std::to_string(input_width()) + " -> " + std::to_string(output_width()) +
            " features";
  }
  return text;
}

std::string Pipeline::to_onnx(onnx::GraphWriter& graph, const std::string& input,
                              const std::string& prefix) const {
  if (!fitted()) fail(ErrorKind::invalid_argument, "Pipeline::to_onnx: fit() was not called");
  detail::OnnxNodes g{graph, prefix};
  std::string x = input;
  for (const Step& step : steps_) {
    if (const auto* s = std::get_if<Imputer>(&step)) {
      x = g.node("Where", {g.node("IsNaN", {x}), g.floats("fill", s->fills()), x});
    } else if (const auto* e = std::get_if<OneHotEncoder>(&step)) {
      x = detail::one_hot_nodes(g, *e, x);
    } else if (const auto* z = std::get_if<Standardizer>(&step)) {
      x = g.node("Div",
                 {g.node("Sub", {x, g.floats("mean", z->mean())}), g.floats("scale", z->scale())});
    } else if (const auto* m = std::get_if<MinMaxScaler>(&step)) {
      x = g.node("Div", {g.node("Sub", {x, g.floats("min", m->min())}),
                         g.floats("range", detail::min_max_range(*m))});
    }
  }
  return x;
}

std::string Pipeline::serialize() const {
  if (!fitted()) fail(ErrorKind::invalid_argument, "Pipeline::serialize: fit() was not called");
  std::string out(detail::pipeline_magic, sizeof detail::pipeline_magic);
  detail::put_u32(out, detail::pipeline_version);
  detail::put_u32(out, steps_.size());
  for (const Step& step : steps_) {
    if (const auto* s = std::get_if<Imputer>(&step)) {
      out.push_back(static_cast<char>(detail::step_imputer));
      out.push_back(static_cast<char>(s->strategy()));
      detail::put_floats(out, {s->fill_value()});
      detail::put_floats(out, s->fills());
    } else if (const auto* e = std::get_if<OneHotEncoder>(&step)) {
      out.push_back(static_cast<char>(detail::step_one_hot));
      detail::put_u32(out, e->input_width());
      detail::put_u32(out, e->columns().size());
      for (std::size_t i = 0; i < e->columns().size(); ++i) {
        detail::put_u32(out, e->columns()[i]);
        detail::put_floats(out, e->categories()[i]);
      }
    } else if (const auto* z = std::get_if<Standardizer>(&step)) {
      out.push_back(static_cast<char>(detail::step_standardizer));
      detail::put_floats(out, z->mean());
      detail::put_floats(out, z->scale());
    } else if (const auto* m = std::get_if<MinMaxScaler>(&step)) {
      out.push_back(static_cast<char>(detail::step_min_max));
      detail::put_floats(out, m->min());
      detail::put_floats(out, m->max());
    }
  }
  return out;
}

std::size_t Pipeline::deserialize(const void* data, std::size_t size, const std::string& source,
                                  Pipeline& result) {
  detail::PipelineReader r{static_cast<const unsigned char*>(data), size, 0, source};
  if (size < sizeof detail::pipeline_magic ||
      std::memcmp(r.p, detail::pipeline_magic, sizeof detail::pipeline_magic) != 0) {
    r.bad("no pipeline here (bad magic)");
  }
  r.pos = sizeof detail::pipeline_magic;
  const std::uint32_t version = r.u32("the version");
  if (version != detail::pipeline_version) {
    r.bad("format version " + std::to_string(version) + ", this inlay reads version " +
          std::to_string(detail::pipeline_version));
  }
  const std::uint32_t count = r.u32("the step count");
  if (count == 0 || count > 1024) r.bad(std::to_string(count) + " steps");
  Pipeline out;
  std::size_t width = 0;  // each step must take what the one before gives
  for (std::uint32_t i = 0; i < count; ++i) {
    if (r.pos >= size) r.bad("ends before step " + std::to_string(i));
    const unsigned char kind = r.p[r.pos++];
    const auto read_step = [&] {
      if (kind == detail::step_imputer) {
        if (r.pos >= size) r.bad("ends inside an imputer");
        const unsigned char strategy = r.p[r.pos++];
        if (strategy > static_cast<unsigned char>(ImputeStrategy::constant)) {
          r.bad("unknown imputation strategy " + std::to_string(strategy));
        }
        const std::vector<float> fill = r.floats("an imputer's fill value");
        if (fill.size() != 1)
          r.bad("an imputer's fill value has " + std::to_string(fill.size()) + " numbers");
        Imputer s(static_cast<ImputeStrategy>(strategy), fill[0]);
        s.set(r.floats("an imputer's fills"));
        out.add(std::move(s));
      } else if (kind == detail::step_one_hot) {
        const std::uint32_t in = r.u32("an encoder's width");
        const std::uint32_t n = r.u32("an encoder's column count");
        if (n == 0 || n > in)
          r.bad(std::to_string(n) + " encoded columns of " + std::to_string(in));
        std::vector<std::size_t> columns;
        std::vector<std::vector<float>> cats;
        for (std::uint32_t c = 0; c < n; ++c) {
          columns.push_back(r.u32("an encoded column"));
          cats.push_back(r.floats("an encoder's categories"));
        }
        OneHotEncoder e(columns);
        e.set(in, std::move(cats));
        out.add(std::move(e));
      } else if (kind == detail::step_standardizer) {
        std::vector<float> mean = r.floats("a standardizer's means");
        Standardizer z;
        z.set(std::move(mean), r.floats("a standardizer's scales"));
        out.add(std::move(z));
      } else if (kind == detail::step_min_max) {
        std::vector<float> lo = r.floats("a min-max scaler's minimums");
        MinMaxScaler m;
        m.set(std::move(lo), r.floats("a min-max scaler's maximums"));
        out.add(std::move(m));
      } else {
        r.bad("unknown step kind " + std::to_string(kind));
      }
    };
    // The setters check the numbers; their errors become invalid_model errors naming the file.
#ifndef INLAY_NO_EXCEPTIONS
    try {
      read_step();
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::invalid_model) throw;
      r.bad("step " + std::to_string(i) + ": " + e.what());
    }
#else
    read_step();
#endif
    const std::size_t in = detail::step_input_width(out.steps_.back());
    if (i > 0 && in != width) {
      r.bad("step " + std::to_string(i) + " takes " + std::to_string(in) +
            " features, the step before gives " + std::to_string(width));
    }
    width = detail::step_output_width(out.steps_.back());
  }
  result = std::move(out);
  return r.pos;
}

void Pipeline::save(const std::string& path) const {
  const std::string bytes = serialize();
  std::ofstream f(path, std::ios::binary);
  if (!f || !f.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !f.flush()) {
    fail(ErrorKind::io, "cannot write preprocessing pipeline '" + path + "'");
  }
}

Pipeline Pipeline::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorKind::io, "cannot open preprocessing pipeline '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  Pipeline p;
  const std::size_t used = deserialize(bytes.data(), bytes.size(), path, p);
  if (used != bytes.size()) {
    fail(ErrorKind::invalid_model, path + ": " + std::to_string(bytes.size() - used) +
                                       " bytes past the preprocessing pipeline");
  }
  return p;
}

}  // namespace data
INLAY_NAMESPACE_END

#endif  // INLAY_DATA_IMPL_PIPELINE_HPP
