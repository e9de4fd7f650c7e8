#include "RigidTransform.h"

#include <cmath>

namespace mc {

Matrix4 spmMatrix(const RigidParameters& p) {
  Matrix4 t, rx, ry, rz;
  t(0, 3) = p[0];
  t(1, 3) = p[1];
  t(2, 3) = p[2];
  const double c1 = std::cos(p[3]), s1 = std::sin(p[3]);
  const double c2 = std::cos(p[4]), s2 = std::sin(p[4]);
  const double c3 = std::cos(p[5]), s3 = std::sin(p[5]);
  rx(1, 1) = c1; rx(1, 2) = s1; rx(2, 1) = -s1; rx(2, 2) = c1;
  ry(0, 0) = c2; ry(0, 2) = s2; ry(2, 0) = -s2; ry(2, 2) = c2;
  rz(0, 0) = c3; rz(0, 1) = s3; rz(1, 0) = -s3; rz(1, 1) = c3;
  return t * rx * ry * rz;
}

RigidParameters spmImatrix(const Matrix4& m) {
  // Same decomposition as spm_imatrix with unit zooms and no shear.
  RigidParameters p;
  p[0] = m(0, 3);
  p[1] = m(1, 3);
  p[2] = m(2, 3);
  double s02 = m(0, 2);
  if (s02 > 1) s02 = 1;
  if (s02 < -1) s02 = -1;
  p[4] = std::asin(s02);
  const double e = std::fabs(p[4]) - M_PI / 2;
  if (e * e < 1e-9) {  // gimbal lock, handled as spm_imatrix does
    p[3] = 0;
    p[5] = std::atan2(-m(1, 0), -m(2, 0) / s02);
  } else {
    const double c = std::cos(p[4]);
    p[3] = std::atan2(m(1, 2) / c, m(2, 2) / c);
    p[5] = std::atan2(m(0, 1) / c, m(0, 0) / c);
  }
  return p;
}

Matrix4 spmMatrixDerivativeAtIdentity(int i) {
  Matrix4 d;
  d.m.fill(0);
  switch (i) {
    case 0: d(0, 3) = 1; break;
    case 1: d(1, 3) = 1; break;
    case 2: d(2, 3) = 1; break;
    case 3: d(1, 2) = 1; d(2, 1) = -1; break;  // pitch
    case 4: d(0, 2) = 1; d(2, 0) = -1; break;  // roll
    case 5: d(0, 1) = 1; d(1, 0) = -1; break;  // yaw
    default: break;
  }
  return d;
}

Matrix4 rasFromLps(const Matrix4& lps) {
  Matrix4 r = lps;
  for (int j = 0; j < 4; ++j) {
    r(0, j) = -lps(0, j);
    r(1, j) = -lps(1, j);
  }
  return r;
}

}  // namespace mc
