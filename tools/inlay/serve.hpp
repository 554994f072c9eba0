// `inlay serve ARGS`: runs the inlay-serve program installed beside this one with ARGS (exec),
// so that the CLI itself does not link the HTTP library. inlay-serve is built only where
// cpp-httplib and nlohmann-json are installed; without it the command says so.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "args.hpp"

namespace inlay_cli {

inline int serve_command(const std::vector<std::string>& args) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path server =
      ec ? std::filesystem::path("inlay-serve") : self.parent_path() / "inlay-serve";
  if (!ec && !std::filesystem::exists(server)) {
    usage_error("serve: " + server.string() +
                " is not installed (it is built where cpp-httplib and nlohmann-json are)");
  }
  std::vector<std::string> owned{server.string()};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : owned) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  execv(argv[0], argv.data());  // returns only on failure
  usage_error("serve: cannot run " + server.string() + ": " + std::strerror(errno));
}

}  // namespace inlay_cli
