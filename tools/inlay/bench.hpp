// `inlay bench MODEL [-i FILE...] [--threads N] [--runs N] [--warmup N] [--json]`: times
// Session::run_into on one set of inputs (the -i files, else ones of the declared shapes with
// symbolic dimensions = 1) and prints the median, p10 and p90 in milliseconds; with --json one
// JSON object (median_ms, p10_ms, p90_ms ...) for scripts such as bench/.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/resource.h>
#endif

#include <inlay/inlay.hpp>

#include "args.hpp"
#include "model_inputs.hpp"
#include "text.hpp"

namespace inlay_cli {

// The value below which a fraction q of the sorted samples lie (linear interpolation).
inline double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

// Peak resident memory of this process in MiB (0 where the OS does not say).
inline double peak_rss_mib() {
#if defined(__APPLE__)
  rusage u{};
  return getrusage(RUSAGE_SELF, &u) == 0 ? static_cast<double>(u.ru_maxrss) / (1024.0 * 1024.0) : 0;
#elif defined(__unix__)
  rusage u{};
  return getrusage(RUSAGE_SELF, &u) == 0 ? static_cast<double>(u.ru_maxrss) / 1024.0 : 0;
#else
  return 0;
#endif
}

inline int bench_command(const std::vector<std::string>& argv) {
  using clock = std::chrono::steady_clock;
  auto ms_since = [](clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  };
  ArgReader args(argv);
  std::string model_path;
  std::vector<std::string> inputs;
  long runs = 0, warmup = 5;  // runs 0: as many as fit in about one second, at least 10
  bool json = false;
  inlay::SessionOptions options;
  while (!args.done()) {
    const std::string& a = args.next();
    if (a == "-i" || a == "--input") {
      for (const std::string& v : args.values(a)) inputs.push_back(v);
    } else if (a == "--threads") {
      options.threads = static_cast<std::size_t>(parse_count(a, args.value(a), 1, 1024));
    } else if (a == "--runs") {
      runs = parse_count(a, args.value(a), 1, 100000000);
    } else if (a == "--warmup") {
      warmup = parse_count(a, args.value(a), 0, 100000000);
    } else if (a == "--json") {
      json = true;
    } else if (is_option(a)) {
      usage_error("bench: unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      usage_error("bench: more than one model given ('" + model_path + "' and '" + a + "')");
    }
  }
  if (model_path.empty()) usage_error("bench needs a model file");

  auto t0 = clock::now();
  const inlay::Model model = inlay::Model::load(model_path);
  const double load_ms = ms_since(t0);
  const std::vector<inlay::Tensor> in =
      inputs.empty() ? filled_inputs(model, Fill::ones) : input_files(model, inputs);
  inlay::Session session(model, options);
  std::vector<inlay::Tensor> out;
  t0 = clock::now();
  session.run_into(in, out);  // plans the arena
  const double first_run_ms = ms_since(t0);
  for (long i = 0; i < warmup; ++i) session.run_into(in, out);

  std::vector<double> times;
  const auto start = clock::now();
  for (long i = 0; runs ? i < runs : (i < 10 || ms_since(start) < 1000.0) && i < 1000000; ++i) {
    t0 = clock::now();
    session.run_into(in, out);
    times.push_back(ms_since(t0));
  }
  std::sort(times.begin(), times.end());
  double sum = 0;
  for (double t : times) sum += t;
  const double median = quantile(times, 0.5), p10 = quantile(times, 0.1),
               p90 = quantile(times, 0.9);
  const std::size_t threads = options.threads;
  if (json) {
    std::printf(
        "{\"model\": %s, \"threads\": %zu, \"cpu_target\": %s, \"runs\": %zu, \"warmup\": %ld, "
        "\"median_ms\": %s, \"p10_ms\": %s, \"p90_ms\": %s, \"mean_ms\": %s, \"min_ms\": %s, "
        "\"max_ms\": %s, \"load_ms\": %s, \"first_run_ms\": %s, \"arena_bytes\": %zu, "
        "\"peak_rss_mib\": %s}\n",
        json_string(model_path).c_str(), threads, json_string(inlay::cpu_target()).c_str(),
        times.size(), warmup, number(median, 6).c_str(), number(p10, 6).c_str(),
        number(p90, 6).c_str(), number(sum / times.size(), 6).c_str(),
        number(times.front(), 6).c_str(), number(times.back(), 6).c_str(),
        number(load_ms, 6).c_str(), number(first_run_ms, 6).c_str(), session.arena_bytes(),
        number(peak_rss_mib(), 6).c_str());
  } else {
    std::printf(
        "%s: median %s ms, p10 %s ms, p90 %s ms (%zu runs after %ld warm-up, %zu thread%s, %s)\n",
        model_path.c_str(), number(median).c_str(), number(p10).c_str(), number(p90).c_str(),
        times.size(), warmup, threads, threads == 1 ? "" : "s", inlay::cpu_target());
    std::printf("load %s ms, first run %s ms, arena %s, peak memory %s MiB\n",
                number(load_ms).c_str(), number(first_run_ms).c_str(),
                human_bytes(static_cast<double>(session.arena_bytes())).c_str(),
                number(peak_rss_mib(), 4).c_str());
  }
  return 0;
}

}  // namespace inlay_cli
