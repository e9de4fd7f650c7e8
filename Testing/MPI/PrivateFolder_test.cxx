// The MPI job's private folder in TMPDIR goes away however its owner ends, SIGKILL included.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "PrivateFolder.h"

namespace fs = std::filesystem;

namespace {

bool goneWithin(const std::string& path, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (!fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !fs::exists(path);
}

// A child process makes a PrivateFolder with a file in it, sends back its path, waits to be killed.
std::string folderOfKilledChild(int signal) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    mc::PrivateFolder folder("mc-test-");
    FILE* f = std::fopen(folder.file("job.txt").c_str(), "w");
    std::fputs("job", f);
    std::fclose(f);
    const std::string path = folder.path() + "\n";
    if (::write(fds[1], path.data(), path.size()) < 0) ::_exit(3);
    for (;;) ::pause();
  }
  ::close(fds[1]);
  std::string path;
  char c;
  while (::read(fds[0], &c, 1) == 1 && c != '\n') path += c;
  ::close(fds[0]);
  EXPECT_TRUE(fs::exists(fs::path(path) / "job.txt")) << path;
  ::kill(pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  return path;
}

}  // namespace

TEST(PrivateFolder, RemovedWhenItsOwnerIsKilledWithSigkill) {
  // No destructor or handler runs on SIGKILL: the watcher process removes it.
  const std::string path = folderOfKilledChild(SIGKILL);
  EXPECT_TRUE(goneWithin(path, 5.0)) << path << " is still there after its owner was killed";
}

TEST(PrivateFolder, RemovedAtOnceOnNormalEndAndLeavesNoProcess) {
  std::string path;
  {
    mc::PrivateFolder folder("mc-test-");
    path = folder.path();
    EXPECT_TRUE(fs::is_directory(path));
  }
  EXPECT_FALSE(fs::exists(path));
  // The watcher was reaped by remove(): this process has no child left.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}
