#pragma once
// A folder in TMPDIR that only one run uses (the MPI job file, Open MPI's session folder, the
// worker's input and images), removed with everything in it when the run ends, whichever way.
//
// "Whichever way" includes SIGKILL of the process that made it, which runs no destructor and no
// handler: a small watcher process (/bin/sh, in its own session so a signal to the process group
// spares it) holds the read end of a pipe whose only write end is ours, and removes the folder when
// that end closes, which the kernel does when we die. (The MPI ranks also remove it as they die,
// but a launcher killed before they start leaves no rank to do it.)
#include <string>
#include <sys/types.h>

namespace mc {

class PrivateFolder {
public:
  // mkdtemp of TMPDIR/<prefix>XXXXXX and its watcher; throws std::runtime_error naming the folder
  // when it cannot be made (a watcher that cannot be started only loses the SIGKILL guarantee).
  explicit PrivateFolder(const std::string& prefix);
  ~PrivateFolder() { remove(); }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;

  // Removes the folder now and lets the watcher go (also for a path on which no destructor will
  // run, such as a raised signal).
  void remove();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const;

private:
  std::string path_;
  int watcherPipe_ = -1;  // write end; closing it (or dying) tells the watcher to remove the folder
  pid_t watcher_ = -1;
};

}  // namespace mc
