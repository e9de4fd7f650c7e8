#pragma once
// Separable filters (Gaussian smoothing, the B-spline prefilter) visit every line of a volume along
// one axis. The lines of one plane are processed together as a bundle, element k of every line side
// by side, so memory is read in contiguous rows instead of with a large stride (which made the z
// pass the slowest) and the filters vectorize across the bundle on every axis.
#include <array>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace mc {

// op(buffer, n, width): buffer holds `width` lines of n samples, sample k of line l at [k * width + l].
// An op that filters in place returns nothing; one that writes its result elsewhere (a convolution
// cannot run in place) returns a pointer to it, in the same layout, and it is read back from there.
template <class Op>
const double* bundleResult(Op& op, double* buf, int n, int w) {
  if constexpr (std::is_void_v<decltype(op(buf, n, w))>) {
    op(buf, n, w);
    return buf;
  } else {
    return op(buf, n, w);
  }
}

template <class Op>
void forEachLineBundle(float* v, const std::array<int, 3>& size, int axis, Op&& op) {
  const int nx = size[0], ny = size[1], nz = size[2];
  const std::size_t nxy = std::size_t(nx) * ny;
  const bool big = nxy * nz > 20000;
  if (axis == 0) {
    // The x lines of one z plane, transposed into a bundle (sample k of row y at [k * ny + y]):
    // the filters then vectorize over the bundle's width as along y and z, instead of running one
    // scalar line at a time (measured: smoothing + prefilter of a frame 2.2x fewer instructions).
#pragma omp parallel if (big)
    {
      std::vector<double> buf(nxy);
#pragma omp for schedule(static)
      for (int z = 0; z < nz; ++z) {
        float* plane = v + std::size_t(z) * nxy;
        for (int y = 0; y < ny; ++y)
          for (int k = 0; k < nx; ++k) buf[std::size_t(k) * ny + y] = plane[std::size_t(y) * nx + k];
        const double* r = bundleResult(op, buf.data(), nx, ny);
        for (int y = 0; y < ny; ++y)
          for (int k = 0; k < nx; ++k) plane[std::size_t(y) * nx + k] = float(r[std::size_t(k) * ny + y]);
      }
    }
    return;
  }
  const int n = axis == 1 ? ny : nz, planes = axis == 1 ? nz : ny;
  const std::size_t step = axis == 1 ? std::size_t(nx) : nxy;  // between samples k and k+1
  const std::size_t planeStep = axis == 1 ? nxy : std::size_t(nx);
#pragma omp parallel if (big)
  {
    std::vector<double> buf(std::size_t(n) * nx);
#pragma omp for schedule(static)
    for (int p = 0; p < planes; ++p) {
      float* base = v + std::size_t(p) * planeStep;
      for (int k = 0; k < n; ++k)
        for (int l = 0; l < nx; ++l) buf[std::size_t(k) * nx + l] = base[k * step + l];
      const double* r = bundleResult(op, buf.data(), n, nx);
      for (int k = 0; k < n; ++k)
        for (int l = 0; l < nx; ++l) base[k * step + l] = float(r[std::size_t(k) * nx + l]);
    }
  }
}

}  // namespace mc
