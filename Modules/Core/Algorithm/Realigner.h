#pragma once
// Estimation of a whole run: pass 1 to the reference frame, optionally the mean of the aligned run and
// pass 2 to it (SPM's register-to-mean), then motions expressed relative to the reference frame.
//
// Convention. A frame's motion is a world-space (RAS mm) rigid matrix Q: the voxel y of the frame
// shows the anatomy that, in the reference, sits at world position Q * M * y (M = voxel-to-world).
// This is SPM's: Q is V(j).mat / V(ref).mat after realignment, and spmImatrix(Q) is the rp_*.txt row.
#include <vector>

#include "Collective.h"
#include "FrameExecutor.h"
#include "Progress.h"
#include "RealignmentOptions.h"
#include "VolumeSeries.h"

namespace mc {

// A frame whose voxels cannot be trusted as read: some voxels were NaN/Inf (sanitizeRun sets them
// to 0), or every voxel is zero (a dropped or blank volume). Such a frame is never a reference, is
// left out of every mean, and is marked as a motion outlier in the confounds TSV. A frame with some
// NaN/Inf voxels is still estimated from the rest (its parameters are a best guess); an empty one
// keeps the reference's position (nothing to estimate).
struct DamagedFrame {
  int frame = 0;
  std::size_t nonFiniteVoxels = 0;  // NaN/Inf voxels found (sanitizeRun sets them to 0)
  bool empty = false;               // every voxel is zero once NaN/Inf are set to 0
};

struct MotionEstimate {
  std::vector<FrameMotion> frames;  // transform/parameters relative to the reference frame
  std::vector<std::string> warnings;
  int samplePoints = 0;             // sample points kept in the final pass's reference model
  int referenceFrame = 0;           // the frame everything is relative to (see checkRunForEstimation)
};

class Realigner {
public:
  explicit Realigner(EstimationOptions options = {});
  const EstimationOptions& options() const { return options_; }

  // Throws std::invalid_argument for bad options or a run they do not fit, Cancelled on Abort.
  // Over several ranks (every rank holding the whole run): each estimates its share of the frames
  // (shareOf) and reports them to its own `progress`; rank 0 builds each pass's reference model (so
  // `weight` is read on rank 0 only) and every rank returns the whole estimate. Pass 1 is that of one
  // rank bit for bit; pass 2 differs only by the grouping of the mean's sums (as over threads).
  MotionEstimate estimate(const VolumeSeries& run, FrameExecutor& executor, const ProgressCallback& progress = {},
                          const Volume* weight = nullptr, const ProgressPlan& plan = {},
                          Collective& collective = localCollective()) const;
  // Same, with the run's damaged frames as sanitizeRun found them before it repaired the run (an
  // already repaired run no longer shows its NaN/Inf frames). The overload above finds them itself.
  MotionEstimate estimate(const VolumeSeries& run, const std::vector<DamagedFrame>& damaged, FrameExecutor& executor,
                          const ProgressCallback& progress = {}, const Volume* weight = nullptr,
                          const ProgressPlan& plan = {}, Collective& collective = localCollective()) const;

private:
  EstimationOptions options_;
};

// Default degree used to build the pass-2 mean (EstimationOptions::meanInterpolation; every backend
// takes it from the options, so they give identical results). Trilinear: the mean is smoothed by the
// FWHM kernel before use. Degree 2 (SPM's) is 3-11% better in mean error on the hard runs of
// Docs/Accuracy.md (< 0.001 mm on the easy ones) but doubles the mean's time, which takes the
// 200-frame estimate over its 0.8 s target.
constexpr int kMeanInterpolationDegree = 1;

// The frames' motions re-expressed so that frame `reference` is the identity: Q_j * inverse(Q_ref).
void makeRelativeTo(std::vector<FrameMotion>& frames, int reference);

// The reference frame of pass 1, or throws std::invalid_argument when the run cannot be estimated
// with these options (fewer than 2 frames, reference frame past the end, no undamaged frame).
// options.referenceFrame is taken unless it is damaged: then, if it is 0 (`first`, `mean`, the
// default: the options cannot tell them from an explicit 0), the first undamaged frame is; a damaged
// frame the user chose explicitly is an error. Realigner::estimate starts with it.
// `damaged` is in frame order (as findDamagedFrames and sanitizeRun return it).
int checkRunForEstimation(const VolumeSeries& run, const EstimationOptions& options,
                          const std::vector<DamagedFrame>& damaged);

// The damaged frames of a run, in frame order, without changing it.
std::vector<DamagedFrame> findDamagedFrames(const VolumeSeries& run);
// Replaces NaN/Inf voxels by 0 and returns the damaged frames found on the way (findDamagedFrames of
// the run as it was).
std::vector<DamagedFrame> sanitizeRun(VolumeSeries& run);
// One line naming the damaged frames grouped by what is wrong, e.g. "frames 7, 12: NaN/Inf voxels
// (set to 0); frame 30: all voxels zero; ..."; empty when there are none.
std::string describeDamagedFrames(const std::vector<DamagedFrame>& damaged);
// Their frame numbers, in order.
std::vector<int> frameNumbers(const std::vector<DamagedFrame>& damaged);

}  // namespace mc
