#pragma once
// Interpolating B-spline coefficients of a volume (Unser's recursive prefilter) and evaluation of
// the spline and its gradient anywhere in voxel coordinates.
#include <array>
#include <cstddef>
#include <cstring>
#include <vector>

#include "BSplineKernel.h"
#include "CpuDispatch.h"

namespace mc {

// Floats readable past the last coefficient (see evalValue's fast path).
constexpr std::size_t kCoefficientPadding = 8;

// Always inlined: the dispatched kernels (CpuDispatch.h) get their own copy, compiled for their
// instruction set.
template <int D>
MC_ALWAYS_INLINE double evalValue(const float* c, const std::array<int, 3>& size, const std::array<bool, 3>& wrap,
                        double x, double y, double z) {
  double wx[D + 1], wy[D + 1], wz[D + 1];
  const int fx = splineWeights<D>(x, wx), fy = splineWeights<D>(y, wy), fz = splineWeights<D>(z, wz);
  const std::ptrdiff_t nx = size[0], nxy = nx * size[1];
  double sum = 0;
  if (fx >= 0 && fy >= 0 && fz >= 0 && fx + D < size[0] && fy + D < size[1] && fz + D < size[2]) {
    // All taps inside: plain offsets, no boundary arithmetic (the common case). Each of the
    // (D+1)^2 rows is accumulated whole into an 8-wide vector (one SIMD multiply-add per row; the
    // compiler does not find this by itself), and the x weights are applied once at the end.
    // Reading up to 7 floats past a row is safe: the coefficients are padded (kCoefficientPadding).
    typedef float Float8 __attribute__((vector_size(32)));
    const float* base = c + fz * nxy + fy * nx + fx;
    Float8 acc = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int k = 0; k <= D; ++k)
      for (int j = 0; j <= D; ++j) {
        Float8 row;
        std::memcpy(&row, base + k * nxy + j * nx, sizeof row);
        acc += float(wz[k] * wy[j]) * row;
      }
    for (int i = 0; i <= D; ++i) sum += wx[i] * acc[i];
    return sum;
  }
  std::ptrdiff_t ix[D + 1], iy[D + 1], iz[D + 1];
  for (int m = 0; m <= D; ++m) {
    ix[m] = boundaryIndex(fx + m, size[0], wrap[0]);
    iy[m] = boundaryIndex(fy + m, size[1], wrap[1]) * nx;
    iz[m] = boundaryIndex(fz + m, size[2], wrap[2]) * nxy;
  }
  for (int k = 0; k <= D; ++k) {
    double sy = 0;
    for (int j = 0; j <= D; ++j) {
      const float* row = c + iz[k] + iy[j];
      double sx = 0;
      for (int i = 0; i <= D; ++i) sx += wx[i] * row[ix[i]];
      sy += wy[j] * sx;
    }
    sum += wz[k] * sy;
  }
  return sum;
}


// How far past the first and last voxel centre a position still counts as inside the grid.
constexpr double kInsideTolerance = 1e-4;

// True when (x, y, z), in voxel coordinates, lies within a grid of `size` on every non-wrapped
// axis (within kInsideTolerance): where a frame has data, for interpolation and SPM's mask alike.
MC_ALWAYS_INLINE bool insideGrid(double x, double y, double z, const std::array<int, 3>& size,
                                 const std::array<bool, 3>& wrap) {
  constexpr double tol = kInsideTolerance;
  return (wrap[0] || (x >= -tol && x <= size[0] - 1 + tol)) && (wrap[1] || (y >= -tol && y <= size[1] - 1 + tol)) &&
         (wrap[2] || (z >= -tol && z <= size[2] - 1 + tol));
}

class BSplineCoefficients {
public:
  BSplineCoefficients() = default;
  // degree 0..7; wrap per axis chooses periodic instead of mirror boundaries.
  BSplineCoefficients(const float* voxels, const std::array<int, 3>& size, int degree,
                      const std::array<bool, 3>& wrap = {false, false, false});
  // Recomputes in place, reusing the storage (no allocation when the size is unchanged).
  void compute(const float* voxels, const std::array<int, 3>& size, int degree,
               const std::array<bool, 3>& wrap = {false, false, false});

  int degree() const { return degree_; }
  const std::array<int, 3>& size() const { return size_; }
  const std::array<bool, 3>& wrap() const { return wrap_; }

  // Position in 0-based voxel coordinates. Outside the grid the boundary rule extends the image.
  double value(double x, double y, double z) const;
  // The same for a degree known at compile time: hot loops dispatch on the degree once, outside.
  template <int D>
  MC_ALWAYS_INLINE double valueOfDegree(double x, double y, double z) const {
    return evalValue<D>(c_.data(), size_, wrap_, x, y, z);
  }
  double valueAndGradient(double x, double y, double z, double gradient[3]) const;
  // The coefficients, x fastest, followed by kCoefficientPadding zeros.
  const float* data() const { return c_.data(); }

  // True when (x, y, z) lies within the grid (per non-wrapped axis), with a small tolerance.
  MC_ALWAYS_INLINE bool inside(double x, double y, double z) const { return insideGrid(x, y, z, size_, wrap_); }

private:
  std::vector<float> c_;
  std::array<int, 3> size_{0, 0, 0};
  std::array<bool, 3> wrap_{false, false, false};
  int degree_ = 0;
};

// Prefilters one line in place (exposed for tests).
void bsplinePrefilterLine(double* line, int n, int degree, bool wrap);
// Same for w lines side by side (sample k of line l at c[k * w + l]).
void bsplinePrefilterBundle(double* c, int n, int w, int degree, bool wrap);
// Turns a volume's samples into its interpolating coefficients, in place.
void prefilterVolume(float* voxels, const std::array<int, 3>& size, int degree, const std::array<bool, 3>& wrap);

}  // namespace mc
