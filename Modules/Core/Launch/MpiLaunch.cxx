#include "MpiLaunch.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include "JobParameters.h"
#include "PrivateFolder.h"

namespace mc {
namespace fs = std::filesystem;

namespace {

// "rank3.estimate" -> ranks[3].estimate (the worker's per-rank stage times).
void recordRankSeconds(std::vector<RankSeconds>& ranks, const std::string& name, double seconds) {
  const auto dot = name.find('.');
  if (dot == std::string::npos || dot <= 4) return;
  const int rank = std::atoi(name.substr(4, dot - 4).c_str());
  if (rank < 0 || rank > 100000) return;
  if (ranks.size() <= std::size_t(rank)) ranks.resize(std::size_t(rank) + 1);
  RankSeconds& r = ranks[std::size_t(rank)];
  const std::string stage = name.substr(dot + 1);
  if (stage == "read") r.read = seconds;
  else if (stage == "estimate") r.estimate = seconds;
  else if (stage == "reslice") r.reslice = seconds;
  else if (stage == "write") r.write = seconds;
  else if (stage == "communication") r.communication = seconds;
}

bool isExecutableFile(const std::string& p) {
  std::error_code ec;
  return !p.empty() && fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string selfDirectory() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::string findMpirun(const std::string& hint) {
  if (!hint.empty()) {
    if (isExecutableFile(hint)) return hint;
    if (hint.find('/') != std::string::npos) throw std::runtime_error(hint + ": mpirun is not an executable file");
  }
  const std::string name = hint.empty() ? "mpirun" : hint;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && isExecutableFile(dir + "/" + name)) return dir + "/" + name;
    start = end + 1;
  }
  throw std::runtime_error(name + " not found on PATH (install Open MPI, or give the path to mpirun)");
}

std::string findMpiWorker(const std::string& hint, const std::string& besideDir) {
  if (!hint.empty()) {
    if (isExecutableFile(hint)) return hint;
    throw std::runtime_error(hint + ": MPI worker is not an executable file");
  }
  if (const char* env = std::getenv("MC_MPI_WORKER"); env && *env) {
    if (isExecutableFile(env)) return env;
    throw std::runtime_error(std::string("MC_MPI_WORKER=") + env + ": not an executable file");
  }
  std::vector<std::string> candidates;
  for (const std::string& dir : {selfDirectory(), besideDir})
    if (!dir.empty()) candidates.push_back(dir + "/" + kMpiWorkerName);
#ifdef MC_MPI_WORKER_BUILD_PATH
  candidates.push_back(MC_MPI_WORKER_BUILD_PATH);
#endif
  for (const auto& c : candidates)
    if (isExecutableFile(c)) return c;
  throw std::runtime_error(std::string("MPI backend not built: ") + kMpiWorkerName +
                           " was not found beside this program (build with Open MPI installed, or set MC_MPI_WORKER)");
}

bool runningAsRoot() { return ::geteuid() == 0; }

int threadsPerRank(const MpiOptions& o) {
  if (o.threadsPerRank > 0) return o.threadsPerRank;
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  return std::max(1, cores / std::max(1, o.ranks));
}

std::vector<std::string> mpiCommandLine(const MpiOptions& o, const std::string& mpirun, const std::string& worker,
                                        const std::string& jobFile, const std::string& jobFlag) {
  if (o.ranks < 1) throw std::invalid_argument("--mpi-ranks: must be >= 1, got " + std::to_string(o.ranks));
  std::vector<std::string> a{mpirun, "-n", std::to_string(o.ranks)};
  const bool remote = !o.hostfile.empty() || !o.hosts.empty();
  if (!o.hostfile.empty()) a.insert(a.end(), {"--hostfile", o.hostfile});
  if (!o.hosts.empty()) {
    std::string joined;
    for (const auto& h : o.hosts) joined += (joined.empty() ? "" : ",") + h;
    a.insert(a.end(), {"--host", joined});
  }
  const bool root = runningAsRoot();
  if (root) a.push_back("--allow-run-as-root");
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  if (root || (!remote && o.ranks > cores)) a.push_back("--oversubscribe");
  a.insert(a.end(), {"-x", "OMP_NUM_THREADS=" + std::to_string(threadsPerRank(o))});
  a.insert(a.end(), o.extraArguments.begin(), o.extraArguments.end());
  a.insert(a.end(), {worker, jobFlag, jobFile, "--progress-json"});
  return a;
}

// ---- reading the worker's output ----

MpiOutputReader::MpiOutputReader(const JobSpec& spec) {
  plan_.registerToMean = spec.estimation.registerToMean;
  plan_.reslice = !spec.estimateOnly;
}

CallbackReturn MpiOutputReader::feed(const char* data, std::size_t size, const ProgressCallback& onEvent) {
  CallbackReturn answer = CallbackReturn::Continue;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] != '\n') {
      pending_ += data[i];
      continue;
    }
    // After an Abort the callback hears nothing more; the rest of the chunk is still read.
    if (line(pending_, answer == CallbackReturn::Abort ? ProgressCallback{} : onEvent) == CallbackReturn::Abort)
      answer = CallbackReturn::Abort;
    pending_.clear();
  }
  return answer;
}

CallbackReturn MpiOutputReader::finish(const ProgressCallback& onEvent) {
  if (pending_.empty()) return CallbackReturn::Continue;
  const std::string last = std::move(pending_);
  pending_.clear();
  return line(last, onEvent);
}

CallbackReturn MpiOutputReader::line(const std::string& text, const ProgressCallback& onEvent) {
  const auto m = parseProgressMessage(text);
  if (!m) return CallbackReturn::Continue;  // other output of mpirun or a rank
  using K = ProgressMessage::Kind;
  switch (m->kind) {
    case K::Started:
      frames_ = m->frames;
      merger_ = ProgressMerger(frames_, plan_);
      result_.parameters.assign(std::size_t(std::max(0, frames_)), RigidParameters{});
      result_.framewiseDisplacement.assign(std::size_t(std::max(0, frames_)), 0.0);
      break;
    case K::Frame: {
      if (m->frame >= frames_) break;
      FrameMotion shown;
      const ProgressEvent e = merger_.add(*m, shown);
      if (onEvent) return onEvent(e);
      break;
    }
    case K::Warning: result_.warnings.push_back(m->text); break;
    case K::Result:
      if (m->frame < frames_) {
        result_.parameters[std::size_t(m->frame)] = m->parameters;
        result_.framewiseDisplacement[std::size_t(m->frame)] = m->framewiseDisplacement;
      }
      break;
    case K::Finished:
      finished_ = true;
      result_.written = m->written;
      for (const auto& [name, seconds] : m->timings) {
        if (name == "read") result_.readSeconds = seconds;
        else if (name == "estimate") result_.estimateSeconds = seconds;
        else if (name == "reslice") result_.resliceSeconds = seconds;
        else if (name == "write") result_.writeSeconds = seconds;
        else if (name.rfind("rank", 0) == 0) recordRankSeconds(result_.rankSeconds, name, seconds);
      }
      break;
    case K::Error: workerError_ = m->text; break;
  }
  return CallbackReturn::Continue;
}

void TextTail::append(const char* data, std::size_t size) {
  text_.append(data, size);
  if (text_.size() > max_) text_.erase(0, text_.size() - max_);
}

std::string summarizeMpiStderr(const std::string& text, std::size_t maxChars) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(start, end - start);
    const auto a = l.find_first_not_of(" \t\r-*=");
    const auto b = l.find_last_not_of(" \t\r-*=");
    if (a != std::string::npos) lines.push_back(l.substr(a, b - a + 1));
    start = end + 1;
  }
  // Open MPI names the rank that died; that line says more than anything around it.
  for (const auto& l : lines)
    if (l.find("process rank") != std::string::npos &&
        (l.find("exited on signal") != std::string::npos || l.find("non-zero status") != std::string::npos ||
         l.find("MPI_ABORT") != std::string::npos || l.find("killed") != std::string::npos)) {
      // The notice spans several lines; take it from "process rank" to the end of its sentence.
      std::string s;
      bool on = false;
      for (const auto& m : lines) {
        if (&m == &l) on = true;
        if (!on) continue;
        s += (s.empty() ? "" : " ") + m;
        if (m.find('.') != std::string::npos || s.size() > maxChars) break;
      }
      return s.size() > maxChars ? s.substr(0, maxChars) + "..." : s;
    }
  std::string s;
  for (std::size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i)
    s += (s.empty() ? "" : " | ") + lines[i];
  if (s.size() > maxChars) s = "..." + s.substr(s.size() - maxChars);
  return s;
}

std::string mpiFailureMessage(int exitCode, int termSignal, const std::string& workerError,
                              const std::string& stderrText) {
  if (!workerError.empty()) return workerError;
  const std::string head = termSignal > 0 ? "MPI backend: mpirun killed by signal " + std::to_string(termSignal)
                           : exitCode < 0 ? std::string("MPI backend: mpirun crashed")
                                          : "MPI backend failed (mpirun exit code " + std::to_string(exitCode) + ")";
  const std::string tail = summarizeMpiStderr(stderrText);
  return tail.empty() ? head : head + ": " + tail;
}

void signalMpiJob(long mpirunPid, int signal) {
  if (mpirunPid <= 0) return;
  const pid_t pid = pid_t(mpirunPid);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == mpirunPid)
      ::kill(pid_t(std::stol(name)), signal);
  }
  // Before the child has run setpgid the group does not exist yet: then signal mpirun itself.
  if (::kill(-pid, signal) != 0) ::kill(pid, signal);
}

// ---- the Qt-free runner ----

namespace {

std::atomic<pid_t> gGroup{0};
volatile std::sig_atomic_t gForwardedSignal = 0;

extern "C" void forwardSignalToGroup(int sig) {
  const pid_t g = gGroup.load();
  if (g > 0) ::kill(-g, sig);
  gForwardedSignal = sig;
}

// Everything the job leaves on disk goes in one private folder: the job file, and Open MPI's session
// folder (mpirun and the ranks are pointed at it through OMPI_MCA_orte_tmpdir_base). The launcher
// removes it when mpirun is gone, on every path; if the launcher itself is killed (SIGKILL), the
// ranks remove it as they die (the worker reads MC_MPI_PRIVATE_DIR).
std::string writeJobFile(const PrivateFolder& folder, const std::string& jobText) {
  const std::string job = folder.file("job.txt");
  errno = 0;
  std::ofstream out(job, std::ios::binary);
  out << jobText;
  out.close();
  // errno is what the stream's last write or close failed with (ENOSPC, EFBIG).
  if (!out) throw std::runtime_error(job + ": cannot write the MPI job file: " + std::strerror(errno ? errno : EIO));
  return job;
}

// The environment of mpirun: this process's, with Open MPI's session folder moved into `folder`
// and the folder named for the worker. Built before fork (setenv is not async-signal-safe).
std::vector<std::string> mpirunEnvironment(const std::string& folder) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    if (kv.rfind("OMPI_MCA_orte_tmpdir_base=", 0) == 0 || kv.rfind("MC_MPI_PRIVATE_DIR=", 0) == 0) continue;
    env.push_back(kv);
  }
  env.push_back("OMPI_MCA_orte_tmpdir_base=" + folder);
  env.push_back("MC_MPI_PRIVATE_DIR=" + folder);
  return env;
}

struct SignalForwarding {
  struct sigaction previous[3];
  static constexpr int kSignals[3] = {SIGTERM, SIGINT, SIGHUP};
  explicit SignalForwarding(pid_t group) {
    gForwardedSignal = 0;
    gGroup = group;
    struct sigaction sa {};
    sa.sa_handler = forwardSignalToGroup;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &previous[i]);
  }
  ~SignalForwarding() { restore(); }
  void restore() {
    if (restored) return;
    restored = true;
    gGroup = 0;
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &previous[i], nullptr);
  }
  bool restored = false;
};

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

MpiProcessExit runMpiProcess(const MpiOptions& options, const std::string& jobFlag, const std::string& jobText,
                             const MpiStdoutSink& onStdout) {
  const std::string mpirun = findMpirun(options.mpirun);
  const std::string worker = findMpiWorker(options.worker);
  PrivateFolder job("mc-mpi-");
  const std::vector<std::string> args = mpiCommandLine(options, mpirun, worker, writeJobFile(job, jobText), jobFlag);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::vector<std::string> env = mpirunEnvironment(job.path());
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    throw std::runtime_error(std::string("cannot start mpirun: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Child: own process group (so that the whole job can be signalled), dies with the parent at
    // once: SIGKILL, because mpirun's own shutdown on SIGTERM leaves the ranks running for about a
    // second; the ranks die with mpirun (their PR_SET_PDEATHSIG) and remove the private folder.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    // Only async-signal-safe calls between fork and exec (the parent may have threads).
    const char* what = "cannot run mpirun: exec failed\n";
    (void)!::write(STDERR_FILENO, what, std::strlen(what));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the group exists before any signal is sent to it
  ::close(out[1]);
  ::close(err[1]);
  int fds[2] = {out[0], err[0]};
  std::optional<SignalForwarding> forwarding;
  if (options.forwardSignals) forwarding.emplace(pid);

  TextTail stderrTail;
  bool cancelling = false;
  std::chrono::steady_clock::time_point cancelTime;
  bool killed = false;
  int status = 0;
  bool exited = false;
  char buf[65536];

  auto terminate = [&] {
    if (cancelling) return;
    cancelling = true;
    cancelTime = std::chrono::steady_clock::now();
    signalMpiJob(pid, SIGTERM);
  };

  while (!exited || fds[0] >= 0 || fds[1] >= 0) {
    if (forwarding && gForwardedSignal) terminate();
    if (cancelling && !killed && std::chrono::steady_clock::now() - cancelTime > std::chrono::seconds(3)) {
      signalMpiJob(pid, SIGKILL);
      killed = true;
    }
    if (!exited) {
      const pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) exited = true;
    }
    pollfd p[2];
    int np = 0;
    for (int fd : fds)
      if (fd >= 0) p[np++] = {fd, POLLIN, 0};
    if (np == 0) {
      if (!exited && ::waitpid(pid, &status, 0) == pid) exited = true;
      continue;
    }
    // Once mpirun has exited, only drain what is already in the pipes (a stray grandchild may
    // still hold them open).
    const int ready = ::poll(p, nfds_t(np), exited ? 0 : 200);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      if (exited) break;
      continue;
    }
    for (int i = 0; i < np; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(p[i].fd, buf, sizeof buf);
      int& slot = p[i].fd == fds[0] ? fds[0] : fds[1];
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        closeFd(slot);
        continue;
      }
      if (slot == fds[0]) {
        if (onStdout(buf, std::size_t(n), cancelling) == CallbackReturn::Abort) terminate();
      } else {
        stderrTail.append(buf, std::size_t(n));
      }
    }
  }
  for (int& fd : fds) closeFd(fd);
  if (!exited) ::waitpid(pid, &status, 0);
  onStdout(nullptr, 0, cancelling);  // the end: a last line without newline

  const int forwarded = forwarding ? int(gForwardedSignal) : 0;
  if (forwarding) forwarding->restore();
  // This process was asked to stop while the job ran: now that the job is gone, let the signal do
  // here what it would have done (the CLI's handler removes its temporary files and exits, so the
  // job folder goes first: no destructor runs after the raise).
  if (forwarded) {
    job.remove();
    ::raise(forwarded);
  }
  MpiProcessExit exit;
  exit.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  exit.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  exit.cancelled = cancelling;
  exit.stderrText = stderrTail.text();
  return exit;
}

JobResult runMpiBackend(const JobSpec& spec, const MpiOptions& options, const ProgressCallback& progress) {
  spec.validate();
  MpiOutputReader reader(spec);
  const MpiProcessExit e = runMpiProcess(options, "--job", formatJobFile(spec),
                                         [&](const char* data, std::size_t size, bool cancelling) {
                                           const ProgressCallback& shown = cancelling ? ProgressCallback{} : progress;
                                           return data ? reader.feed(data, size, shown) : reader.finish(shown);
                                         });
  // A job that completed before the cancel reached it wrote its outputs: report them, not a cancel.
  if (e.cancelled && !(e.code == 0 && reader.finishedReported())) throw Cancelled();
  if (e.code != 0) throw std::runtime_error(mpiFailureMessage(e.code, e.signal, reader.workerError(), e.stderrText));
  if (!reader.finishedReported())
    throw std::runtime_error("MPI backend ended without reporting its outputs: " + summarizeMpiStderr(e.stderrText));
  return reader.takeResult();
}

}  // namespace mc
