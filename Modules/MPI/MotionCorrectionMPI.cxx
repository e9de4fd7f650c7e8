// MotionCorrectionMPI: the MPI backend of the motion correction.
//
//   mpirun -n N MotionCorrectionMPI --job job.txt [--progress-json]
//   mpirun -n N MotionCorrectionMPI --dataset dataset.txt [--progress-json]   (MpiDatasetQueue.h)
//
// A thin main around the engine's one pass sequence: rank 0 reads the job and the run and shares
// them with every rank (MpiCollective), then every rank calls mc::runMotionCorrection, which runs
// the passes of mc::Realigner and mc::resliceRun over the ranks (each estimates and reslices its
// share of the frames, floor(n/N) or ceil(n/N) of them, on OpenMP threads) and has rank 0 write
// every output atomically.
//
// With --progress-json every rank prints one JSON object per line on stdout (see ProgressJson.h):
// mpirun forwards them to the launcher, which merges them into progress events.
// Test hook: env MC_MPI_TEST_ABORT_RANK=k makes rank k abort() after its first frame.
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <pthread.h>
#include <sys/prctl.h>
#include <csignal>

#include "AtomicOutput.h"
#include "FrameExecutor.h"
#include "ImageIO.h"
#include "JobParameters.h"
#include "MotionCorrectionJob.h"
#include "MpiCollective.h"
#include "MpiDatasetQueue.h"
#include "ProgressJson.h"
#include "Run.h"

namespace {

using namespace mc;

const char* kUsage =
    "Usage: mpirun -n N MotionCorrectionMPI --job job.txt [--progress-json]\n"
    "       mpirun -n N MotionCorrectionMPI --dataset dataset.txt [--progress-json]\n"
    "  --job FILE        name=value lines (the CLI's long options without --), see mc::formatJobFile\n"
    "  --dataset FILE    a BIDS dataset's runs, taken by the ranks from one queue (mc::formatDatasetJob)\n"
    "  --progress-json   one JSON object per line on stdout: frames as they finish, the results\n";

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Whole lines on stdout, from any OpenMP thread; mpirun forwards each rank's stdout.
class Reporter {
public:
  Reporter(bool enabled, int rank) : enabled_(enabled), rank_(rank) {}
  int rank() const { return rank_; }
  void send(const ProgressMessage& m) {
    if (!enabled_) return;
    const std::string line = formatProgressMessage(m) + "\n";
    std::lock_guard<std::mutex> lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }
  void frame(Stage stage, int j, const FrameMotion* shown = nullptr) {
    send(ProgressMessage::frameDone(stage, j, rank_, shown));
    abortIfAsked();
  }

private:
  void abortIfAsked() {
    static const char* env = std::getenv("MC_MPI_TEST_ABORT_RANK");
    if (env && *env && std::atoi(env) == rank_) {
      std::fprintf(stderr, "MotionCorrectionMPI: rank %d aborting (MC_MPI_TEST_ABORT_RANK)\n", rank_);
      std::fflush(stderr);
      std::abort();
    }
  }
  bool enabled_;
  int rank_;
  std::mutex mutex_;
};

// Rank 0 reads the job and the run, then every rank gets them: the job as text, the run whole.
// A failure on rank 0 is thrown on every rank (SharedFailure).
void loadAndShare(Collective& c, const std::string& jobPath, JobSpec& spec, VolumeSeries& run, double& readSeconds) {
  const auto t0 = std::chrono::steady_clock::now();
  std::string jobText;
  runOnRoot(c, [&] {
    spec = parseJobFile(jobPath);  // line-numbered errors
    jobText = formatJobFile(spec);
    // The same check as every face's (an input, an output, the spec's own): a job file may be hand-written.
    RunRequest request;
    request.spec = spec;
    request.validate();
    run = readVolumeSeries(spec.input, spec.threads);
  });
  readSeconds = secondsSince(t0);
  broadcastString(c, jobText, 0);
  if (!c.isRoot()) spec = parseJobText(jobText, "job from rank 0");
  broadcastRun(c, run);
}

// Every rank's stage times on rank 0, in rank order (one small gather after the run).
std::vector<RankSeconds> gatherRankSeconds(MpiCollective& c, RankSeconds mine) {
  mine.communication = c.communicationSeconds();
  std::vector<char> bytes(sizeof mine);
  std::memcpy(bytes.data(), &mine, sizeof mine);
  const std::vector<char> all = allGatherBytes(c, bytes);
  std::vector<RankSeconds> ranks(all.size() / sizeof mine);
  std::memcpy(ranks.data(), all.data(), ranks.size() * sizeof mine);
  return ranks;
}

int runJob(MpiCollective& c, const std::string& jobPath, bool json) {
  Reporter report(json, c.rank());
  JobSpec spec;
  VolumeSeries run;
  double readSeconds = 0;
  const auto t0 = std::chrono::steady_clock::now();
  loadAndShare(c, jobPath, spec, run, readSeconds);
  const double shareSeconds = secondsSince(t0);
  const int n = run.frameCount;
  if (c.isRoot()) report.send(ProgressMessage::started(n, c.size()));

  OpenMPFrameExecutor executor(0);  // OMP_NUM_THREADS per rank, set by the launcher
  // Each rank reports its own frames (the launcher merges them); motions are shown relative to the
  // reference frame, as the serial engine shows them.
  const ProgressCallback progress = [&](const ProgressEvent& e) {
    report.frame(e.stage, e.frame, e.motion);
    return CallbackReturn::Continue;
  };
  JobResult result = runMotionCorrection(spec, std::move(run), executor, progress, c, KeepImages::No);
  const std::vector<RankSeconds> ranks = gatherRankSeconds(
      c, RankSeconds{shareSeconds, result.estimateSeconds, result.resliceSeconds, result.writeSeconds, 0});
  if (!c.isRoot()) return 0;

  // The serial engine's warnings: the run's repairs, then the final pass's frames.
  for (const auto& s : result.warnings) report.send(ProgressMessage::warning(s));
  for (int j = 0; j < n; ++j)
    report.send(
        ProgressMessage::result(j, result.parameters[std::size_t(j)], result.framewiseDisplacement[std::size_t(j)]));
  ProgressMessage done;
  done.kind = ProgressMessage::Kind::Finished;
  done.written = result.written;
  done.timings = {{"read", readSeconds},
                  {"estimate", result.estimateSeconds},
                  {"reslice", result.resliceSeconds},
                  {"write", result.writeSeconds}};
  for (std::size_t q = 0; q < ranks.size(); ++q) {
    const std::string rank = "rank" + std::to_string(q) + ".";
    done.timings.insert(done.timings.end(), {{rank + "read", ranks[q].read},
                                             {rank + "estimate", ranks[q].estimate},
                                             {rank + "reslice", ranks[q].reslice},
                                             {rank + "write", ranks[q].write},
                                             {rank + "communication", ranks[q].communication}});
  }
  report.send(done);
  if (!json)
    std::fprintf(stderr,
                 "MotionCorrectionMPI: %d frames on %d ranks; read %.2f s, estimate %.2f s, reslice %.2f s, "
                 "write %.2f s\n",
                 n, c.size(), readSeconds, result.estimateSeconds, result.resliceSeconds, result.writeSeconds);
  return 0;
}

// Dies with mpirun (or orted): a launcher that kills the job's process group reaches mpirun only,
// as Open MPI puts every rank in a group of its own, and a launcher killed with SIGKILL takes mpirun
// with it at once. The parent's death arrives as SIGUSR2, blocked in every thread (MPI's included:
// they inherit the mask) and taken by a watcher thread, which can then do what a signal handler
// may not: remove the launcher's private folder (job file, Open MPI's session folder), which the
// dead launcher no longer can. Then SIGTERM's handler removes our temporary outputs and exits.
void dieWithParent() {
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  ::pthread_sigmask(SIG_BLOCK, &usr2, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGUSR2);
  std::thread([usr2] {
    int sig = 0;
    if (::sigwait(&usr2, &sig) != 0) return;
    if (const char* folder = std::getenv("MC_MPI_PRIVATE_DIR"); folder && *folder) {
      std::error_code ec;
      std::filesystem::remove_all(folder, ec);
    }
    ::raise(SIGTERM);
  }).detach();
  if (::getppid() == 1) ::raise(SIGUSR2);  // the parent died before prctl took effect
}

}  // namespace

int main(int argc, char** argv) {
  dieWithParent();
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  mc::MpiCollective collective;
  const int rank = collective.rank();
  mc::installTemporaryFileCleanupOnSignals();

  std::string jobPath, datasetPath;
  bool json = false;
  std::string argError;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      if (rank == 0) std::printf("%s", kUsage);
      MPI_Finalize();
      return 0;
    }
    if (a == "--progress-json") json = true;
    else if (a == "--job" && i + 1 < argc) jobPath = argv[++i];
    else if (a == "--dataset" && i + 1 < argc) datasetPath = argv[++i];
    else argError = a + ": unknown argument";
  }
  if (argError.empty() && jobPath.empty() == datasetPath.empty())
    argError = "--job or --dataset: exactly one is required (the job file)";
  if (!argError.empty()) {
    if (rank == 0) std::fprintf(stderr, "MotionCorrectionMPI: error: %s\n%s", argError.c_str(), kUsage);
    MPI_Finalize();
    return 2;
  }

  Reporter errors(json, rank);
  int status = 0;
  try {
    if (!datasetPath.empty()) {
      // Each rank's run lines go out whole; without --progress-json they are still printed (the
      // worker run by hand shows what it did).
      std::mutex out;
      status = mc::runDatasetQueue(collective, datasetPath, [&](const std::string& line) {
        std::lock_guard<std::mutex> lock(out);
        const std::string whole = line + "\n";
        std::fwrite(whole.data(), 1, whole.size(), stdout);
        std::fflush(stdout);
      });
    } else {
      status = runJob(collective, jobPath, json);
    }
  } catch (const mc::SharedFailure& e) {
    // Every rank knows (rank 0's reading or checks failed): they stop cleanly, with no MPI_Abort
    // banner, and rank 0 says why.
    if (rank == 0) {
      errors.send(mc::ProgressMessage::error(e.what()));
      std::fprintf(stderr, "MotionCorrectionMPI: error: %s\n", e.what());
    }
    status = 1;
  } catch (const std::exception& e) {
    // A failure past the start leaves the other ranks waiting in a collective: abort the job.
    errors.send(mc::ProgressMessage::error(e.what()));
    std::fprintf(stderr, "MotionCorrectionMPI: error (rank %d): %s\n", rank, e.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
  MPI_Finalize();
  return status;
}
