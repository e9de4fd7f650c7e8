#pragma once
// A folder in TMPDIR that only one run uses (the MPI job file, Open MPI's session folder, the
// worker's input and images), removed with everything in it when the run ends, whichever way.
#include <string>

namespace mc {

class PrivateFolder {
public:
  // mkdtemp of TMPDIR/<prefix>XXXXXX; throws std::runtime_error naming it when that fails.
  explicit PrivateFolder(const std::string& prefix);
  ~PrivateFolder() { remove(); }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;

  // Removes the folder now (for a path on which no destructor will run, such as a raised signal).
  void remove();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const;

private:
  std::string path_;
};

}  // namespace mc
