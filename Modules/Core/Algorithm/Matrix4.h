#pragma once
// A 4x4 homogeneous matrix of doubles, row-major. Plain data so that it can cross the ITK/Eigen
// boundary (ITK bundles its own Eigen under the same name, so no shared header may include Eigen).
#include <array>
#include <iosfwd>

namespace mc {

struct Matrix4 {
  std::array<double, 16> m{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};

  static Matrix4 identity() { return Matrix4{}; }
  double& operator()(int r, int c) { return m[r * 4 + c]; }
  double operator()(int r, int c) const { return m[r * 4 + c]; }

  Matrix4 operator*(const Matrix4& b) const {
    Matrix4 r;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        double s = 0;
        for (int k = 0; k < 4; ++k) s += (*this)(i, k) * b(k, j);
        r(i, j) = s;
      }
    return r;
  }
  // Applies the matrix to the point (x, y, z, 1).
  std::array<double, 3> apply(const std::array<double, 3>& p) const {
    return {m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
            m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
            m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11]};
  }
  // Throws std::runtime_error when the matrix is singular.
  Matrix4 inverse() const;
  double maxAbsDifference(const Matrix4& b) const;
};

std::ostream& operator<<(std::ostream& os, const Matrix4& m);

}  // namespace mc
