// inlay: the command-line tool (CMake target inlay-cli).
//   inlay check DIR [--rtol R] [--atol A] [-v]
//   inlay check --suite ROOT [--rtol R] [--atol A] [--passed-list FILE] [--expect-passed FILE] [-v]
// Exit code 0 on success, 1 on a failed check or an error (always a one-line message).
#define INLAY_IMPLEMENTATION
#include <inlay/inlay.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "check.hpp"

namespace {

using namespace inlay_cli;

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "inlay: %s\n", message.c_str());
  std::fprintf(stderr,
               "usage: inlay check DIR [--rtol R] [--atol A] [-v]\n"
               "       inlay check --suite ROOT [--rtol R] [--atol A] [--passed-list FILE]\n"
               "                   [--expect-passed FILE] [-v]\n");
  std::exit(1);
}

double parse_number(const std::string& flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= 0)) usage_error(flag + " needs a number >= 0, not '" + text + "'");
  return v;
}

int check_command(const std::vector<std::string>& args) {
  Tolerance tol;
  std::string suite, dir, passed_list, expect_passed;
  bool verbose = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) usage_error(a + " needs a value");
      return args[++i];
    };
    if (a == "--suite") suite = value();
    else if (a == "--rtol") tol.rtol = parse_number(a, value().c_str());
    else if (a == "--atol") { tol.atol = parse_number(a, value().c_str()); tol.atol_given = true; }
    else if (a == "--passed-list") passed_list = value();
    else if (a == "--expect-passed") expect_passed = value();
    else if (a == "-v" || a == "--verbose") verbose = true;
    else if (!a.empty() && a[0] == '-') usage_error("unknown option " + a);
    else if (dir.empty()) dir = a;
    else usage_error("more than one folder given");
  }
  if (suite.empty()) {
    if (dir.empty()) usage_error("check needs a folder");
    const CaseResult r = check_folder(dir, tol, true);
    std::printf("%s", r.detail.c_str());
    if (!r.detail.empty() && r.detail.back() != '\n') std::printf("\n");
    const char* verdict = r.verdict == Verdict::passed ? "passed" : r.verdict == Verdict::skipped ? "skipped" : "failed";
    std::printf("%s: %s\n", dir.c_str(), verdict);
    return r.verdict == Verdict::passed ? 0 : 1;
  }
  if (!fs::is_directory(suite)) usage_error("--suite " + suite + ": not a folder");
  std::set<std::string> expected;
  if (!expect_passed.empty()) {
    std::ifstream in(expect_passed);
    if (!in) usage_error("cannot read " + expect_passed);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line[0] != '#') expected.insert(line);
    }
  }
  std::size_t passed = 0, failed = 0, skipped = 0;
  std::vector<std::string> passed_names, regressions;
  for (const fs::path& c : find_cases(suite)) {
    const std::string name = fs::relative(c, suite).string();
    const CaseResult r = check_folder(c, tol, false);
    const char* verdict = "FAILED";
    if (r.verdict == Verdict::passed) {
      ++passed;
      passed_names.push_back(name);
      verdict = "passed";
    } else if (r.verdict == Verdict::skipped) {
      ++skipped;
      verdict = "skipped";
    } else {
      ++failed;
    }
    if (r.verdict != Verdict::passed && expected.count(name)) regressions.push_back(name + ": " + r.detail);
    if (verbose || r.verdict == Verdict::failed) {
      std::printf("%-60s %s  %s\n", name.c_str(), verdict, r.verdict == Verdict::passed ? "" : r.detail.c_str());
    }
  }
  if (!passed_list.empty()) {
    std::ofstream out(passed_list);
    for (const auto& n : passed_names) out << n << "\n";
    if (!out) usage_error("cannot write " + passed_list);
  }
  for (const auto& r : regressions) std::printf("REGRESSION (passed before): %s\n", r.c_str());
  std::printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
  if (!expected.empty()) return regressions.empty() ? 0 : 1;
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) usage_error("no command");
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "check") return check_command(args);
    usage_error("unknown command '" + command + "'");
  } catch (const inlay::Error& e) {
    std::fprintf(stderr, "inlay: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "inlay: %s\n", e.what());
    return 1;
  }
}
