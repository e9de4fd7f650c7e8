#include "Realigner.h"

#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "FrameEstimator.h"
#include "ReferenceModel.h"
#include "Reslicer.h"

namespace mc {

Realigner::Realigner(EstimationOptions options) : options_(options) { options_.validate(); }

void makeRelativeTo(std::vector<FrameMotion>& frames, int reference) {
  const Matrix4 inv = frames.at(reference).transform.inverse();
  for (auto& f : frames) {
    f.transform = f.transform * inv;
    f.parameters = spmImatrix(f.transform);
  }
  // Exactly zero, not rounding noise, for the frame everything is relative to.
  frames[reference].transform = Matrix4::identity();
  frames[reference].parameters = RigidParameters{};
}

std::vector<std::string> sanitizeRun(VolumeSeries& run) {
  std::vector<std::string> notes;
  for (int t = 0; t < run.frameCount; ++t) {
    float* f = run.frame(t);
    std::size_t bad = 0, nonzero = 0;
    for (std::size_t i = 0; i < run.frameSize(); ++i) {
      if (!std::isfinite(f[i])) {
        f[i] = 0.0f;
        ++bad;
      } else if (f[i] != 0.0f) {
        ++nonzero;
      }
    }
    if (bad) notes.push_back("frame " + std::to_string(t) + ": " + std::to_string(bad) + " NaN/Inf voxels set to 0");
    if (!nonzero) notes.push_back("frame " + std::to_string(t) + ": all voxels are zero; its motion is reported as none");
  }
  return notes;
}

namespace {

bool frameIsEmpty(const VolumeSeries& run, int t) {
  const float* f = run.frame(t);
  for (std::size_t i = 0; i < run.frameSize(); ++i)
    if (f[i] != 0.0f) return false;
  return true;
}

// One pass: every frame against `ref`, reporting each as it finishes.
class PassRunner {
public:
  PassRunner(const VolumeSeries& run, FrameExecutor& ex, const ProgressCallback& cb, const ProgressPlan& plan)
      : run_(run), ex_(ex), cb_(cb), plan_(plan), estimators_(std::max(1, ex.workerCount())) {}

  // `anchor` is estimated first; the others are then reported relative to it, so what a live plot
  // shows during the pass is already the final convention.
  std::vector<FrameMotion> run(Stage stage, const ReferenceModel& ref, const std::vector<Matrix4>& initial,
                               int anchor, bool anchorIsIdentity) {
    const int n = run_.frameCount;
    std::vector<FrameMotion> out(n);
    done_ = 0;
    aborted_ = false;
    auto one = [&](int j, int w) {
      out[j] = estimatePassFrame(estimators_[w], ref, run_, j, initial[j], j == anchor && anchorIsIdentity);
    };
    one(anchor, 0);
    const Matrix4 anchorInverse = out[anchor].transform.inverse();
    if (!report(stage, anchor, out[anchor], anchorInverse)) throw Cancelled();
    ex_.run(n, [&](int j, int w) {
      if (j == anchor) return true;
      one(j, w);
      return report(stage, j, out[j], anchorInverse);
    });
    if (aborted_) throw Cancelled();
    return out;
  }

private:
  bool report(Stage stage, int j, const FrameMotion& m, const Matrix4& anchorInverse) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    if (!cb_ || aborted_) return !aborted_;
    FrameMotion shown = m;
    shown.transform = m.transform * anchorInverse;
    shown.parameters = spmImatrix(shown.transform);
    if (cb_(plan_.frameEvent(stage, j, done_, run_.frameCount, &shown)) == CallbackReturn::Abort) aborted_ = true;
    return !aborted_;
  }

  const VolumeSeries& run_;
  FrameExecutor& ex_;
  const ProgressCallback& cb_;
  ProgressPlan plan_;
  std::vector<FrameEstimator> estimators_;
  std::mutex mutex_;
  int done_ = 0;
  bool aborted_ = false;
};

}  // namespace

void checkRunForEstimation(const VolumeSeries& run, const EstimationOptions& o) {
  if (run.frameCount < 2)
    throw std::invalid_argument("the run has " + std::to_string(run.frameCount) +
                                " frame(s); motion correction needs at least 2");
  if (o.referenceFrame >= run.frameCount)
    throw std::invalid_argument("reference frame " + std::to_string(o.referenceFrame) + " is past the last frame (" +
                                std::to_string(run.frameCount - 1) + ")");
  if (frameIsEmpty(run, o.referenceFrame))
    throw std::invalid_argument("reference frame " + std::to_string(o.referenceFrame) + " is empty (all zero)");
}

FrameMotion estimatePassFrame(FrameEstimator& estimator, const ReferenceModel& reference, const VolumeSeries& run,
                              int j, const Matrix4& initial, bool keepInitial) {
  if (keepInitial || frameIsEmpty(run, j)) {
    FrameMotion m;
    m.frame = j;
    m.transform = initial;
    m.parameters = spmImatrix(m.transform);
    return m;
  }
  return estimator.estimate(reference, run.frame(j), initial, j);
}

MotionEstimate Realigner::estimate(const VolumeSeries& run, FrameExecutor& executor, const ProgressCallback& progress,
                                   const Volume* weight, const ProgressPlan& planIn) const {
  const EstimationOptions& o = options_;
  checkRunForEstimation(run, o);
  ProgressPlan plan = planIn;
  plan.registerToMean = o.registerToMean;

  MotionEstimate result;
  const int r = o.referenceFrame;
  PassRunner passes(run, executor, progress, plan);
  ReferenceModel ref(run.frame(r), run.geometry, o, weight);
  std::vector<FrameMotion> frames =
      passes.run(Stage::Pass1, ref, std::vector<Matrix4>(run.frameCount, Matrix4::identity()), r, true);
  result.samplePoints = ref.sampleCount();

  if (o.registerToMean) {
    std::vector<Matrix4> motions(run.frameCount);
    for (int j = 0; j < run.frameCount; ++j) motions[j] = frames[j].transform;
    bool aborted = false;
    const Volume mean = alignedMean(run, motions, kMeanInterpolationDegree, o.wrap, executor, [&](int j, int done) {
      if (!progress) return true;
      aborted = progress(plan.frameEvent(Stage::Mean, j, done, run.frameCount)) == CallbackReturn::Abort;
      return !aborted;
    });
    ReferenceModel meanRef(mean.voxels.data(), run.geometry, o, weight);
    frames = passes.run(Stage::Pass2, meanRef, motions, r, false);
    result.samplePoints = meanRef.sampleCount();
  }
  makeRelativeTo(frames, r);
  for (const auto& f : frames)
    if (!f.warning.empty()) result.warnings.push_back(f.warning);
  result.frames = std::move(frames);
  return result;
}

}  // namespace mc
