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

struct MotionEstimate {
  std::vector<FrameMotion> frames;  // transform/parameters relative to the reference frame
  std::vector<std::string> warnings;
  int samplePoints = 0;             // sample points kept in the final pass's reference model
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

private:
  EstimationOptions options_;
};

// Degree used to build the pass-2 mean (every backend must use it to give identical results).
// Trilinear: the mean is smoothed by the FWHM kernel before use, so a higher degree changes the
// estimates by < 0.001 mm while costing 3x more (measured on the accuracy tests).
constexpr int kMeanInterpolationDegree = 1;

// The frames' motions re-expressed so that frame `reference` is the identity: Q_j * inverse(Q_ref).
void makeRelativeTo(std::vector<FrameMotion>& frames, int reference);

// Throws std::invalid_argument when the run cannot be estimated with these options (fewer than 2
// frames, reference frame past the end or empty). Realigner::estimate starts with it.
void checkRunForEstimation(const VolumeSeries& run, const EstimationOptions& options);

// Replaces NaN/Inf voxels by 0 and reports frames that are empty or were repaired (one line each).
std::vector<std::string> sanitizeRun(VolumeSeries& run);

}  // namespace mc
