// The server's metrics and their rendering in the Prometheus text exposition format (version
// 0.0.4): request counters by model, version and status; latency histograms of the queue, the
// computation and the whole request; batch sizes; requests in flight; model load times; the
// process's resident memory and CPU time.
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace inlay_serve {

// A label value with the escapes the text format needs.
inline std::string label_value(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

inline std::string model_labels(const std::string& model, const std::string& version) {
  return "model=\"" + label_value(model) + "\",version=\"" + label_value(version) + "\"";
}

// Cumulative buckets, as Prometheus reads them.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds = {})
      : bounds_(std::move(bounds)), counts_(bounds_.size(), 0) {}
  void observe(double v) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      if (v <= bounds_[i]) ++counts_[i];
    }
    sum_ += v;
    ++count_;
  }
  void render(std::string& out, const std::string& name, const std::string& labels) const {
    char num[64];
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      std::snprintf(num, sizeof num, "%g", bounds_[i]);
      out +=
          name + "_bucket{" + labels + ",le=\"" + num + "\"} " + std::to_string(counts_[i]) + "\n";
    }
    out += name + "_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(count_) + "\n";
    std::snprintf(num, sizeof num, "%.9g", sum_);
    out += name + "_sum{" + labels + "} " + num + "\n";
    out += name + "_count{" + labels + "} " + std::to_string(count_) + "\n";
  }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

inline std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

// Resident set size in bytes, from /proc/self/statm (0 where there is no /proc).
inline double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// Bytes the allocator has handed out and not got back (glibc's mallinfo2; -1 elsewhere): flat
// while the resident size grows means fragmentation, not a leak.
inline double heap_in_use_bytes() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = mallinfo2();
  const double used = static_cast<double>(m.uordblks + m.hblkhd);
  return used > 0 ? used : -1;  // 0: a sanitizer's allocator replaced glibc's, which counts nothing
#else
  return -1;
#endif
}

inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Sample lines regrouped so that each metric's lines follow one "# TYPE" line, as the format
// requires (names ending in _total are counters, the others gauges).
inline std::string group_families(const std::string& lines) {
  std::vector<std::string> names;
  std::map<std::string, std::string> families;
  std::size_t at = 0;
  while (at < lines.size()) {
    std::size_t end = lines.find('\n', at);
    if (end == std::string::npos) end = lines.size();
    const std::string line = lines.substr(at, end - at);
    at = end + 1;
    const std::string name = line.substr(0, line.find_first_of("{ "));
    if (families.count(name) == 0) names.push_back(name);
    families[name] += line + "\n";
  }
  std::string out;
  for (const std::string& n : names) {
    const bool counter = n.size() > 6 && n.compare(n.size() - 6, 6, "_total") == 0;
    out += "# TYPE " + n + (counter ? " counter\n" : " gauge\n") + families[n];
  }
  return out;
}

class Metrics {
 public:
  // One finished request of a model ("" where no model was found) with its HTTP status.
  void count_request(const std::string& model, const std::string& version, int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_[model_labels(model, version) + ",status=\"" + std::to_string(status) + "\""];
  }
  // Seconds of one request: waiting in the queue, computing its batch, and in all.
  void observe_latency(const std::string& model, const std::string& version, double queue,
                       double compute, double total) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string labels = model_labels(model, version);
    histogram(queue_, labels, latency_buckets()).observe(queue);
    histogram(compute_, labels, latency_buckets()).observe(compute);
    histogram(total_, labels, latency_buckets()).observe(total);
    Second& now = timeline_[model][static_cast<std::size_t>(epoch_second() % timeline_seconds)];
    if (now.epoch != epoch_second()) now = Second{epoch_second(), 0, 0};
    ++now.requests;
    now.latency_sum += total;
  }

  // One second of a model's answered requests, for the status page.
  struct Second {
    std::int64_t epoch = 0;  // seconds since 1970
    std::uint64_t requests = 0;
    double latency_sum = 0;
  };
  static constexpr std::int64_t timeline_seconds = 300;
  static std::int64_t epoch_second() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // The last timeline_seconds seconds of each model, oldest first (seconds without requests
  // are zeros).
  std::map<std::string, std::vector<Second>> timelines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::map<std::string, std::vector<Second>> out;
    const std::int64_t now = epoch_second();
    for (const auto& m : timeline_) {
      std::vector<Second>& line = out[m.first];
      for (std::int64_t t = now - timeline_seconds + 1; t <= now; ++t) {
        const Second& s = m.second[static_cast<std::size_t>(t % timeline_seconds)];
        line.push_back(s.epoch == t ? s : Second{t, 0, 0});
      }
    }
    return out;
  }
  void observe_batch(const std::string& model, const std::string& version, std::int64_t rows) {
    std::lock_guard<std::mutex> lock(mutex_);
    histogram(batch_, model_labels(model, version), {1, 2, 4, 8, 16, 32, 64, 128, 256})
        .observe(static_cast<double>(rows));
  }
  void set_load_seconds(const std::string& model, const std::string& version, double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    load_seconds_[model_labels(model, version)] = seconds;
  }

  std::atomic<std::int64_t> in_flight{0};

  std::string render() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    char num[64];
    out +=
        "# HELP inlay_requests_total Inference requests by model, version and HTTP status.\n"
        "# TYPE inlay_requests_total counter\n";
    for (const auto& r : requests_)
      out += "inlay_requests_total{" + r.first + "} " + std::to_string(r.second) + "\n";
    out +=
        "# HELP inlay_request_failures_total Inference requests answered with an error status.\n"
        "# TYPE inlay_request_failures_total counter\n";
    std::map<std::string, std::uint64_t> failures;
    for (const auto& r : requests_) {
      const std::size_t at = r.first.find(",status=\"");
      if (r.first.compare(at + 9, 1, "2") != 0) failures[r.first.substr(0, at)] += r.second;
    }
    for (const auto& f : failures)
      out += "inlay_request_failures_total{" + f.first + "} " + std::to_string(f.second) + "\n";
    render_histograms(out, "inlay_queue_seconds", "Seconds a request waited for a session.",
                      queue_);
    render_histograms(out, "inlay_compute_seconds",
                      "Seconds of Session::run for the batch a request was part of.", compute_);
    render_histograms(out, "inlay_request_seconds",
                      "Seconds from a request's arrival to its answer.", total_);
    render_histograms(out, "inlay_batch_size", "Rows of each batch run by the session pool.",
                      batch_);
    out +=
        "# HELP inlay_requests_in_flight Inference requests being served now.\n"
        "# TYPE inlay_requests_in_flight gauge\n"
        "inlay_requests_in_flight " +
        std::to_string(in_flight.load()) + "\n";
    out +=
        "# HELP inlay_model_load_seconds Seconds the last load of a model version took.\n"
        "# TYPE inlay_model_load_seconds gauge\n";
    for (const auto& l : load_seconds_) {
      std::snprintf(num, sizeof num, "%.6g", l.second);
      out += "inlay_model_load_seconds{" + l.first + "} " + num + "\n";
    }
    std::snprintf(num, sizeof num, "%.0f", resident_bytes());
    out +=
        "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
        "# TYPE process_resident_memory_bytes gauge\n"
        "process_resident_memory_bytes " +
        std::string(num) + "\n";
    std::snprintf(num, sizeof num, "%.0f", heap_in_use_bytes());
    out +=
        "# HELP inlay_heap_in_use_bytes Heap bytes allocated and not freed (glibc).\n"
        "# TYPE inlay_heap_in_use_bytes gauge\n"
        "inlay_heap_in_use_bytes " +
        std::string(num) + "\n";
    std::snprintf(num, sizeof num, "%.6f", cpu_seconds());
    out +=
        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
        "# TYPE process_cpu_seconds_total counter\n"
        "process_cpu_seconds_total " +
        std::string(num) + "\n";
    return out;
  }

 private:
  using Histograms = std::map<std::string, Histogram>;
  static Histogram& histogram(Histograms& h, const std::string& labels,
                              std::vector<double> bounds) {
    auto it = h.find(labels);
    if (it == h.end()) it = h.emplace(labels, Histogram(std::move(bounds))).first;
    return it->second;
  }
  static void render_histograms(std::string& out, const std::string& name, const std::string& help,
                                const Histograms& h) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
    for (const auto& e : h) e.second.render(out, name, e.first);
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> requests_;
  Histograms queue_, compute_, total_, batch_;
  std::map<std::string, double> load_seconds_;
  std::map<std::string, std::array<Second, timeline_seconds>> timeline_;
};

}  // namespace inlay_serve
