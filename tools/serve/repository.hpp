// The model repository: a folder in Triton's layout, NAME/VERSION/model.onnx, with an optional
// NAME/config.json that overrides the server's pool settings for that model ({"instances",
// "threads", "max_batch", "max_delay_us", "eager_batching" (0 or 1), "max_queue",
// "timeout_ms"}). Every numbered version
// is loaded; a request without a version goes to the highest. Loading a model again builds its
// new versions first and then swaps them in: a request holds a shared_ptr to the version it
// runs on, so requests in flight finish on the old one, which is freed after the last of them.
// With polling (Repository::poll) new and changed folders load by themselves.
// Names from requests only ever select among the folders found here; a name must match
// [A-Za-z0-9_][A-Za-z0-9_.-]* and a version [1-9][0-9]*, so no request reaches another path.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <inlay/inlay.hpp>
#include <nlohmann/json.hpp>

#include "drift.hpp"
#include "feedback.hpp"
#include "metrics.hpp"
#include "request_error.hpp"
#include "session_pool.hpp"

namespace inlay_serve {

namespace fs = std::filesystem;

inline bool valid_model_name(const std::string& s) {
  if (s.empty() || s.size() > 128 || s[0] == '.' || s[0] == '-') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

inline bool valid_version(const std::string& s) {
  if (s.empty() || s.size() > 18 || s[0] == '0') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct LoadedModel {
  LoadedModel(std::string n, std::string v, inlay::Model m)
      : name(std::move(n)), version(std::move(v)), model(std::move(m)) {}
  std::string name, version;
  inlay::Model model;
  std::unique_ptr<SessionPool> pool;
  std::unique_ptr<DriftMonitor> drift;
  std::unique_ptr<FeedbackTracker> feedback = std::make_unique<FeedbackTracker>();
  double load_seconds = 0;
};

// The pool settings of NAME/config.json over the server's defaults.
inline PoolConfig read_model_config(const fs::path& file, PoolConfig config) {
  std::ifstream in(file);
  if (!in) return config;
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    inlay::fail(inlay::ErrorKind::invalid_argument, file.string() + ": not JSON: " + e.what());
  }
  if (!j.is_object())
    inlay::fail(inlay::ErrorKind::invalid_argument, file.string() + ": not a JSON object");
  for (const auto& item : j.items()) {
    const nlohmann::json& v = item.value();
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 1000000000) {
      inlay::fail(inlay::ErrorKind::invalid_argument,
                  file.string() + ": '" + item.key() + "' must be a whole number >= 0");
    }
    const std::int64_t n = v.get<std::int64_t>();
    const std::string& k = item.key();
    if (k == "instances" && n >= 1 && n <= 256) {
      config.instances = static_cast<std::size_t>(n);
    } else if (k == "threads" && n >= 1 && n <= 1024) {
      config.threads = static_cast<std::size_t>(n);
    } else if (k == "max_batch") {
      config.max_batch = n;
    } else if (k == "max_delay_us") {
      config.max_delay_us = n;
    } else if (k == "max_queue" && n >= 1) {
      config.max_queue = static_cast<std::size_t>(n);
    } else if (k == "eager_batching" && n <= 1) {
      config.eager = n == 1;
    } else if (k == "timeout_ms" && n >= 1) {
      config.timeout_ms = n;
    } else {
      inlay::fail(inlay::ErrorKind::invalid_argument,
                  file.string() + ": unknown key or value out of range: '" + k + "'");
    }
  }
  return config;
}

class Repository {
 public:
  using Versions = std::map<std::int64_t, std::shared_ptr<const LoadedModel>>;

  Repository(fs::path root, PoolConfig defaults, Metrics& metrics)
      : root_(std::move(root)), defaults_(defaults), metrics_(metrics) {
    if (!fs::is_directory(root_))
      inlay::fail(inlay::ErrorKind::io, root_.string() + ": the model repository is not a folder");
  }

  // Loads every model folder; returns "name: error" for those that failed (they stay unloaded).
  std::vector<std::string> load_all() {
    std::vector<std::string> errors;
    for (const std::string& name : folder_names()) {
      try {
        load(name);
      } catch (const std::exception& e) { errors.push_back(name + ": " + e.what()); }
    }
    return errors;
  }

  // (Re)loads every version of a model. RequestError 404 when there is no such folder, 400 when
  // a version fails to load (the versions loaded before stay).
  void load(const std::string& name) {
    if (!valid_model_name(name) || !fs::is_directory(root_ / name))
      throw RequestError(404, "no model '" + name + "' in the repository");
    std::lock_guard<std::mutex> one_load_at_a_time(load_mutex_);
    {
      // What poll() compares against, recorded even when the load fails (it is not retried
      // until the files change).
      const std::string signature = folder_signature(name);
      std::lock_guard<std::mutex> lock(mutex_);
      signatures_[name] = signature;
    }
    const PoolConfig config = read_model_config(root_ / name / "config.json", defaults_);
    Versions fresh;
    for (const fs::directory_entry& e : fs::directory_iterator(root_ / name)) {
      const std::string v = e.path().filename().string();
      if (!e.is_directory() || !valid_version(v) || !fs::is_regular_file(e.path() / "model.onnx"))
        continue;
      const auto start = Clock::now();
      std::shared_ptr<LoadedModel> loaded;
      try {
        loaded = std::make_shared<LoadedModel>(
            name, v, inlay::Model::load((e.path() / "model.onnx").string()));
        loaded->pool = std::make_unique<SessionPool>(loaded->model, config);
        loaded->drift =
            std::make_unique<DriftMonitor>(loaded->model, e.path() / "drift_reference.json");
      } catch (const std::exception& ex) {
        throw RequestError(400, "model '" + name + "' version " + v + ": " + ex.what());
      }
      loaded->load_seconds = std::chrono::duration<double>(Clock::now() - start).count();
      metrics_.set_load_seconds(name, v, loaded->load_seconds);
      fresh[std::stoll(v)] = std::move(loaded);
    }
    if (fresh.empty())
      throw RequestError(400, "model '" + name + "' has no VERSION/model.onnx folder");
    std::lock_guard<std::mutex> lock(mutex_);
    models_[name] = std::move(fresh);
  }

  void unload(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (models_.erase(name) == 0) throw RequestError(404, "model '" + name + "' is not loaded");
  }

  // Brings the loaded models in line with the folder: loads new model folders and those whose
  // files changed since they were last loaded, unloads models whose folder is gone. A model
  // unloaded by request stays unloaded until its files change. Returns "name: error" per failed
  // load.
  std::vector<std::string> poll() {
    std::vector<std::string> errors;
    const std::vector<std::string> names = folder_names();
    std::vector<std::string> to_load, to_unload;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const std::string& name : names) {
        const auto seen = signatures_.find(name);
        if (seen == signatures_.end() || seen->second != folder_signature(name))
          to_load.push_back(name);
      }
      for (const auto& m : models_) {
        if (!std::binary_search(names.begin(), names.end(), m.first)) to_unload.push_back(m.first);
      }
    }
    for (const std::string& name : to_load) {
      try {
        load(name);
      } catch (const std::exception& e) { errors.push_back(name + ": " + e.what()); }
    }
    for (const std::string& name : to_unload) {
      std::lock_guard<std::mutex> lock(mutex_);
      models_.erase(name);
      signatures_.erase(name);
    }
    return errors;
  }

  // The version to serve ("" = the newest), or nullptr.
  std::shared_ptr<const LoadedModel> find(const std::string& name,
                                          const std::string& version = "") const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto m = models_.find(name);
    if (m == models_.end() || m->second.empty()) return nullptr;
    if (version.empty()) return m->second.rbegin()->second;
    if (!valid_version(version)) return nullptr;
    const auto v = m->second.find(std::stoll(version));
    return v == m->second.end() ? nullptr : v->second;
  }

  std::vector<std::string> versions(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    const auto m = models_.find(name);
    if (m != models_.end()) {
      for (const auto& v : m->second) out.push_back(std::to_string(v.first));
    }
    return out;
  }

  // The versions of a model folder with their model.onnx sizes and times, and config.json's.
  std::string folder_signature(const std::string& name) const {
    std::vector<std::string> parts;
    std::error_code ec;
    auto stamp = [&](const fs::path& file) {
      const auto size = fs::file_size(file, ec);
      const auto time = fs::last_write_time(file, ec).time_since_epoch().count();
      return std::to_string(ec ? 0 : size) + "@" + std::to_string(ec ? 0 : time);
    };
    for (const fs::directory_entry& e : fs::directory_iterator(root_ / name, ec)) {
      const std::string v = e.path().filename().string();
      if (valid_version(v) && fs::is_regular_file(e.path() / "model.onnx", ec))
        parts.push_back(v + ":" + stamp(e.path() / "model.onnx"));
    }
    if (fs::exists(root_ / name / "config.json", ec))
      parts.push_back("config:" + stamp(root_ / name / "config.json"));
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const std::string& p : parts) out += p + ";";
    return out;
  }

  // Every model folder with a valid name, loaded or not.
  std::vector<std::string> folder_names() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(root_)) {
      const std::string n = e.path().filename().string();
      if (e.is_directory() && valid_model_name(n)) names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // Every loaded version, for the metrics page.
  std::vector<std::shared_ptr<const LoadedModel>> all_loaded() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::shared_ptr<const LoadedModel>> out;
    for (const auto& m : models_) {
      for (const auto& v : m.second) out.push_back(v.second);
    }
    return out;
  }

  std::vector<std::string> loaded_names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& m : models_) out.push_back(m.first);
    return out;
  }

 private:
  fs::path root_;
  PoolConfig defaults_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::mutex load_mutex_;
  std::map<std::string, Versions> models_;
  std::map<std::string, std::string> signatures_;  // folder_signature() at the last load
};

}  // namespace inlay_serve
