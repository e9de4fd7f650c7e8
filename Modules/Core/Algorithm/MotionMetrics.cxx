#include "MotionMetrics.h"

#include <algorithm>
#include <cmath>

namespace mc {

std::vector<double> framewiseDisplacement(const std::vector<RigidParameters>& p, double radius) {
  std::vector<double> fd(p.size(), 0.0);
  for (std::size_t j = 1; j < p.size(); ++j) {
    double s = 0;
    for (int i = 0; i < 3; ++i) s += std::fabs(p[j][i] - p[j - 1][i]);
    for (int i = 3; i < 6; ++i) s += radius * std::fabs(p[j][i] - p[j - 1][i]);
    fd[j] = s;
  }
  return fd;
}

std::vector<std::array<double, 3>> headPoints(const Volume& v, double fraction, int step) {
  std::vector<float> sorted(v.voxels);
  const std::size_t k = std::size_t(0.99 * (sorted.size() - 1));
  std::nth_element(sorted.begin(), sorted.begin() + k, sorted.end());
  const double threshold = fraction * sorted[k];
  std::vector<std::array<double, 3>> pts;
  const auto& s = v.geometry.size;
  for (int z = 0; z < s[2]; z += step)
    for (int y = 0; y < s[1]; y += step)
      for (int x = 0; x < s[0]; x += step)
        if (v.voxels[(std::size_t(z) * s[1] + y) * s[0] + x] > threshold)
          pts.push_back(v.geometry.voxelToWorld.apply({double(x), double(y), double(z)}));
  return pts;
}

DisplacementStats displacementBetween(const Matrix4& a, const Matrix4& b, const std::vector<std::array<double, 3>>& pts) {
  DisplacementStats st;
  if (pts.empty()) return st;
  for (const auto& p : pts) {
    const auto pa = a.apply(p), pb = b.apply(p);
    const double d = std::sqrt((pa[0] - pb[0]) * (pa[0] - pb[0]) + (pa[1] - pb[1]) * (pa[1] - pb[1]) +
                               (pa[2] - pb[2]) * (pa[2] - pb[2]));
    st.mean += d;
    st.max = std::max(st.max, d);
  }
  st.mean /= double(pts.size());
  return st;
}

}  // namespace mc
