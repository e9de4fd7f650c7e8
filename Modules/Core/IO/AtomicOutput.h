#pragma once
// Outputs never appear half-written: each is written to a temporary file beside the target and
// renamed over it when complete. Temporary files are registered so that a signal handler (SIGTERM,
// SIGINT) can remove them before the process dies.
#include <functional>
#include <string>
#include <vector>

namespace mc {

// A temporary path in the target's folder that keeps the target's extension (ITK picks its IO by it).
std::string temporaryPathFor(const std::string& target);

// Writes through writer(tmpPath), then renames tmpPath to target. On any exception the temporary
// file is removed and the exception propagates; the target is untouched.
void writeAtomically(const std::string& target, const std::function<void(const std::string& tmpPath)>& writer);
void writeTextAtomically(const std::string& target, const std::string& content);

// Installs SIGTERM/SIGINT/SIGHUP handlers that delete registered temporary files and exit(128+sig),
// and ignores SIGXFSZ, so that a write past the file-size limit fails (EFBIG) and is reported.
void installTemporaryFileCleanupOnSignals();

// Throws std::invalid_argument (one line naming the output) before any work if any two outputs are
// the same file, an output is one of the inputs (empty paths are skipped), an output is a folder,
// or its folder is missing or not writable.
void checkOutputPaths(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs);

}  // namespace mc

namespace mc {

// Several outputs that appear together or not at all: each is staged to a temporary file, and
// commit() renames them all. Destroyed before commit(), it removes what it staged.
class OutputTransaction {
public:
  OutputTransaction() = default;
  OutputTransaction(const OutputTransaction&) = delete;
  OutputTransaction& operator=(const OutputTransaction&) = delete;
  ~OutputTransaction();
  void stage(const std::string& target, const std::function<void(const std::string& tmpPath)>& writer);
  void stageText(const std::string& target, const std::string& content);
  // Reserves a temporary for `target` and returns its path, for a caller that writes it over time
  // (VolumeSeriesWriter); commit() renames it with the others, and a failure removes it.
  std::string stagePath(const std::string& target);
  std::vector<std::string> commit();  // returns the targets written

private:
  struct Staged {
    std::string tmp, target;
    int slot;  // in the signal handler's registry
  };
  std::vector<Staged> staged_;
};

}  // namespace mc
