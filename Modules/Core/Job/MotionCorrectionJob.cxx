#include "MotionCorrectionJob.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "AtomicOutput.h"
#include "ImageIO.h"
#include "ParameterFiles.h"
#include "Reslicer.h"

namespace mc {
namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void summarizeMotion(JobResult& r, const VolumeSeries& run, int referenceFrame) {
  r.parameters.clear();
  r.displacement.clear();
  for (const auto& f : r.motion.frames) r.parameters.push_back(f.parameters);
  r.framewiseDisplacement = framewiseDisplacement(r.parameters);
  r.displacement = frameDisplacements(r.motion.frames, run, referenceFrame);
}

std::vector<DisplacementStats> frameDisplacements(const std::vector<FrameMotion>& frames, const VolumeSeries& run,
                                                  int referenceFrame) {
  std::vector<DisplacementStats> d;
  const auto head = headPoints(run.extractFrame(referenceFrame));
  for (const auto& f : frames) d.push_back(displacementBetween(f.transform, Matrix4::identity(), head));
  return d;
}

namespace {

StoredFormat realignedFormat(const JobSpec& spec, const StoredFormat& input) {
  return spec.keepDataType ? input : StoredFormat{};
}

// The outputs other than the realigned run, staged into `tx` (which the caller commits).
void stageSmallOutputs(OutputTransaction& tx, const JobSpec& spec, const JobResult& r,
                       const std::vector<Matrix4>& motions) {
  if (!spec.parametersOutput.empty()) tx.stageText(spec.parametersOutput, formatRpFile(r.parameters));
  if (!spec.transformsOutput.empty()) tx.stageText(spec.transformsOutput, formatTransformsFile(motions));
  if (!spec.confoundsOutput.empty())
    tx.stageText(spec.confoundsOutput,
                 formatConfoundsTsv(r.parameters, r.framewiseDisplacement, frameNumbers(r.damagedFrames)));
  if (!spec.meanOutput.empty() && !spec.estimateOnly)
    tx.stage(spec.meanOutput, [&](const std::string& tmp) { writeVolume(tmp, r.mean, 0, StoredType::Float32); });
}

}  // namespace

JobResult runMotionCorrection(const JobSpec& spec, FrameExecutor& executor, const ProgressCallback& progress,
                              Collective& collective, KeepImages keep) {
  spec.validate();
  const auto t0 = std::chrono::steady_clock::now();
  VolumeSeries run;
  runOnRoot(collective, [&] { run = readVolumeSeries(spec.input, spec.threads); });
  if (collective.size() > 1) broadcastRun(collective, run);
  const double readSeconds = secondsSince(t0);
  JobResult r = runMotionCorrection(spec, std::move(run), executor, progress, collective, keep);
  r.readSeconds = readSeconds;
  return r;
}

JobResult runMotionCorrection(const JobSpec& spec, VolumeSeries run, FrameExecutor& executor,
                              const ProgressCallback& progress, Collective& collective, KeepImages keep) {
  spec.validate();
  JobResult r;
  // On every rank's copy: the same voxels and the same damaged frames everywhere.
  r.damagedFrames = sanitizeRun(run);
  if (!r.damagedFrames.empty()) r.warnings.push_back(describeDamagedFrames(r.damagedFrames));
  // Checked once, on rank 0, before any work: the weight image (only rank 0 builds reference models,
  // so only it needs the image) and whether the run can be estimated at all.
  Volume weight;
  runOnRoot(collective, [&] {
    if (!spec.weightImage.empty()) {
      weight = readVolume(spec.weightImage);
      if (!weight.geometry.sameGridAs(run.geometry, 1e-3))
        throw std::invalid_argument(spec.weightImage + ": weight image is not on the run's voxel grid");
    }
    checkRunForEstimation(run, spec.estimation, r.damagedFrames);
  });

  ProgressPlan plan;
  plan.registerToMean = spec.estimation.registerToMean;
  // Nothing asks for images (only parameter files): reslicing would be thrown away.
  const bool reslice = !spec.estimateOnly && (!spec.realignedOutput.empty() || !spec.meanOutput.empty() ||
                                              keep == KeepImages::Yes);
  plan.reslice = reslice;

  auto t = std::chrono::steady_clock::now();
  const Volume* weightOrNone = spec.weightImage.empty() || !collective.isRoot() ? nullptr : &weight;
  r.motion =
      Realigner(spec.estimation).estimate(run, r.damagedFrames, executor, progress, weightOrNone, plan, collective);
  r.estimateSeconds = secondsSince(t);
  r.warnings.insert(r.warnings.end(), r.motion.warnings.begin(), r.motion.warnings.end());

  summarizeMotion(r, run, r.motion.referenceFrame);
  std::vector<Matrix4> motions;
  for (const auto& f : r.motion.frames) motions.push_back(f.transform);

  // Every output is staged first and renamed together: a failure or a cancel leaves none behind.
  // The realigned run is written while it is resliced: rank 0's reslicer hands each frame, in
  // order, to the writer, which compresses it on its own threads while later frames are resliced.
  OutputTransaction tx;
  if (reslice) {
    t = std::chrono::steady_clock::now();
    std::unique_ptr<VolumeSeriesWriter> writer;
    if (collective.isRoot() && !spec.realignedOutput.empty())
      writer = std::make_unique<VolumeSeriesWriter>(tx.stagePath(spec.realignedOutput), run.geometry, run.frameCount,
                                                    run.repetitionTime, realignedFormat(spec, run.storedFormat()),
                                                    spec.threads, spec.realignedOutput);
    if (collective.isRoot() && keep == KeepImages::Yes) {
      r.realigned.allocate(run.geometry, run.frameCount);
      r.realigned.repetitionTime = run.repetitionTime;
      r.realigned.storedType = run.storedType;
      r.realigned.storedSlope = run.storedSlope;
      r.realigned.storedIntercept = run.storedIntercept;
    }
    const std::size_t frameSize = run.frameSize();
    const ResliceSink sink = [&](int frame, const float* voxels) {
      if (writer) writer->writeFrame(voxels);
      if (keep == KeepImages::Yes) std::copy(voxels, voxels + frameSize, r.realigned.frame(frame));
    };
    ResliceResult rr =
        resliceRun(run, motions, spec.reslice, executor, progress, plan, collective, sink, frameNumbers(r.damagedFrames));
    if (writer) writer->finish();
    r.resliceSeconds = secondsSince(t);
    r.mean = std::move(rr.mean);
  }
  if (!collective.isRoot()) return r;

  t = std::chrono::steady_clock::now();
  stageSmallOutputs(tx, spec, r, motions);
  r.written = tx.commit();
  r.writeSeconds = secondsSince(t);
  return r;
}

}  // namespace mc
