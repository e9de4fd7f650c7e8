#pragma once
// Launching the MPI backend: `mpirun ... MotionCorrectionMPI --job FILE --progress-json` as a
// subprocess. Building the command line, finding the programs and reading the worker's output are
// shared by every launcher (the Qt engine drives the same command through QProcess);
// runMpiBackend is the Qt-free runner the CLI uses.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "MotionCorrectionJob.h"
#include "ParameterTable.h"
#include "Progress.h"
#include "ProgressJson.h"

namespace mc {

struct MpiOptions {
  int ranks = kDefaultMpiRanks;             // the parameter table's "mpi-ranks"
  std::string mpirun;                       // empty: `mpirun` on PATH
  std::string worker;                       // empty: findMpiWorker()
  std::string hostfile;                     // optional
  std::vector<std::string> hosts;           // optional, alternative to hostfile
  std::vector<std::string> extraArguments;  // given to mpirun as is, e.g. --bind-to core --map-by core
  int threadsPerRank = 0;                   // OpenMP threads in each rank; 0: local cores / ranks, at least 1
  // SIGTERM/SIGINT/SIGHUP received while the job runs go to the mpirun group and are re-raised here
  // afterwards: right for a command-line program. A Qt application runs the job on a worker thread
  // and must keep its own handlers (and its signals) to itself: it sets false.
  bool forwardSignals = true;
};

// The worker program's name; built beside the other executables when MPI was found at configure time.
constexpr const char* kMpiWorkerName = "MotionCorrectionMPI";

// Full path of mpirun: `hint` if given (it must be executable), else the first on PATH.
// Throws std::runtime_error("mpirun not found ...") otherwise.
std::string findMpirun(const std::string& hint = "");

// The MotionCorrectionMPI executable: `hint`, else env MC_MPI_WORKER, else beside the calling
// executable (/proc/self/exe), else in `besideDir`, else where this build tree put it. Throws
// std::runtime_error("MPI backend not built: ...") when there is none.
std::string findMpiWorker(const std::string& hint = "", const std::string& besideDir = "");

bool runningAsRoot();

// OpenMP threads per rank under the policy ranks x threads <= local cores.
int threadsPerRank(const MpiOptions& options);

// argv of the whole command, mpirun first: -n ranks, --hostfile/--host, --allow-run-as-root when
// running as root, --oversubscribe when root or when more ranks than local cores (and no hosts given),
// -x OMP_NUM_THREADS=k, the extra arguments, then the worker with --job jobFile --progress-json.
// `mpirun` and `worker` must be resolved paths.
// `jobFlag` names the worker's mode: --job (one run) or --dataset (a queue of runs).
std::vector<std::string> mpiCommandLine(const MpiOptions& options, const std::string& mpirun,
                                        const std::string& worker, const std::string& jobFile,
                                        const std::string& jobFlag = "--job");

// What a launcher learns from the worker's stdout, fed in chunks as they arrive: frame messages
// become ProgressEvents (merged over ranks), the rest fills a JobResult (parameters, framewise
// displacement, written paths, warnings, timings).
class MpiOutputReader {
public:
  explicit MpiOutputReader(const JobSpec& spec);
  // Returns Abort when `onEvent` answered Abort; it is not called again within the chunk.
  CallbackReturn feed(const char* data, std::size_t size, const ProgressCallback& onEvent);
  // Flushes a last line without newline.
  CallbackReturn finish(const ProgressCallback& onEvent);

  const JobResult& result() const { return result_; }
  JobResult takeResult() { return std::move(result_); }
  bool finishedReported() const { return finished_; }
  const std::string& workerError() const { return workerError_; }  // from an "error" message
  int frameCount() const { return frames_; }

private:
  CallbackReturn line(const std::string& text, const ProgressCallback& onEvent);

  ProgressPlan plan_;
  ProgressMerger merger_{0, {}};
  std::string pending_;
  JobResult result_;
  int frames_ = 0;
  bool finished_ = false;
  std::string workerError_;
};

// The last `maxBytes` bytes of a stream (a subprocess's stderr).
class TextTail {
public:
  explicit TextTail(std::size_t maxBytes = 16384) : max_(maxBytes) {}
  void append(const char* data, std::size_t size);
  const std::string& text() const { return text_; }

private:
  std::size_t max_;
  std::string text_;
};

// One line from a subprocess's stderr: Open MPI's "process rank N ... exited on signal" notice when
// there is one, else the last non-empty lines joined with " | ", at most maxChars.
std::string summarizeMpiStderr(const std::string& stderrText, std::size_t maxChars = 400);

// The failed() / exception text for a worker run that did not succeed. exitCode is the exit
// status (or -1 when killed by termSignal); workerError is the worker's own "error" message if any.
std::string mpiFailureMessage(int exitCode, int termSignal, const std::string& workerError,
                              const std::string& stderrText);

// Sends `signal` to mpirun's process group and to each of mpirun's children: Open MPI puts every
// local rank in a process group of its own, and mpirun is slow to pass SIGTERM on (seconds, while
// the ranks keep computing). The ranks' handlers remove their temporary files and exit.
void signalMpiJob(long mpirunPid, int signal);

// How the worker's mpirun ended.
struct MpiProcessExit {
  int code = 0;          // exit status, -1 when killed by `signal`
  int signal = 0;
  bool cancelled = false;  // the sink answered Abort (or a forwarded signal stopped it)
  std::string stderrText;  // its tail
};
// The worker's stdout as it arrives; `cancelling` once the job is being stopped; data is null once
// at the end. Abort stops the job.
using MpiStdoutSink = std::function<CallbackReturn(const char* data, std::size_t size, bool cancelling)>;

// Starts `mpirun ... worker <jobFlag> FILE --progress-json` with jobText in FILE (in a private
// folder removed afterwards, on every path) and supervises it as runMpiBackend describes, for every
// launcher of the worker: its own process group dying with this process, signals forwarded, Abort
// answered with SIGTERM then SIGKILL after 3 s. Throws std::runtime_error when it cannot start.
MpiProcessExit runMpiProcess(const MpiOptions& options, const std::string& jobFlag, const std::string& jobText,
                             const MpiStdoutSink& onStdout);

// Runs the job with the MPI backend and waits (mc::run calls it for Backend::Mpi; call that instead): writes the job file (formatJobFile) to a temporary
// file, starts mpirun in its own process group (it dies with this process: PR_SET_PDEATHSIG), turns
// the worker's JSON lines into ProgressEvents for `progress`, and forwards SIGTERM/SIGINT/SIGHUP
// received meanwhile to the group (then re-raises them here; unless !options.forwardSignals). A callback answering Abort terminates
// the job (signalMpiJob: SIGTERM, then SIGKILL after 3 s) and throws Cancelled. A non-zero exit or a killed
// rank throws std::runtime_error with one line and the tail of stderr. The result carries
// parameters, framewise displacement, written paths, warnings and timings (not the images: the
// worker wrote them). With forwardSignals, one call at a time per process (the forwarding is
// process-wide); without, any number on different threads.
JobResult runMpiBackend(const JobSpec& spec, const MpiOptions& options, const ProgressCallback& progress = {});

}  // namespace mc
