#pragma once
// Gauss-Newton rigid alignment of one frame to a ReferenceModel (SPM12's spm_realign inner loop).
// An instance keeps scratch buffers, so a worker thread reuses one for all its frames.
#include <vector>

#include "BSplineCoefficients.h"
#include "Matrix4.h"
#include "Progress.h"
#include "ReferenceModel.h"

namespace mc {

class FrameEstimator {
public:
  // initial: starting world-space motion of the frame (identity, or a previous pass's answer).
  FrameMotion estimate(const ReferenceModel& reference, const float* frameVoxels, const Matrix4& initial,
                       int frameIndex);

private:
  template <int D>
  void accumulateBlocks(const ReferenceModel& ref, const Matrix4& refToFrameVoxel);

  std::vector<float> smoothed_;
  BSplineCoefficients coefficients_;
  std::vector<double> residualBlocks_;
};

}  // namespace mc
