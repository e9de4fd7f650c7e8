#include "AtomicOutput.h"

#include <atomic>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include "ImageIO.h"  // ImageIOError

namespace mc {
namespace {

// Fixed storage, so that the signal handler reads it without allocating or locking.
constexpr int kSlots = 64;
constexpr int kPathMax = 4096;
char gPaths[kSlots][kPathMax];
std::atomic<bool> gUsed[kSlots];
std::mutex gRegistryMutex;

int registerTemporary(const std::string& path) {
  std::lock_guard<std::mutex> lock(gRegistryMutex);
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i)
    if (!gUsed[i].load()) {
      std::memcpy(gPaths[i], path.c_str(), path.size() + 1);
      gUsed[i].store(true);
      return i;
    }
  return -1;
}

void unregisterTemporary(int slot) {
  if (slot >= 0) gUsed[slot].store(false);
}

extern "C" void removeTemporariesAndExit(int sig) {
  for (int i = 0; i < kSlots; ++i)
    if (gUsed[i].load()) ::unlink(gPaths[i]);
  ::_exit(128 + sig);
}

std::string extensionOf(const std::string& name) {
  for (const char* e : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".txt", ".tsv", ".csv"}) {
    const std::size_t n = std::strlen(e);
    if (name.size() > n && name.compare(name.size() - n, n, e) == 0) return e;
  }
  const auto dot = name.find_last_of('.');
  return dot == std::string::npos ? std::string() : name.substr(dot);
}

std::atomic<int> gCounter{0};

}  // namespace

std::string temporaryPathFor(const std::string& target) {
  namespace fs = std::filesystem;
  const fs::path t(target);
  const std::string name = t.filename().string();
  const std::string ext = extensionOf(name);
  const std::string stem = name.substr(0, name.size() - ext.size());
  const std::string tmpName = "." + stem + ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(gCounter++) + ext;
  return (t.parent_path() / tmpName).string();
}

void writeAtomically(const std::string& target, const std::function<void(const std::string&)>& writer) {
  OutputTransaction tx;
  tx.stage(target, writer);
  tx.commit();
}

void writeTextAtomically(const std::string& target, const std::string& content) {
  OutputTransaction tx;
  tx.stageText(target, content);
  tx.commit();
}

void installTemporaryFileCleanupOnSignals() {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) std::signal(sig, removeTemporariesAndExit);
  // A write past the file-size limit (ulimit -f) raises SIGXFSZ, whose default action kills the
  // process on the spot, leaving the staged temporary and no message. Ignored, write() fails with
  // EFBIG instead, and the writer reports "<output>: cannot write: File too large" and removes what
  // it staged, as for a full disk. Children (mpirun, the MPI ranks) inherit the ignored signal.
  std::signal(SIGXFSZ, SIG_IGN);
}

void checkOutputPaths(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  namespace fs = std::filesystem;
  auto canon = [](const std::string& p) { return fs::weakly_canonical(fs::absolute(fs::path(p))).string(); };
  std::vector<std::string> ins;
  for (const auto& i : inputs)
    if (!i.empty()) ins.push_back(canon(i));
  std::vector<std::string> seen;
  for (const auto& o : outputs) {
    if (o.empty()) continue;
    const std::string c = canon(o);
    for (const auto& in : ins)
      if (c == in) throw std::invalid_argument(o + ": output would overwrite the input");
    for (const auto& s : seen)
      if (s == c) throw std::invalid_argument(o + ": the same path is given for two outputs");
    std::error_code ec;
    // What would otherwise fail only at the end, after the work and after other outputs were
    // renamed into place.
    if (fs::is_directory(c, ec)) throw std::invalid_argument(o + ": is a folder; an output must be a file path");
    const fs::path dir = fs::path(c).parent_path();
    if (!fs::is_directory(dir)) throw std::invalid_argument(o + ": folder " + dir.string() + " does not exist");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      throw std::invalid_argument(o + ": folder " + dir.string() + " is not writable");
    seen.push_back(c);
  }
}

OutputTransaction::~OutputTransaction() {
  for (const auto& s : staged_) {
    std::remove(s.tmp.c_str());
    unregisterTemporary(s.slot);
  }
}

void OutputTransaction::stage(const std::string& target, const std::function<void(const std::string&)>& writer) {
  const std::string tmp = temporaryPathFor(target);
  const int slot = registerTemporary(tmp);
  try {
    writer(tmp);
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    unregisterTemporary(slot);
    // A writer handed the temporary names it in its errors ("/out/.mean.tmp123-0.nii: cannot
    // write: ..."); the user asked for, and must read, the target's name. Same exception kind.
    std::string what = e.what();
    const std::size_t at = what.find(tmp);
    if (at == std::string::npos) throw;
    what.replace(at, tmp.size(), target);
    if (dynamic_cast<const ImageIOError*>(&e)) throw ImageIOError(what);
    if (dynamic_cast<const std::invalid_argument*>(&e)) throw std::invalid_argument(what);
    throw std::runtime_error(what);
  } catch (...) {
    std::remove(tmp.c_str());
    unregisterTemporary(slot);
    throw;
  }
  staged_.push_back({tmp, target, slot});
}

void OutputTransaction::stageText(const std::string& target, const std::string& content) {
  // POSIX calls rather than a stream, so the message says why (a stream's failbit loses errno).
  stage(target, [&](const std::string& tmp) {
    const auto failed = [&](int fd) {
      const int e = errno ? errno : EIO;
      if (fd >= 0) ::close(fd);
      throw std::runtime_error(target + ": cannot write: " + std::strerror(e));
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) failed(fd);
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
      const ssize_t w = ::write(fd, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) failed(fd);
      p += w, left -= std::size_t(w);
    }
    if (::close(fd) != 0) failed(-1);
  });
}

std::string OutputTransaction::stagePath(const std::string& target) {
  const std::string tmp = temporaryPathFor(target);
  staged_.push_back({tmp, target, registerTemporary(tmp)});
  return tmp;
}

std::vector<std::string> OutputTransaction::commit() {
  std::vector<std::string> written;
  while (!staged_.empty()) {
    const Staged s = staged_.front();
    if (std::rename(s.tmp.c_str(), s.target.c_str()) != 0)
      throw std::runtime_error(s.target + ": cannot move the finished file into place: " + std::strerror(errno));
    unregisterTemporary(s.slot);
    staged_.erase(staged_.begin());
    written.push_back(s.target);
  }
  return written;
}

}  // namespace mc
