#include "PrivateFolder.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace mc {
namespace fs = std::filesystem;

PrivateFolder::PrivateFolder(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw std::runtime_error(tmpl + ": cannot create a temporary folder: " + std::strerror(errno));
  path_ = buf.data();
}

void PrivateFolder::remove() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

std::string PrivateFolder::file(const std::string& name) const { return (fs::path(path_) / name).string(); }

}  // namespace mc
