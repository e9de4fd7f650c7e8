#include "Realigner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>

#include "FrameEstimator.h"
#include "ReferenceModel.h"
#include "Reslicer.h"

namespace mc {

static_assert(EstimationOptions{}.meanInterpolation == kMeanInterpolationDegree, "one default for the pass-2 mean");

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

namespace {

// Frame t's damage, if any; NaN/Inf voxels are set to 0 when the frame is writable (sanitizeRun).
template <typename Voxel>
bool inspectFrame(Voxel* f, std::size_t n, int t, DamagedFrame& d) {
  d = DamagedFrame{};
  d.frame = t;
  bool nonzero = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(f[i])) {
      if constexpr (!std::is_const_v<Voxel>) f[i] = 0.0f;
      ++d.nonFiniteVoxels;
    } else if (f[i] != 0.0f) {
      nonzero = true;
    }
  }
  d.empty = !nonzero;
  return d.empty || d.nonFiniteVoxels > 0;
}

template <typename Run>
std::vector<DamagedFrame> damagedFramesOf(Run& run) {
  std::vector<DamagedFrame> out;
  DamagedFrame d;
  for (int t = 0; t < run.frameCount; ++t)
    if (inspectFrame(run.frame(t), run.frameSize(), t, d)) out.push_back(d);
  return out;
}

std::string whatIsWrong(const DamagedFrame& d) {
  if (d.empty && d.nonFiniteVoxels) return "all voxels NaN/Inf or zero";
  if (d.empty) return "all voxels zero";
  return "NaN/Inf voxels (set to 0)";
}

}  // namespace

std::vector<DamagedFrame> findDamagedFrames(const VolumeSeries& run) { return damagedFramesOf(run); }

std::vector<DamagedFrame> sanitizeRun(VolumeSeries& run) { return damagedFramesOf(run); }

std::vector<int> frameNumbers(const std::vector<DamagedFrame>& damaged) {
  std::vector<int> frames;
  for (const auto& d : damaged) frames.push_back(d.frame);
  return frames;
}

std::string describeDamagedFrames(const std::vector<DamagedFrame>& damaged) {
  if (damaged.empty()) return {};
  // Groups in the order their first frame appears, each listing its frames in order.
  std::vector<std::pair<std::string, std::vector<int>>> groups;
  for (const auto& d : damaged) {
    const std::string what = whatIsWrong(d);
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& e) { return e.first == what; });
    if (g == groups.end()) g = groups.insert(groups.end(), {what, {}});
    g->second.push_back(d.frame);
  }
  std::string line;
  for (const auto& [what, frames] : groups) {
    if (!line.empty()) line += "; ";
    line += frames.size() == 1 ? "frame " : "frames ";
    for (std::size_t i = 0; i < frames.size(); ++i) line += (i ? ", " : "") + std::to_string(frames[i]);
    line += ": " + what;
  }
  return line + "; left out of the reference and the mean, marked as motion outliers";
}

namespace {

// Frame j of a pass: kept at `initial` when keepInitial (the reference frame in pass 1, or an empty
// frame: nothing to estimate), else estimated against `reference` from `initial`.
FrameMotion estimatePassFrame(FrameEstimator& estimator, const ReferenceModel& reference, const VolumeSeries& run,
                              int j, const Matrix4& initial, bool keepInitial) {
  if (keepInitial) {
    FrameMotion m;
    m.frame = j;
    m.transform = initial;
    m.parameters = spmImatrix(m.transform);
    return m;
  }
  return estimator.estimate(reference, run.frame(j), initial, j);
}

// Rank 0 builds the pass's reference model; the others receive it (they never recompute it).
ReferenceModel sharedReferenceModel(Collective& c, const float* voxels, const ImageGeometry& g,
                                    const EstimationOptions& o, const Volume* weight) {
  if (c.size() == 1) return ReferenceModel(voxels, g, o, weight);
  std::vector<double> flat;
  ReferenceModel model;
  if (c.isRoot()) {
    model = ReferenceModel(voxels, g, o, weight);
    flat = model.serialize();
  }
  broadcastVector(c, flat, 0);
  if (!c.isRoot()) model = ReferenceModel::deserialize(flat);
  return model;
}

// The frames of every rank's share on every rank: each rank's estimates (all but `parameters`, which
// follow from the transform) as bytes, gathered and broadcast.
void shareFrameMotions(Collective& c, std::vector<FrameMotion>& frames, const Share& mine) {
  std::vector<char> bytes;
  auto put = [&](const void* p, std::size_t n) {
    bytes.insert(bytes.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
  };
  for (int j = mine.first; j < mine.first + mine.count; ++j) {
    const FrameMotion& m = frames[std::size_t(j)];
    const std::uint64_t warningSize = m.warning.size();
    put(&j, sizeof j);  // the frame index
    put(m.transform.m.data(), sizeof(double) * 16);
    put(&m.iterations, sizeof m.iterations);
    put(&m.samplePoints, sizeof m.samplePoints);
    put(&m.meanSquaredResidual, sizeof m.meanSquaredResidual);
    put(&warningSize, sizeof warningSize);
    put(m.warning.data(), m.warning.size());
  }
  const std::vector<char> all = allGatherBytes(c, bytes);
  std::size_t at = 0;
  auto get = [&](void* p, std::size_t n) {
    std::memcpy(p, all.data() + at, n);
    at += n;
  };
  while (at < all.size()) {
    FrameMotion m;
    std::uint64_t warningSize = 0;
    get(&m.frame, sizeof m.frame);  // written as the frame index, which FrameMotion::frame is
    get(m.transform.m.data(), sizeof(double) * 16);
    get(&m.iterations, sizeof m.iterations);
    get(&m.samplePoints, sizeof m.samplePoints);
    get(&m.meanSquaredResidual, sizeof m.meanSquaredResidual);
    get(&warningSize, sizeof warningSize);
    m.warning.assign(all.data() + at, std::size_t(warningSize));
    at += std::size_t(warningSize);
    m.parameters = spmImatrix(m.transform);
    frames.at(std::size_t(m.frame)) = std::move(m);
  }
}

// One pass: this rank's frames against `ref`, reporting each as it finishes.
class PassRunner {
public:
  PassRunner(const VolumeSeries& run, const std::vector<DamagedFrame>& damaged, FrameExecutor& ex,
             const ProgressCallback& cb, const ProgressPlan& plan, Collective& c)
      : run_(run), ex_(ex), cb_(cb), plan_(plan), c_(c), mine_(shareOf(run.frameCount, c.size(), c.rank())),
        estimators_(std::max(1, ex.workerCount())), empty_(std::size_t(run.frameCount), 0) {
    for (const auto& d : damaged)
      if (d.empty) empty_.at(std::size_t(d.frame)) = 1;
  }

  const Share& share() const { return mine_; }

  // `anchor` is estimated first (by the rank that owns it, which shares its motion); the others are
  // then reported relative to it, so what a live plot shows during the pass is already the final
  // convention. Only this rank's frames of the result are filled.
  std::vector<FrameMotion> run(Stage stage, const ReferenceModel& ref, const std::vector<Matrix4>& initial,
                               int anchor, bool anchorIsIdentity) {
    const int n = run_.frameCount;
    std::vector<FrameMotion> out(n);
    done_ = 0;
    aborted_ = false;
    auto one = [&](int j, int w) {
      out[j] = estimatePassFrame(estimators_[w], ref, run_, j, initial[j],
                                 (j == anchor && anchorIsIdentity) || empty_[std::size_t(j)]);
    };
    const int anchorOwner = ownerOf(anchor, n, c_.size());
    Matrix4 anchorMotion;
    if (c_.rank() == anchorOwner) {
      one(anchor, 0);
      anchorMotion = out[anchor].transform;
    }
    if (c_.size() > 1) broadcastValue(c_, anchorMotion, anchorOwner);
    const Matrix4 anchorInverse = anchorMotion.inverse();
    if (c_.rank() == anchorOwner && !report(stage, anchor, out[anchor], anchorInverse)) throw Cancelled();
    ex_.run(mine_.count, [&](int i, int w) {
      const int j = mine_.first + i;
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
  Collective& c_;
  Share mine_;
  std::vector<FrameEstimator> estimators_;
  std::vector<char> empty_;  // per frame: 1 if every voxel is zero
  std::mutex mutex_;
  int done_ = 0;
  bool aborted_ = false;
};

}  // namespace

int checkRunForEstimation(const VolumeSeries& run, const EstimationOptions& o,
                          const std::vector<DamagedFrame>& damaged) {
  if (run.frameCount < 2)
    throw std::invalid_argument("the run has " + std::to_string(run.frameCount) +
                                " frame(s); motion correction needs at least 2");
  if (o.referenceFrame >= run.frameCount)
    throw std::invalid_argument("reference frame " + std::to_string(o.referenceFrame) + " is past the last frame (" +
                                std::to_string(run.frameCount - 1) + ")");
  const auto bad = std::find_if(damaged.begin(), damaged.end(),
                                [&](const DamagedFrame& d) { return d.frame == o.referenceFrame; });
  if (bad == damaged.end()) return o.referenceFrame;
  const std::string problem = "reference frame " + std::to_string(o.referenceFrame) +
                              (bad->empty && !bad->nonFiniteVoxels ? " is empty (all zero)" : " has NaN/Inf voxels");
  // A frame the user named (any but 0, see the header) is kept or refused, never replaced.
  if (o.referenceFrame != 0) throw std::invalid_argument(problem + "; choose an undamaged frame as reference");
  // The damaged frames come in frame order: the first undamaged frame is the first gap in them.
  int first = 0;
  for (const auto& d : damaged)
    if (d.frame == first) ++first;
  if (first >= run.frameCount)
    throw std::invalid_argument("no usable frame: every frame is empty (all zero) or has NaN/Inf voxels");
  return first;
}

MotionEstimate Realigner::estimate(const VolumeSeries& run, FrameExecutor& executor, const ProgressCallback& progress,
                                   const Volume* weight, const ProgressPlan& plan, Collective& collective) const {
  return estimate(run, findDamagedFrames(run), executor, progress, weight, plan, collective);
}

MotionEstimate Realigner::estimate(const VolumeSeries& run, const std::vector<DamagedFrame>& damaged,
                                   FrameExecutor& executor, const ProgressCallback& progress, const Volume* weight,
                                   const ProgressPlan& planIn, Collective& collective) const {
  const EstimationOptions& o = options_;
  const int r = checkRunForEstimation(run, o, damaged);
  ProgressPlan plan = planIn;
  plan.registerToMean = o.registerToMean;

  MotionEstimate result;
  result.referenceFrame = r;
  if (r != o.referenceFrame)
    result.warnings.push_back("reference frame " + std::to_string(o.referenceFrame) +
                              " is damaged: frame " + std::to_string(r) +
                              ", the first undamaged frame, is the reference and the parameters are relative to it");
  PassRunner passes(run, damaged, executor, progress, plan, collective);
  const ReferenceModel ref = sharedReferenceModel(collective, run.frame(r), run.geometry, o, weight);
  std::vector<FrameMotion> frames =
      passes.run(Stage::Pass1, ref, std::vector<Matrix4>(run.frameCount, Matrix4::identity()), r, true);
  result.samplePoints = ref.sampleCount();

  if (o.registerToMean) {
    // This rank's frames' pass-1 motions (the others are not needed: the mean sums this rank's share,
    // pass 2 starts each frame from its own, and the anchor's owner holds the anchor's).
    std::vector<Matrix4> motions(run.frameCount);
    for (int j = 0; j < run.frameCount; ++j) motions[j] = frames[j].transform;
    bool aborted = false;
    const Volume mean = alignedMean(run, motions, o.meanInterpolation, o.wrap, executor, [&](int j, int done) {
      if (!progress) return true;
      aborted = progress(plan.frameEvent(Stage::Mean, j, done, run.frameCount)) == CallbackReturn::Abort;
      return !aborted;
    }, collective, frameNumbers(damaged));
    const ReferenceModel meanRef = sharedReferenceModel(collective, mean.voxels.data(), run.geometry, o, weight);
    frames = passes.run(Stage::Pass2, meanRef, motions, r, false);
    result.samplePoints = meanRef.sampleCount();
  }
  if (collective.size() > 1) shareFrameMotions(collective, frames, passes.share());
  makeRelativeTo(frames, r);
  for (const auto& f : frames)
    if (!f.warning.empty()) result.warnings.push_back(f.warning);
  result.frames = std::move(frames);
  return result;
}

}  // namespace mc
