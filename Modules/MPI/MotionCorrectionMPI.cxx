// MotionCorrectionMPI: the MPI backend of the motion correction.
//
//   mpirun -n N MotionCorrectionMPI --job job.txt [--progress-json]
//
// Rank 0 reads the run and broadcasts it; frames are split so that every rank gets floor(n/N) or
// ceil(n/N) of them. The passes are those of mc::Realigner, each rank running its share with the
// core's per-frame step (mc::estimatePassFrame) on OpenMP threads: rank 0 builds each pass's
// ReferenceModel once and broadcasts it (serialize()), the mean for pass 2 is combined with
// MPI_Allreduce of per-rank sums and coverage counts, the pass-2 anchor (the reference frame) is
// estimated first by its owner and broadcast. Reslicing: coverage counts are combined with
// MPI_Allreduce (SPM's mask), resliced frames and parameters come back to rank 0 with MPI_Gatherv,
// and rank 0 writes every output atomically (mc::writeJobOutputs).
//
// With --progress-json every rank prints one JSON object per line on stdout (see ProgressJson.h):
// mpirun forwards them to the launcher, which merges them into progress events.
// Test hook: env MC_MPI_TEST_ABORT_RANK=k makes rank k abort() after its first frame.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/prctl.h>
#include <csignal>

#include "AtomicOutput.h"
#include "FrameEstimator.h"
#include "FrameExecutor.h"
#include "ImageIO.h"
#include "JobParameters.h"
#include "MotionCorrectionJob.h"
#include "ProgressJson.h"
#include "Realigner.h"
#include "ReferenceModel.h"
#include "Reslicer.h"

namespace {

using namespace mc;

const char* kUsage =
    "Usage: mpirun -n N MotionCorrectionMPI --job job.txt [--progress-json]\n"
    "  --job FILE        name=value lines (the CLI's long options without --), see mc::formatJobFile\n"
    "  --progress-json   one JSON object per line on stdout: frames as they finish, the results\n";

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Frames [first, first + count) of `rank`: floor(n/size) or ceil(n/size) each, none lost.
struct Share {
  int first = 0, count = 0;
};
Share shareOf(int frames, int size, int rank) {
  const int base = frames / size, extra = frames % size;
  return {rank * base + std::min(rank, extra), base + (rank < extra ? 1 : 0)};
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

void broadcastString(std::string& s, int root) {
  unsigned long long n = s.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD);
  s.resize(n);
  if (n) MPI_Bcast(&s[0], int(n), MPI_CHAR, root, MPI_COMM_WORLD);
}

void broadcastDoubles(std::vector<double>& v, int root) {
  unsigned long long n = v.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD);
  v.resize(n);
  // In pieces: MPI counts are int.
  for (unsigned long long at = 0; at < n; at += (1ull << 30))
    MPI_Bcast(v.data() + at, int(std::min<unsigned long long>(n - at, 1ull << 30)), MPI_DOUBLE, root, MPI_COMM_WORLD);
}

void broadcastMatrix(Matrix4& m, int root) { MPI_Bcast(m.m.data(), 16, MPI_DOUBLE, root, MPI_COMM_WORLD); }

// Rank 0 builds the pass's reference model; the others receive it (they never recompute it).
ReferenceModel sharedReferenceModel(int rank, const float* voxels, const ImageGeometry& g, const EstimationOptions& o,
                                    const Volume* weight) {
  std::vector<double> flat;
  ReferenceModel model;
  if (rank == 0) {
    model = ReferenceModel(voxels, g, o, weight);
    flat = model.serialize();
  }
  broadcastDoubles(flat, 0);
  if (rank != 0) model = ReferenceModel::deserialize(flat);
  return model;
}

struct Worker {
  int rank = 0, size = 1;
  Reporter& report;
  JobSpec spec;
  VolumeSeries run;  // every rank holds the whole run (frames are read-only)
  Volume weight;
  bool hasWeight = false;
  Share mine;
  OpenMPFrameExecutor executor{0};  // OMP_NUM_THREADS per rank, set by the launcher
  std::vector<FrameEstimator> estimators;

  Worker(int r, int s, Reporter& rep) : rank(r), size(s), report(rep) {
    estimators.resize(std::size_t(std::max(1, executor.workerCount())));
  }

  int owner(int frame) const {
    for (int q = 0; q < size; ++q) {
      const Share sh = shareOf(run.frameCount, size, q);
      if (frame >= sh.first && frame < sh.first + sh.count) return q;
    }
    return 0;
  }

  // One pass over this rank's frames, as Realigner's: the anchor (reference frame) first, the
  // others reported relative to it. Returns this rank's frames' motions (index j - mine.first).
  std::vector<FrameMotion> pass(Stage stage, const ReferenceModel& ref, const std::vector<Matrix4>& initial,
                                bool anchorIsIdentity) {
    const int r = spec.estimation.referenceFrame;
    std::vector<FrameMotion> out(std::size_t(mine.count));
    const int anchorOwner = owner(r);
    Matrix4 anchor;
    if (rank == anchorOwner) {
      out[std::size_t(r - mine.first)] =
          estimatePassFrame(estimators[0], ref, run, r, initial[std::size_t(r)], anchorIsIdentity);
      anchor = out[std::size_t(r - mine.first)].transform;
    }
    broadcastMatrix(anchor, anchorOwner);
    const Matrix4 anchorInverse = anchor.inverse();
    auto shownAndReport = [&](int j, const FrameMotion& m) {
      FrameMotion shown = m;
      shown.transform = m.transform * anchorInverse;
      shown.parameters = spmImatrix(shown.transform);
      report.frame(stage, j, &shown);
      if (!m.warning.empty()) report.send(ProgressMessage::warning(m.warning));
    };
    if (rank == anchorOwner) shownAndReport(r, out[std::size_t(r - mine.first)]);
    executor.run(mine.count, [&](int i, int w) {
      const int j = mine.first + i;
      if (j == r) return true;
      out[std::size_t(i)] = estimatePassFrame(estimators[std::size_t(w)], ref, run, j, initial[std::size_t(j)], false);
      shownAndReport(j, out[std::size_t(i)]);
      return true;
    });
    return out;
  }

  // The aligned mean of the whole run: mc::alignedSums over this rank's frames, summed over ranks.
  Volume alignedMeanOverRanks(const std::vector<Matrix4>& motions) {
    AlignedSums sums = alignedSums(run, motions, kMeanInterpolationDegree, spec.estimation.wrap, executor, mine.first,
                                   mine.count, [&](int j, int) {
                                     report.frame(Stage::Mean, j);
                                     return true;
                                   });
    allReduceSum(sums.sum.data(), sums.sum.size(), MPI_DOUBLE);
    allReduceSum(sums.count.data(), sums.count.size(), MPI_UINT32_T);
    return sums.mean(run.geometry);
  }

  template <class T>
  static void allReduceSum(T* data, std::size_t n, MPI_Datatype type) {
    for (std::size_t at = 0; at < n; at += (std::size_t(1) << 28))
      MPI_Allreduce(MPI_IN_PLACE, data + at, int(std::min(n - at, std::size_t(1) << 28)), type, MPI_SUM,
                    MPI_COMM_WORLD);
  }

  // This rank's frames' motions gathered on rank 0, in frame order.
  std::vector<FrameMotion> gatherMotions(const std::vector<FrameMotion>& local) {
    constexpr int kPer = 19;  // transform, iterations, sample points, mean squared residual
    std::vector<double> send(std::size_t(mine.count) * kPer);
    for (int i = 0; i < mine.count; ++i) {
      const FrameMotion& m = local[std::size_t(i)];
      double* p = &send[std::size_t(i) * kPer];
      std::copy(m.transform.m.begin(), m.transform.m.end(), p);
      p[16] = m.iterations;
      p[17] = m.samplePoints;
      p[18] = m.meanSquaredResidual;
    }
    std::vector<int> counts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
    for (int q = 0; q < size; ++q) {
      const Share s = shareOf(run.frameCount, size, q);
      counts[std::size_t(q)] = s.count * kPer;
      displs[std::size_t(q)] = s.first * kPer;
    }
    std::vector<double> all(rank == 0 ? std::size_t(run.frameCount) * kPer : 0);
    MPI_Gatherv(send.data(), int(send.size()), MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0,
                MPI_COMM_WORLD);
    std::vector<FrameMotion> frames;
    if (rank != 0) return frames;
    frames.resize(std::size_t(run.frameCount));
    for (int j = 0; j < run.frameCount; ++j) {
      const double* p = &all[std::size_t(j) * kPer];
      FrameMotion& m = frames[std::size_t(j)];
      m.frame = j;
      std::copy(p, p + 16, m.transform.m.begin());
      m.parameters = spmImatrix(m.transform);
      m.iterations = int(p[16]);
      m.samplePoints = int(p[17]);
      m.meanSquaredResidual = p[18];
    }
    return frames;
  }

  // mc::resliceRun over ranks: SPM's mask from coverage counts summed over ranks, this rank's
  // frames resliced, gathered on rank 0 (which also forms the mean exactly as resliceRun does).
  ResliceResult reslice(const std::vector<Matrix4>& motions) {
    const Reslicer reslicer(run.geometry, spec.reslice);
    const std::size_t nvox = run.frameSize();
    const int workers = std::max(1, executor.workerCount());
    std::vector<std::uint32_t> count = coverageCounts(run, motions, reslicer, executor, mine.first, mine.count);
    allReduceSum(count.data(), nvox, MPI_UINT32_T);

    ResliceResult r;
    r.mask = maskFromCoverage(count, run.frameCount);

    std::vector<float> local(std::size_t(mine.count) * nvox);
    std::vector<BSplineCoefficients> scratch(static_cast<std::size_t>(workers));
    executor.run(mine.count, [&](int i, int w) {
      const int j = mine.first + i;
      reslicer.resliceFrame(run.frame(j), motions[std::size_t(j)], local.data() + std::size_t(i) * nvox, scratch[w],
                            spec.reslice.mask ? r.mask.data() : nullptr);
      report.frame(Stage::Reslice, j);
      return true;
    });

    MPI_Datatype frameType;
    MPI_Type_contiguous(int(nvox), MPI_FLOAT, &frameType);
    MPI_Type_commit(&frameType);
    std::vector<int> frameCounts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
    for (int q = 0; q < size; ++q) {
      const Share s = shareOf(run.frameCount, size, q);
      frameCounts[std::size_t(q)] = s.count;
      displs[std::size_t(q)] = s.first;
    }
    if (rank == 0) {
      r.realigned.allocate(run.geometry, run.frameCount);
      r.realigned.repetitionTime = run.repetitionTime;
      r.realigned.storedType = run.storedType;
    }
    MPI_Gatherv(local.data(), mine.count, frameType, rank == 0 ? r.realigned.voxels.data() : nullptr,
                frameCounts.data(), displs.data(), frameType, 0, MPI_COMM_WORLD);
    MPI_Type_free(&frameType);
    if (rank != 0) return r;

    r.mean = meanOfResliced(r.realigned, count, spec.reslice.mask ? r.mask.data() : nullptr);
    return r;
  }
};

// Rank 0 reads the job and the run; every rank learns whether that worked (the error, or "").
std::string loadAndShare(Worker& w, const std::string& jobPath, std::vector<std::string>& warnings, double& readSeconds) {
  std::string jobText, error;
  const auto t0 = std::chrono::steady_clock::now();
  if (w.rank == 0) {
    try {
      w.spec = parseJobFile(jobPath);  // line-numbered errors
      jobText = formatJobFile(w.spec);
      w.spec.validate();
      if (w.spec.input.empty()) throw std::invalid_argument("--input: required (the 4D run to correct)");
      w.run = readVolumeSeries(w.spec.input);
      warnings = sanitizeRun(w.run);
      checkRunForEstimation(w.run, w.spec.estimation);
      if (!w.spec.weightImage.empty()) {
        w.weight = readVolume(w.spec.weightImage);
        if (!w.weight.geometry.sameGridAs(w.run.geometry, 1e-3))
          throw std::invalid_argument(w.spec.weightImage + ": weight image is not on the run's voxel grid");
        w.hasWeight = true;
      }
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "unknown error";
    }
    readSeconds = secondsSince(t0);
  }
  broadcastString(error, 0);
  if (!error.empty()) return error;
  broadcastString(jobText, 0);
  if (w.rank != 0) w.spec = parseJobText(jobText, "job from rank 0");

  // The run: geometry, frame count, then the voxels frame by frame.
  std::vector<double> header(22);
  if (w.rank == 0) {
    for (int k = 0; k < 3; ++k) header[std::size_t(k)] = w.run.geometry.size[std::size_t(k)];
    std::copy(w.run.geometry.voxelToWorld.m.begin(), w.run.geometry.voxelToWorld.m.end(), header.begin() + 3);
    header[19] = w.run.frameCount;
    header[20] = w.run.repetitionTime;
    header[21] = double(int(w.run.storedType));
  }
  MPI_Bcast(header.data(), int(header.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (w.rank != 0) {
    ImageGeometry g;
    for (int k = 0; k < 3; ++k) g.size[std::size_t(k)] = int(header[std::size_t(k)]);
    std::copy(header.begin() + 3, header.begin() + 19, g.voxelToWorld.m.begin());
    w.run.allocate(g, int(header[19]));
    w.run.repetitionTime = header[20];
    w.run.storedType = StoredType(int(header[21]));
  }
  MPI_Datatype frameType;
  MPI_Type_contiguous(int(w.run.frameSize()), MPI_FLOAT, &frameType);
  MPI_Type_commit(&frameType);
  MPI_Bcast(w.run.voxels.data(), w.run.frameCount, frameType, 0, MPI_COMM_WORLD);
  MPI_Type_free(&frameType);
  w.mine = shareOf(w.run.frameCount, w.size, w.rank);
  return {};
}

int runJob(int rank, int size, const std::string& jobPath, bool json) {
  Reporter report(json, rank);
  Worker w(rank, size, report);
  std::vector<std::string> warnings;
  double readSeconds = 0;
  if (const std::string error = loadAndShare(w, jobPath, warnings, readSeconds); !error.empty()) {
    // Every rank knows; they stop cleanly (no MPI_Abort banner) and rank 0 says why.
    if (rank == 0) {
      report.send(ProgressMessage::error(error));
      std::fprintf(stderr, "MotionCorrectionMPI: error: %s\n", error.c_str());
    }
    return 1;
  }
  const int n = w.run.frameCount;
  const EstimationOptions& o = w.spec.estimation;
  const int ref = o.referenceFrame;
  if (rank == 0) {
    report.send(ProgressMessage::started(n, size));
    for (const auto& s : warnings) report.send(ProgressMessage::warning(s));
  }
  const Volume* weight = w.hasWeight ? &w.weight : nullptr;

  const auto tEstimate = std::chrono::steady_clock::now();
  ReferenceModel refModel = sharedReferenceModel(rank, w.run.frame(ref), w.run.geometry, o, weight);
  std::vector<Matrix4> initial(std::size_t(n), Matrix4::identity());
  std::vector<FrameMotion> local = w.pass(Stage::Pass1, refModel, initial, true);
  if (o.registerToMean) {
    for (int i = 0; i < w.mine.count; ++i) initial[std::size_t(w.mine.first + i)] = local[std::size_t(i)].transform;
    // The pass-2 anchor's owner needs the reference frame's pass-1 motion (identity: it was kept).
    const Volume mean = w.alignedMeanOverRanks(initial);
    refModel = sharedReferenceModel(rank, mean.voxels.data(), w.run.geometry, o, weight);
    local = w.pass(Stage::Pass2, refModel, initial, false);
  }
  std::vector<FrameMotion> frames = w.gatherMotions(local);
  JobResult result;
  if (rank == 0) {
    makeRelativeTo(frames, ref);
    result.motion.frames = std::move(frames);
    result.motion.samplePoints = refModel.sampleCount();
    summarizeMotion(result, w.run, ref);
  }
  result.estimateSeconds = secondsSince(tEstimate);

  if (!w.spec.estimateOnly) {
    const auto tReslice = std::chrono::steady_clock::now();
    std::vector<double> flat(std::size_t(n) * 16);
    if (rank == 0)
      for (int j = 0; j < n; ++j)
        std::copy(result.motion.frames[std::size_t(j)].transform.m.begin(),
                  result.motion.frames[std::size_t(j)].transform.m.end(), flat.begin() + std::size_t(j) * 16);
    broadcastDoubles(flat, 0);
    std::vector<Matrix4> motions(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) std::copy(flat.begin() + std::size_t(j) * 16, flat.begin() + std::size_t(j + 1) * 16,
                                          motions[std::size_t(j)].m.begin());
    ResliceResult rr = w.reslice(motions);
    result.resliceSeconds = secondsSince(tReslice);
    result.realigned = std::move(rr.realigned);
    result.mean = std::move(rr.mean);
  }
  if (rank != 0) return 0;

  const auto tWrite = std::chrono::steady_clock::now();
  result.written = writeJobOutputs(w.spec, result, w.run.storedType);
  result.writeSeconds = secondsSince(tWrite);
  for (int j = 0; j < n; ++j)
    report.send(ProgressMessage::result(j, result.parameters[std::size_t(j)], result.framewiseDisplacement[std::size_t(j)]));
  ProgressMessage done;
  done.kind = ProgressMessage::Kind::Finished;
  done.written = result.written;
  done.timings = {{"read", readSeconds},
                  {"estimate", result.estimateSeconds},
                  {"reslice", result.resliceSeconds},
                  {"write", result.writeSeconds}};
  report.send(done);
  if (!json)
    std::fprintf(stderr, "MotionCorrectionMPI: %d frames on %d ranks; read %.2f s, estimate %.2f s, reslice %.2f s, write %.2f s\n",
                 n, size, readSeconds, result.estimateSeconds, result.resliceSeconds, result.writeSeconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Die with mpirun (or orted): a launcher that kills the job's process group reaches mpirun only,
  // as Open MPI puts every rank in a group of its own.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  mc::installTemporaryFileCleanupOnSignals();

  std::string jobPath;
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
    else argError = a + ": unknown argument";
  }
  if (argError.empty() && jobPath.empty()) argError = "--job: required (the job file)";
  if (!argError.empty()) {
    if (rank == 0) std::fprintf(stderr, "MotionCorrectionMPI: error: %s\n%s", argError.c_str(), kUsage);
    MPI_Finalize();
    return 2;
  }

  Reporter errors(json, rank);
  int status = 0;
  try {
    status = runJob(rank, size, jobPath, json);
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
