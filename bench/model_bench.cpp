// inlay_model_bench: times inlay::Session::run on one model folder in the ONNX backend-test
// layout (DIR/model.onnx, inputs DIR/test_data_set_0/input_K.pb). tools/bench-models runs it
// beside bench/ort_bench.js, which times ONNX Runtime the same way (docs/bench.md).
//
//   inlay_model_bench DIR [--threads N] [--spin US] [--warmup N] [--runs N] [--min-time S] [--json]
//   inlay_model_bench DIR --serve [--threads N] [--warmup N]
//   inlay_model_bench DIR --profile [--threads N] [--runs N] [--min-time S]
//
// One run: load (Model::load + Session), one first run (plans the arena; its outputs are compared
// with DIR/test_data_set_0/output_K.pb when present), `warmup` untimed runs, then timed runs until
// both `runs` and `min-time` are reached. Prints median, p10, p90 in ms (and the median CPU time of
// the process per run), load time and peak resident memory (VmHWM), as text or one JSON line.
// --serve: after loading, reads lines "SECONDS [MIN_RUNS [MAX_RUNS]]" from stdin and answers each
// with one JSON line {"times_ms":[...],"cpu_ms":[...]}: runs until SECONDS and MIN_RUNS are both
// reached, or MAX_RUNS (default unlimited) comes first; at end of input prints {"done":true,
// memory...}. This lets the driver interleave short batches of two engines whose models stay
// loaded.
// --spin US: how long idle pool threads spin before sleeping (SessionOptions::spin_microseconds).
// --profile: times every node (each built-in kernel wrapped in a timer; wall time and CPU time of
// the calling thread) and prints the time per op type and the slowest nodes.
// A model inlay cannot load or run prints {"error":"<first line>"} and exits with status 2.
#include <inlay/inlay.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string dir;
  std::size_t threads = 1;
  std::size_t spin_us = inlay::ThreadPool::kDefaultSpinMicroseconds;
  std::size_t warmup = 3;
  std::size_t runs = 10;
  double min_time = 0.5;
  bool json = false, serve = false, profile = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "inlay_model_bench: " << why << "\n"
            << "usage: inlay_model_bench DIR [--threads N] [--spin US] [--warmup N] [--runs N] "
               "[--min-time S] [--json | --serve | --profile]\n";
  std::exit(64);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value after " + a);
      return argv[++i];
    };
    auto count = [&]() -> std::size_t {
      const std::string v = value();
      char* end = nullptr;
      const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || v[0] == '-') usage(a + " needs a count, not '" + v + "'");
      return static_cast<std::size_t>(n);
    };
    if (a == "--threads") {
      o.threads = count();
      if (o.threads == 0) usage("--threads must be at least 1");
    } else if (a == "--spin") {
      o.spin_us = count();
    } else if (a == "--warmup") {
      o.warmup = count();
    } else if (a == "--runs") {
      o.runs = count();
    } else if (a == "--min-time") {
      const std::string v = value();
      char* end = nullptr;
      o.min_time = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(o.min_time >= 0)) usage("--min-time needs seconds");
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--serve") {
      o.serve = true;
    } else if (a == "--profile") {
      o.profile = true;
    } else if (a == "-h" || a == "--help") {
      usage("help");
    } else if (!a.empty() && a[0] == '-') {
      usage("unknown option " + a);
    } else if (o.dir.empty()) {
      o.dir = a;
    } else {
      usage("one model folder only");
    }
  }
  if (o.dir.empty()) usage("no model folder");
  return o;
}

// Resident memory of this process from /proc/self/status, in KiB (0 where unavailable).
long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0) return std::atol(line.c_str() + key.size());
  }
  return 0;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// The value at fraction q of the sorted samples (nearest rank).
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  return v[static_cast<std::size_t>(std::lround(pos))];
}

std::vector<inlay::Tensor> read_numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<inlay::Tensor> out;
  for (std::size_t i = 0;; ++i) {
    const fs::path p = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    const inlay::onnx::TensorFile f = inlay::onnx::read_tensor_file(p.string());
    out.push_back(inlay::onnx::to_tensor(f.tensor, f.directory));
  }
  return out;
}

// Element i of a numeric tensor as a double (bool and integers included).
double element(const inlay::Tensor& t, std::size_t i) {
  using inlay::DType;
  switch (t.dtype()) {
    case DType::f32: return t.data<float>()[i];
    case DType::f64: return t.data<double>()[i];
    case DType::i64: return static_cast<double>(t.data<std::int64_t>()[i]);
    case DType::i32: return t.data<std::int32_t>()[i];
    case DType::i8: return t.data<std::int8_t>()[i];
    case DType::u8: return t.data<std::uint8_t>()[i];
    case DType::boolean: return t.data<bool>()[i];
    default: return NAN;
  }
}

// Largest |got - ref| over the outputs and the largest |ref| (the caller judges them against the
// model's tolerance); "" when they agree in shape, else why not.
struct Check {
  std::string problem;
  double max_abs_err = 0, max_abs_ref = 0;
  bool compared = false;
};

Check compare(const std::vector<inlay::Tensor>& got, const std::vector<inlay::Tensor>& ref) {
  Check c;
  if (ref.empty()) return c;
  c.compared = true;
  if (got.size() != ref.size()) {
    c.problem =
        std::to_string(got.size()) + " outputs, reference has " + std::to_string(ref.size());
    return c;
  }
  for (std::size_t k = 0; k < ref.size(); ++k) {
    if (got[k].shape() != ref[k].shape()) {
      c.problem = "output " + std::to_string(k) + " has shape " + got[k].shape().to_string() +
                  ", reference " + ref[k].shape().to_string();
      return c;
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(ref[k].numel()); ++i) {
      const double r = element(ref[k], i), g = element(got[k], i);
      if (std::isnan(r) && std::isnan(g)) continue;
      const double d = std::fabs(g - r);
      c.max_abs_err = std::isnan(d) ? INFINITY : std::max(c.max_abs_err, d);
      if (std::isfinite(r)) c.max_abs_ref = std::max(c.max_abs_ref, std::fabs(r));
    }
  }
  return c;
}

// ---- per-node timing (--profile) ----
// Wall time and CPU time of the calling thread per node. With one thread the CPU time is what the
// node itself cost, unaffected by other processes of a shared machine; with a pool it leaves out
// the workers, so the wall time is the figure to read.
double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return 1e9 * static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec);
}

struct NodeTime {
  std::string op_type, name;
  double wall_ns = 0, cpu_ns = 0;
  std::size_t calls = 0;
};
std::vector<NodeTime> g_node_times;  // one per kernel created; written by the calling thread

class TimedKernel final : public inlay::OpKernel {
 public:
  TimedKernel(std::unique_ptr<inlay::OpKernel> inner, std::size_t slot)
      : inner_(std::move(inner)), slot_(slot) {}
  void run(inlay::OpContext& context) const override {
    const Clock::time_point t0 = Clock::now();
    const double c0 = thread_cpu_ns();
    inner_->run(context);
    NodeTime& t = g_node_times[slot_];
    t.cpu_ns += thread_cpu_ns() - c0;
    t.wall_ns += std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    ++t.calls;
  }

 private:
  std::unique_ptr<inlay::OpKernel> inner_;
  std::size_t slot_;
};

// inlay's built-in operators, each kernel wrapped in a timer. Passed as the model's custom ops,
// which are looked up first, so every node built from a built-in entry is timed.
inlay::OpSet timed_builtin_ops() {
  inlay::OpSet set;
  for (const inlay::OpSet::Entry& e : inlay::builtin_ops().entries()) {
    inlay::OpFactory inner = e.factory;
    set.add(e.domain, e.op_type, e.since_version, [inner](const inlay::OpInfo& info) {
      std::unique_ptr<inlay::OpKernel> k = inner(info);
      g_node_times.push_back(NodeTime{info.op_type(), info.node_name(), 0, 0, 0});
      return std::unique_ptr<inlay::OpKernel>(
          std::make_unique<TimedKernel>(std::move(k), g_node_times.size() - 1));
    });
  }
  return set;
}

// Per op type and for the slowest nodes: wall and CPU ms per run and their share of the run.
void print_profile(double wall_ms, double cpu_ms, std::size_t runs) {
  const double n = static_cast<double>(runs);
  const double wall_run = wall_ms / n, cpu_run = cpu_ms / n;
  struct Total {
    double wall = 0, cpu = 0;
    std::size_t nodes = 0;
  };
  std::map<std::string, Total> by_op;
  Total timed;
  std::vector<const NodeTime*> nodes;
  for (const NodeTime& t : g_node_times) {
    if (t.calls == 0) continue;  // folded at load, or not reached
    Total& e = by_op[t.op_type];
    e.wall += t.wall_ns * 1e-6 / n;
    e.cpu += t.cpu_ns * 1e-6 / n;
    ++e.nodes;
    timed.wall += t.wall_ns * 1e-6 / n;
    timed.cpu += t.cpu_ns * 1e-6 / n;
    nodes.push_back(&t);
  }
  std::vector<std::pair<std::string, Total>> ops(by_op.begin(), by_op.end());
  std::sort(ops.begin(), ops.end(),
            [](const auto& a, const auto& b) { return a.second.cpu > b.second.cpu; });
  std::printf("%zu runs: %.4f ms wall, %.4f ms CPU of the calling thread per run\n", runs, wall_run,
              cpu_run);
  std::printf("  %-28s %10s %6s %10s %6s  %s\n", "op type", "wall ms", "%", "CPU ms", "%", "nodes");
  auto row = [&](const std::string& what, double wall, double cpu, const std::string& count) {
    std::printf("  %-28s %10.4f %5.1f%% %10.4f %5.1f%%  %s\n", what.c_str(), wall,
                100 * wall / wall_run, cpu, 100 * cpu / cpu_run, count.c_str());
  };
  for (const auto& [op, e] : ops) row(op, e.wall, e.cpu, std::to_string(e.nodes));
  row("(between nodes)", wall_run - timed.wall, cpu_run - timed.cpu, "");
  std::sort(nodes.begin(), nodes.end(),
            [](const NodeTime* a, const NodeTime* b) { return a->cpu_ns > b->cpu_ns; });
  std::printf("slowest nodes (by CPU time):\n");
  for (std::size_t i = 0; i < nodes.size() && i < 15; ++i) {
    const std::string& full = nodes[i]->name;
    row(full.size() > 28 ? ".." + full.substr(full.size() - 26) : full,
        nodes[i]->wall_ns * 1e-6 / n, nodes[i]->cpu_ns * 1e-6 / n, nodes[i]->op_type);
  }
}

// CPU time of the whole process (every thread) in ms.
double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
}

// Per call: wall time and the CPU time of the process (all threads) in ms. On a machine shared with
// other processes the CPU time still measures the work; the wall time also the waiting.
struct Times {
  std::vector<double> wall, cpu;
};

// Runs until both `min_runs` and `min_seconds` are reached, or `max_runs` first.
Times timed_runs(inlay::Session& session, const std::vector<inlay::Tensor>& inputs,
                 std::size_t min_runs, double min_seconds, std::size_t max_runs = SIZE_MAX) {
  Times times;
  const Clock::time_point start = Clock::now();
  while (times.wall.size() < max_runs &&
         (times.wall.size() < min_runs || ms_since(start) < min_seconds * 1e3)) {
    const Clock::time_point t0 = Clock::now();
    const double c0 = process_cpu_ms();
    std::vector<inlay::Tensor> out = session.run(inputs);
    times.cpu.push_back(process_cpu_ms() - c0);
    times.wall.push_back(ms_since(t0));
  }
  return times;
}

std::string list_json(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + num(v[i]);
  return s + "]";
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

int run(const Options& o, const std::string& name) {
  const long rss_base = status_kib("VmRSS");
  const fs::path dir(o.dir);
  const fs::path data = dir / "test_data_set_0";
  const std::vector<inlay::Tensor> inputs = read_numbered(data, "input");
  const std::vector<inlay::Tensor> expected = read_numbered(data, "output");
  const long rss_inputs = status_kib("VmRSS");

  inlay::OpSet timed;
  inlay::ModelOptions model_options;
  if (o.profile) {
    timed = timed_builtin_ops();
    model_options.custom_ops = &timed;
    model_options.fuse_custom_ops = true;  // the wrapped kernels are inlay's: fuse as a plain load
  }
  inlay::SessionOptions session_options;
  session_options.threads = o.threads;
  session_options.spin_microseconds = o.spin_us;
  const Clock::time_point t_load = Clock::now();
  inlay::Model model = inlay::Model::load((dir / "model.onnx").string(), model_options);
  inlay::Session session(model, session_options);
  const double load_ms = ms_since(t_load);

  const Clock::time_point t_first = Clock::now();
  const std::vector<inlay::Tensor> first = session.run(inputs);
  const double first_run_ms = ms_since(t_first);
  const Check check = compare(first, expected);
  for (std::size_t i = 0; i < o.warmup; ++i) session.run(inputs);

  const std::string head = "{\"tool\":\"inlay\",\"model\":" + json_string(name) +
                           ",\"threads\":" + std::to_string(o.threads) +
                           ",\"cpu_target\":" + json_string(inlay::cpu_target());
  std::string facts = ",\"load_ms\":" + num(load_ms) + ",\"first_run_ms\":" + num(first_run_ms) +
                      ",\"arena_bytes\":" + std::to_string(session.arena_bytes());
  if (check.compared) {
    facts += ",\"check\":{\"max_abs_err\":" + num(check.max_abs_err) +
             ",\"max_abs_ref\":" + num(check.max_abs_ref) +
             ",\"problem\":" + json_string(check.problem) + "}";
  }
  const std::string memory = ",\"rss_base_kib\":" + std::to_string(rss_base) +
                             ",\"rss_inputs_kib\":" + std::to_string(rss_inputs);

  if (o.profile) {
    for (NodeTime& t : g_node_times) t = NodeTime{t.op_type, t.name, 0, 0, 0};  // drop warm-up
    const Clock::time_point t0 = Clock::now();
    const double c0 = thread_cpu_ns();
    const Times times = timed_runs(session, inputs, o.runs, o.min_time);
    const double cpu_ms = (thread_cpu_ns() - c0) * 1e-6;
    print_profile(ms_since(t0), cpu_ms, times.wall.size());
    return 0;
  }
  if (o.serve) {
    std::cout << head << ",\"ready\":true" << facts << memory << "}" << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
      std::istringstream in(line);
      std::string field[3];
      in >> field[0] >> field[1] >> field[2];
      const double seconds = field[0].empty() ? 0.0 : std::strtod(field[0].c_str(), nullptr);
      const std::size_t min_runs =
          field[1].empty() ? 1 : std::strtoull(field[1].c_str(), nullptr, 10);
      const std::size_t max_runs =
          field[2].empty() ? SIZE_MAX : std::strtoull(field[2].c_str(), nullptr, 10);
      const Times times = timed_runs(session, inputs, min_runs, seconds, max_runs);
      std::cout << "{\"times_ms\":" << list_json(times.wall)
                << ",\"cpu_ms\":" << list_json(times.cpu) << "}" << std::endl;
    }
    std::cout << "{\"done\":true,\"peak_rss_kib\":" << status_kib("VmHWM") << memory << "}"
              << std::endl;
    return 0;
  }
  const Times times = timed_runs(session, inputs, o.runs, o.min_time);
  const double median = quantile(times.wall, 0.5), p10 = quantile(times.wall, 0.1),
               p90 = quantile(times.wall, 0.9), cpu_median = quantile(times.cpu, 0.5);
  const long peak = status_kib("VmHWM");
  if (o.json) {
    std::cout << head << facts << ",\"n\":" << times.wall.size() << ",\"median_ms\":" << num(median)
              << ",\"p10_ms\":" << num(p10) << ",\"p90_ms\":" << num(p90)
              << ",\"cpu_median_ms\":" << num(cpu_median) << ",\"peak_rss_kib\":" << peak << memory
              << "}" << std::endl;
  } else {
    std::printf(
        "%s: %zu thread(s), %s, %zu runs: median %.4g ms, p10 %.4g, p90 %.4g, CPU %.4g ms;"
        " load %.3g ms, first run %.3g ms; peak RSS %.1f MiB (%.1f MiB at start)\n",
        name.c_str(), o.threads, inlay::cpu_target(), times.wall.size(), median, p10, p90,
        cpu_median, load_ms, first_run_ms, peak / 1024.0, rss_base / 1024.0);
    if (check.compared) {
      std::printf("output vs reference: %s max |err| %.3g (max |ref| %.3g)\n",
                  check.problem.empty() ? "same shapes," : check.problem.c_str(), check.max_abs_err,
                  check.max_abs_ref);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::string name = fs::path(o.dir).filename().empty()
                               ? fs::path(o.dir).parent_path().filename().string()
                               : fs::path(o.dir).filename().string();
  try {
    return run(o, name);
  } catch (const std::exception& e) {
    std::cout << "{\"tool\":\"inlay\",\"model\":" << json_string(name)
              << ",\"error\":" << json_string(first_line(e.what())) << "}" << std::endl;
    return 2;
  }
}
