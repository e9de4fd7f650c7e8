#include "Reslicer.h"

#include <cmath>
#include <mutex>
#include <stdexcept>

namespace mc {

Matrix4 referenceToFrameVoxel(const ImageGeometry& grid, const Matrix4& motion) {
  // The rigid inverse is taken once per frame (not per voxel).
  return grid.voxelToWorld.inverse() * motion.inverse() * grid.voxelToWorld;
}

Reslicer::Reslicer(const ImageGeometry& grid, const ResliceOptions& options) : grid_(grid), options_(options) {
  options.validate();
}

namespace {

// Visits every voxel of the grid with its position in the frame, row by row (positions advance
// linearly along x, so each row costs one matrix-vector product).
template <class Visit>
void forEachVoxel(const ImageGeometry& grid, const Matrix4& v, Visit&& visit) {
  const int nx = grid.size[0], ny = grid.size[1], nz = grid.size[2];
  const bool big = grid.voxelCount() > 20000;
#pragma omp parallel for schedule(static) if (big)
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y) {
      const std::size_t row = (std::size_t(z) * ny + y) * nx;
      for (int x = 0; x < nx; ++x) {
        const double px = v.m[0] * x + v.m[1] * y + v.m[2] * z + v.m[3];
        const double py = v.m[4] * x + v.m[5] * y + v.m[6] * z + v.m[7];
        const double pz = v.m[8] * x + v.m[9] * y + v.m[10] * z + v.m[11];
        visit(row + x, px, py, pz);
      }
    }
}

}  // namespace

void Reslicer::restrictCoverage(const Matrix4& motion, std::vector<std::uint8_t>& covered) const {
  covered.resize(grid_.voxelCount(), 1);
  const auto& w = options_.wrap;
  const auto& s = grid_.size;
  constexpr double tol = 1e-4;
  forEachVoxel(grid_, referenceToFrameVoxel(grid_, motion), [&](std::size_t i, double x, double y, double z) {
    const bool in = (w[0] || (x >= -tol && x <= s[0] - 1 + tol)) && (w[1] || (y >= -tol && y <= s[1] - 1 + tol)) &&
                    (w[2] || (z >= -tol && z <= s[2] - 1 + tol));
    if (!in) covered[i] = 0;
  });
}

void Reslicer::resliceFrame(const float* frame, const Matrix4& motion, float* out, BSplineCoefficients& c,
                            const std::uint8_t* mask) const {
  c.compute(frame, grid_.size, options_.interpolation, options_.wrap);
  const Matrix4 v = referenceToFrameVoxel(grid_, motion);
  withSplineDegree(options_.interpolation, [&](auto degree) {
    constexpr int D = decltype(degree)::value;
    forEachVoxel(grid_, v, [&](std::size_t i, double x, double y, double z) {
      out[i] = ((mask && !mask[i]) || !c.inside(x, y, z)) ? 0.0f : float(c.template valueOfDegree<D>(x, y, z));
    });
  });
}

void Reslicer::accumulate(const float* frame, const Matrix4& motion, double* sum, std::uint32_t* count,
                          BSplineCoefficients& c) const {
  c.compute(frame, grid_.size, options_.interpolation, options_.wrap);
  const Matrix4 v = referenceToFrameVoxel(grid_, motion);
  withSplineDegree(options_.interpolation, [&](auto degree) {
    constexpr int D = decltype(degree)::value;
    forEachVoxel(grid_, v, [&](std::size_t i, double x, double y, double z) {
      if (!c.inside(x, y, z)) return;
      sum[i] += c.template valueOfDegree<D>(x, y, z);
      count[i] += 1;
    });
  });
}

ResliceResult resliceRun(const VolumeSeries& run, const std::vector<Matrix4>& motions, const ResliceOptions& options,
                         FrameExecutor& executor, const ProgressCallback& progress, const ProgressPlan& plan) {
  if (int(motions.size()) != run.frameCount)
    throw std::invalid_argument("reslice: " + std::to_string(motions.size()) + " motions for " +
                                std::to_string(run.frameCount) + " frames");
  const Reslicer reslicer(run.geometry, options);
  const std::size_t nvox = run.frameSize();
  const int workers = std::max(1, executor.workerCount());

  // Coverage count per voxel; integer sums, so the result does not depend on the split.
  std::vector<std::vector<std::uint8_t>> cover(workers);
  std::vector<std::vector<std::uint32_t>> counts(workers, std::vector<std::uint32_t>(nvox, 0));
  executor.run(run.frameCount, [&](int j, int w) {
    cover[w].assign(nvox, 1);
    reslicer.restrictCoverage(motions[j], cover[w]);
    for (std::size_t i = 0; i < nvox; ++i) counts[w][i] += cover[w][i];
    return true;
  });
  std::vector<std::uint32_t> count(nvox, 0);
  for (const auto& c : counts)
    for (std::size_t i = 0; i < nvox; ++i) count[i] += c[i];
  counts.clear();

  ResliceResult r;
  r.mask.assign(nvox, 0);
  for (std::size_t i = 0; i < nvox; ++i) r.mask[i] = count[i] == std::uint32_t(run.frameCount);
  r.realigned.allocate(run.geometry, run.frameCount);
  r.realigned.repetitionTime = run.repetitionTime;
  r.realigned.storedType = run.storedType;

  std::vector<BSplineCoefficients> scratch(workers);
  std::mutex mutex;
  int done = 0;
  bool aborted = false;
  executor.run(run.frameCount, [&](int j, int w) {
    reslicer.resliceFrame(run.frame(j), motions[j], r.realigned.frame(j), scratch[w],
                          options.mask ? r.mask.data() : nullptr);
    std::lock_guard<std::mutex> lock(mutex);
    ++done;
    if (progress && !aborted) {
      ProgressEvent e;
      e.stage = Stage::Reslice;
      e.frame = j;
      e.completed = done;
      e.total = run.frameCount;
      e.fraction = plan.fraction(Stage::Reslice, done, run.frameCount);
      if (progress(e) == CallbackReturn::Abort) aborted = true;
    }
    return !aborted;
  });
  if (aborted) throw Cancelled();

  // Mean over the frames that see each voxel, summed in frame order (deterministic).
  r.mean.geometry = run.geometry;
  r.mean.voxels.assign(nvox, 0.0f);
#pragma omp parallel for schedule(static) if (nvox > 20000)
  for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(nvox); ++i) {
    if (count[i] == 0 || (options.mask && !r.mask[i])) continue;
    double s = 0;
    for (int j = 0; j < run.frameCount; ++j) s += r.realigned.frame(j)[i];
    r.mean.voxels[i] = float(s / count[i]);
  }
  return r;
}

Volume alignedMean(const VolumeSeries& run, const std::vector<Matrix4>& motions, int degree,
                   const std::array<bool, 3>& wrap, FrameExecutor& executor,
                   const std::function<bool(int, int)>& onFrame) {
  ResliceOptions o;
  o.interpolation = degree;
  o.wrap = wrap;
  o.mask = false;
  const Reslicer reslicer(run.geometry, o);
  const std::size_t nvox = run.frameSize();
  const int workers = std::max(1, executor.workerCount());
  std::vector<std::vector<double>> sums(workers);
  std::vector<std::vector<std::uint32_t>> counts(workers);
  std::vector<BSplineCoefficients> scratch(workers);
  std::mutex mutex;
  int done = 0;
  bool aborted = false;
  executor.run(run.frameCount, [&](int j, int w) {
    if (sums[w].empty()) {
      sums[w].assign(nvox, 0.0);
      counts[w].assign(nvox, 0);
    }
    reslicer.accumulate(run.frame(j), motions[j], sums[w].data(), counts[w].data(), scratch[w]);
    std::lock_guard<std::mutex> lock(mutex);
    ++done;
    if (!aborted && onFrame && !onFrame(j, done)) aborted = true;
    return !aborted;
  });
  if (aborted) throw Cancelled();
  Volume mean{run.geometry, std::vector<float>(nvox, 0.0f)};
  for (std::size_t i = 0; i < nvox; ++i) {
    double s = 0;
    std::uint32_t c = 0;
    for (int w = 0; w < workers; ++w)
      if (!sums[w].empty()) {
        s += sums[w][i];
        c += counts[w][i];
      }
    mean.voxels[i] = c ? float(s / c) : 0.0f;
  }
  return mean;
}

}  // namespace mc
