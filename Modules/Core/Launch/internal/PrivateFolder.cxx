#include "PrivateFolder.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace mc {
namespace fs = std::filesystem;

namespace {

// Starts `sh -c 'read x; rm -rf -- "$0"' folder` with its stdin on a new pipe (read, a shell
// builtin, returns at end of file); returns the pipe's write end (close-on-exec, so mpirun and the
// ranks do not hold it) and sets `pid`.
int startWatcher(const std::string& folder, pid_t& pid) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);  // dup2 clears close-on-exec on the copy
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  const char* script = "read x; rm -rf -- \"$0\"";
  std::vector<char*> argv = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>(script),
                             const_cast<char*>(folder.c_str()), nullptr};
  const int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    pid = -1;
    return -1;
  }
  return fds[1];
}

}  // namespace

PrivateFolder::PrivateFolder(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw std::runtime_error(tmpl + ": cannot create a temporary folder: " + std::strerror(errno));
  path_ = buf.data();
  watcherPipe_ = startWatcher(path_, watcher_);
}

void PrivateFolder::remove() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
  if (watcherPipe_ >= 0) {
    ::close(watcherPipe_);
    watcherPipe_ = -1;
  }
  if (watcher_ > 0) {
    // The folder is gone: the watcher has nothing left to do, and is stopped rather than waited
    // for (starting rm under a loaded machine would delay the end of the run); reaped so that it
    // leaves no zombie.
    ::kill(watcher_, SIGKILL);
    int status = 0;
    while (::waitpid(watcher_, &status, 0) < 0 && errno == EINTR) {
    }
    watcher_ = -1;
  }
}

std::string PrivateFolder::file(const std::string& name) const { return (fs::path(path_) / name).string(); }

}  // namespace mc
