#include "Run.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <vector>

#include "ImageIO.h"
#include "PrivateFolder.h"
#include "Realigner.h"
#include "RigidTransform.h"

namespace mc {
namespace fs = std::filesystem;

namespace {

bool writesAnyFile(const JobSpec& s) {
  const std::vector<std::string> paths = s.outputPaths();
  return std::any_of(paths.begin(), paths.end(), [](const std::string& p) { return !p.empty(); });
}

JobResult runInThisProcess(const RunRequest& request, const ProgressCallback& progress, FrameExecutor* executor) {
  std::optional<OpenMPFrameExecutor> own;
  if (!executor) executor = &own.emplace(request.backend == Backend::Serial ? 1 : request.spec.threads);
  const KeepImages keep = request.keepImages ? KeepImages::Yes : KeepImages::No;
  JobResult r = request.inputRun
                    ? runMotionCorrection(request.spec, *request.inputRun, *executor, progress, localCollective(), keep)
                    : runMotionCorrection(request.spec, *executor, progress, localCollective(), keep);
  if (!request.keepImages) r.mean = Volume();
  return r;
}

// What the worker does not print, rebuilt here so that an MPI result reads like an in-process one.
void completeMotion(JobResult& r, const RunRequest& request) {
  r.motion.frames.clear();
  for (std::size_t i = 0; i < r.parameters.size(); ++i) {
    FrameMotion f;
    f.frame = int(i);
    f.parameters = r.parameters[i];
    f.transform = spmMatrix(r.parameters[i]);
    r.motion.frames.push_back(f);
  }
  r.displacement.clear();
  if (!request.inputRun || r.motion.frames.empty()) return;
  // The worker's damaged frames and the reference it used follow from the run (the same scan and
  // rule as in the worker), so they are found here rather than carried back over the progress
  // protocol: without them an MPI result named no damaged frame and measured displacement from
  // the asked-for frame 0 when the reference had moved off a damaged frame 0.
  r.damagedFrames = findDamagedFrames(*request.inputRun);
  r.motion.referenceFrame = checkRunForEstimation(*request.inputRun, request.spec.estimation, r.damagedFrames);
  r.displacement = frameDisplacements(r.motion.frames, *request.inputRun, r.motion.referenceFrame);
}

JobResult runUnderMpi(const RunRequest& request, const ProgressCallback& progress) {
  JobSpec spec = request.spec;
  std::optional<PrivateFolder> folder;
  const auto privateFile = [&](const std::string& name) {
    if (!folder) folder.emplace("mc-run-");
    return folder->file(name);
  };
  if (request.inputRun) {
    // float32 whatever the run's stored type: the voxels are floats here, and the worker must see them unrounded.
    spec.input = privateFile("input.nii");
    writeVolumeSeries(spec.input, *request.inputRun, StoredType::Float32);
  }
  const bool readBack = request.keepImages && !spec.estimateOnly;
  std::vector<std::string> privateOutputs;
  if (readBack) {
    if (spec.realignedOutput.empty()) privateOutputs.push_back(spec.realignedOutput = privateFile("realigned.nii"));
    if (spec.meanOutput.empty()) privateOutputs.push_back(spec.meanOutput = privateFile("mean.nii"));
  }
  JobResult r = runMpiBackend(spec, request.mpi, progress);
  std::vector<std::string> written;
  for (const auto& p : r.written)
    if (std::find(privateOutputs.begin(), privateOutputs.end(), p) == privateOutputs.end()) written.push_back(p);
  r.written = std::move(written);
  if (readBack) {
    r.realigned = readVolumeSeries(spec.realignedOutput);
    r.mean = readVolume(spec.meanOutput);
    if (request.inputRun) {
      // The file's header holds the geometry in single precision; the in-process result has the run's own.
      r.realigned.geometry = r.mean.geometry = request.inputRun->geometry;
      r.realigned.repetitionTime = request.inputRun->repetitionTime;
      r.realigned.storedType = request.inputRun->storedType;
    }
  }
  completeMotion(r, request);
  return r;
}

}  // namespace

void RunRequest::validate() const {
  if (!inputRun && spec.input.empty()) throw std::invalid_argument("--input: required (the 4D run to correct)");
  if (!keepImages && !writesAnyFile(spec))
    throw std::invalid_argument(
        "--output: no output requested (give --output, --mean, --params, --transforms or --confounds)");
  spec.validate();
  if (backend == Backend::Mpi) {
    if (mpi.ranks < 1)
      throw std::invalid_argument("--mpi-ranks: expected a whole number >= 1, got '" + std::to_string(mpi.ranks) + "'");
    if (mpi.threadsPerRank < 0)
      throw std::invalid_argument("--threads: must be >= 0 (0 = all cores), got " + std::to_string(mpi.threadsPerRank));
  }
}

JobResult run(const RunRequest& request, const ProgressCallback& progress, FrameExecutor* executor) {
  request.validate();
  if (request.backend == Backend::Mpi) return runUnderMpi(request, progress);
  return runInThisProcess(request, progress, executor);
}

std::string backendUnavailableReason(Backend backend, const MpiOptions& mpi) {
  if (backend != Backend::Mpi) return {};
  try {
    findMpiWorker(mpi.worker);
    findMpirun(mpi.mpirun);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace mc
