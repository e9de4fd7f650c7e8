#include "FrameAligner.h"

#include "FrameEstimator.h"
#include "ReferenceModel.h"

namespace mc {

struct FrameAligner::State {
  ReferenceModel reference;
  FrameEstimator estimator;
};

FrameAligner::FrameAligner(const Volume& reference, const EstimationOptions& options) : state_(new State) {
  options.validate();
  state_->reference = ReferenceModel(reference.voxels.data(), reference.geometry, options);
}

FrameAligner::~FrameAligner() = default;
FrameAligner::FrameAligner(FrameAligner&&) noexcept = default;
FrameAligner& FrameAligner::operator=(FrameAligner&&) noexcept = default;

const ImageGeometry& FrameAligner::geometry() const { return state_->reference.geometry(); }
int FrameAligner::samplePoints() const { return state_->reference.sampleCount(); }

FrameMotion FrameAligner::align(const float* frameVoxels, int frameIndex) {
  return state_->estimator.estimate(state_->reference, frameVoxels, Matrix4::identity(), frameIndex);
}

}  // namespace mc
