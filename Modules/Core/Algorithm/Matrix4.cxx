#include "Matrix4.h"

#include <cmath>
#include <iomanip>
#include <ostream>
#include <stdexcept>

namespace mc {

Matrix4 Matrix4::inverse() const {
  // Gauss-Jordan with partial pivoting: 4x4 is small enough that clarity wins over cofactors.
  double a[4][8];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      a[i][j] = (*this)(i, j);
      a[i][j + 4] = (i == j) ? 1.0 : 0.0;
    }
  for (int c = 0; c < 4; ++c) {
    int p = c;
    for (int r = c + 1; r < 4; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[p][c])) p = r;
    if (std::fabs(a[p][c]) < 1e-300) throw std::runtime_error("singular 4x4 matrix");
    if (p != c)
      for (int j = 0; j < 8; ++j) std::swap(a[p][j], a[c][j]);
    const double d = a[c][c];
    for (int j = 0; j < 8; ++j) a[c][j] /= d;
    for (int r = 0; r < 4; ++r) {
      if (r == c) continue;
      const double f = a[r][c];
      if (f == 0) continue;
      for (int j = 0; j < 8; ++j) a[r][j] -= f * a[c][j];
    }
  }
  Matrix4 r;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) r(i, j) = a[i][j + 4];
  return r;
}

double Matrix4::maxAbsDifference(const Matrix4& b) const {
  double d = 0;
  for (int i = 0; i < 16; ++i) d = std::max(d, std::fabs(m[i] - b.m[i]));
  return d;
}

std::ostream& operator<<(std::ostream& os, const Matrix4& m) {
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) os << (j ? " " : "") << std::setprecision(10) << m(i, j);
    os << "\n";
  }
  return os;
}

}  // namespace mc
