#pragma once
// What estimation needs from the reference volume, computed once per pass: the sample points, the
// smoothed reference at them, and the rate of change of the difference with each rigid parameter
// (SPM's A0). Built from a volume, it is immutable and shared by all threads (and broadcast by MPI).
#include <array>
#include <vector>

#include "ImageGeometry.h"
#include "RealignmentOptions.h"

namespace mc {

struct Volume;

class ReferenceModel {
public:
  ReferenceModel() = default;
  // weight: optional image on the same grid (SPM's PW); points where it is < 0.01 are dropped.
  ReferenceModel(const float* referenceVoxels, const ImageGeometry& geometry, const EstimationOptions& options,
                 const Volume* weight = nullptr);

  const ImageGeometry& geometry() const { return geometry_; }
  const EstimationOptions& options() const { return options_; }
  int sampleCount() const { return int(points_.size() / 3); }
  const double* point(int k) const { return &points_[3 * std::size_t(k)]; }  // voxel coordinates
  double value(int k) const { return b_[k]; }
  double weight(int k) const { return wt_.empty() ? 1.0 : wt_[k]; }
  const double* jacobian(int k) const { return &a0_[6 * std::size_t(k)]; }  // 6 values
  // Sums over all sample points of a0_i * a0_j (6x6, row-major) and a0_i * b: the constant part of
  // the Gauss-Newton system, so that each iteration only adds what depends on the frame.
  const std::array<double, 36>& jacobianProducts() const { return a0a0_; }
  const std::array<double, 6>& jacobianTimesValue() const { return a0b_; }

  // Flat form for MPI broadcast: the model is plain numbers.
  std::vector<double> serialize() const;
  static ReferenceModel deserialize(const std::vector<double>& data);

private:
  ImageGeometry geometry_;
  EstimationOptions options_;
  std::vector<double> points_, b_, wt_, a0_;
  std::array<double, 36> a0a0_{};
  std::array<double, 6> a0b_{};

  void sumJacobianProducts();
};

}  // namespace mc
