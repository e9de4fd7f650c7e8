#pragma once
// Rigid-body parameters in SPM's convention, so that rp_*.txt files interoperate with SPM pipelines.
#include <array>

#include "Matrix4.h"

namespace mc {

// x y z translations (mm) and pitch roll yaw rotations (radians), the column order of SPM's rp_*.txt.
struct RigidParameters {
  std::array<double, 6> values{0, 0, 0, 0, 0, 0};
  double& operator[](int i) { return values[i]; }
  double operator[](int i) const { return values[i]; }
};

// spm_matrix(P(1:6)): T * Rx(pitch) * Ry(roll) * Rz(yaw).
Matrix4 spmMatrix(const RigidParameters& p);
// spm_imatrix restricted to rigid matrices: the inverse of spmMatrix.
RigidParameters spmImatrix(const Matrix4& m);
// Derivative of spmMatrix with respect to parameter i at the identity (the Lie generators).
Matrix4 spmMatrixDerivativeAtIdentity(int i);

// NIfTI/SPM world is RAS+, ITK's is LPS+; this flips x and y (it is its own inverse).
Matrix4 rasFromLps(const Matrix4& lps);

}  // namespace mc
