#pragma once
// Frames aligned one at a time, as they arrive, to one fixed reference volume: follow (real-time)
// mode. It is a run's pass 1 taken a frame at a time (the same reference model, the same estimator,
// each frame started from the identity), so a frame gets the motion an offline run with
// `--reference` this volume and one pass would give it, bit for bit.
#include <memory>

#include "Progress.h"
#include "RealignmentOptions.h"
#include "VolumeSeries.h"

namespace mc {

class FrameAligner {
public:
  // Builds the reference model of `reference` (smoothed, sample points, their gradients) once.
  // Throws std::invalid_argument for bad options.
  FrameAligner(const Volume& reference, const EstimationOptions& options);
  ~FrameAligner();
  FrameAligner(FrameAligner&&) noexcept;
  FrameAligner& operator=(FrameAligner&&) noexcept;

  const ImageGeometry& geometry() const;
  int samplePoints() const;
  // The motion of a frame on the reference's grid (geometry().voxelCount() voxels), relative to the
  // reference. Not thread-safe: one aligner per thread (it keeps the estimator's scratch buffers).
  FrameMotion align(const float* frameVoxels, int frameIndex);

private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mc
