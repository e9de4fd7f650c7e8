#pragma once
// The hard run types of the accuracy comparison (issue 16), shared by the accuracy tests and
// MotionCorrectionAccuracyReport: big jumps and nods about a neck pivot, a slab that cuts the head
// (tissue enters and leaves the field of view), with and without noise, on the analytic phantom and
// on a real EPI volume. Each is estimated with the engine's defaults and with an SPM-style
// configuration of the same engine, and scored against the known motion.
#include <algorithm>
#include <string>
#include <vector>

#include "FrameExecutor.h"
#include "MotionMetrics.h"
#include "Realigner.h"
#include "SyntheticRun.h"

namespace mc::accuracy {

// SPM12's algorithm in this engine: smoothing zero outside the grid (spm_conv_vol), sample points
// from the grid's first voxel on (every slice), and SPM's stopping rule. Everything else (quality 0.9,
// sep 4, FWHM 5, degree 2, register to mean) is already SPM's default.
inline EstimationOptions spmStyle(EstimationOptions o = {}) {
  o.mirrorSmoothingEdges = false;
  o.sampleGridEdges = true;
  o.convergenceMm = 0;
  return o;
}

// The phantom in a 28-slice axial slab (98 mm) centred 10 mm above the head's centre: it cuts the
// head at the top and through the lower brain (the cerebellum's level), so nods and z jumps move
// tissue in and out of the field of view.
inline PhantomOptions cutSlabPhantom(double noise) {
  PhantomOptions p;
  p.size = {64, 64, 28};
  p.centreMm = {0, 0, 10};
  p.noise = noise;
  return p;
}

// Slices [first, first + count) of every frame, on the same world positions (a thinner slab of the
// run, whose motions in world terms are unchanged). Cutting the moved frames, not the source, makes
// the tissue that enters the slab real anatomy rather than the zeros beyond the source's grid.
inline SyntheticRun slabOf(const SyntheticRun& s, int first, int count) {
  SyntheticRun out;
  out.truth = s.truth;
  ImageGeometry g = s.run.geometry;
  g.size[2] = count;
  const auto origin = s.run.geometry.voxelToWorld.apply({0.0, 0.0, double(first)});
  for (int r = 0; r < 3; ++r) g.voxelToWorld(r, 3) = origin[r];
  out.run.allocate(g, s.run.frameCount);
  out.run.repetitionTime = s.run.repetitionTime;
  const std::size_t slice = std::size_t(g.size[0]) * g.size[1];
  for (int t = 0; t < s.run.frameCount; ++t)
    std::copy(s.run.frame(t) + slice * first, s.run.frame(t) + slice * (first + count), out.run.frame(t));
  return out;
}

struct RunType {
  std::string name;
  SyntheticRun run;
};

// The run types by name (see runTypeNames); `epi` is the real EPI volume (allineate_epi3d).
inline RunType makeRunType(const std::string& name, const Volume& epi) {
  if (name == "phantom-nods-cut-slab-noise-free")
    return {name, generatePhantomRun(cutSlabPhantom(0), jumpsAndNodsTrajectory())};
  if (name == "phantom-nods-cut-slab-noise-3%")
    return {name, generatePhantomRun(cutSlabPhantom(0.03), jumpsAndNodsTrajectory())};
  // The EPI's 58 slices of 2 mm cut to 40 (80 mm) from slice 10: through the cerebellum and below
  // the vertex.
  if (name == "epi-nods-cut-slab-noise-free") return {name, slabOf(moveVolume(epi, jumpsAndNodsTrajectory(), 0), 10, 40)};
  if (name == "epi-nods-cut-slab-noise-2%")
    return {name, slabOf(moveVolume(epi, jumpsAndNodsTrajectory(), 0.02), 10, 40)};
  if (name == "epi-whole-head-drift-noise-2%" || name == "epi-whole-head-drift-200-noise-2%") {
    TrajectoryOptions t;
    t.frames = name == "epi-whole-head-drift-noise-2%" ? 40 : 200;
    t.seed = 3;
    return {name, moveVolume(epi, realisticTrajectory(t), 0.02)};
  }
  throw std::invalid_argument("unknown run type " + name);
}

// The last (200 frames, as issue 16's) is for the report only: the tests take the 40-frame one.
inline std::vector<std::string> runTypeNames() {
  return {"phantom-nods-cut-slab-noise-free", "phantom-nods-cut-slab-noise-3%", "epi-nods-cut-slab-noise-free",
          "epi-nods-cut-slab-noise-2%", "epi-whole-head-drift-noise-2%", "epi-whole-head-drift-200-noise-2%"};
}

// Per frame: mean and largest displacement error over the head (mm) against the truth.
struct FrameErrors {
  std::vector<DisplacementStats> frames;
  double mean = 0;   // mean over frames of each frame's mean error
  double worst = 0;  // the largest frame mean error
  double worstPoint = 0;  // the largest error of any head point in any frame
  int worstFrame = 0;
  int iterations = 0;  // last pass, summed over frames
};

inline FrameErrors frameErrors(const SyntheticRun& s, const EstimationOptions& o, int threads = 2) {
  OpenMPFrameExecutor ex(threads);
  const MotionEstimate est = Realigner(o).estimate(s.run, ex);
  const auto head = headPoints(s.run.extractFrame(est.referenceFrame));
  const Matrix4 refInv = spmMatrix(s.truth[std::size_t(est.referenceFrame)]).inverse();
  FrameErrors e;
  for (std::size_t j = 0; j < s.truth.size(); ++j) {
    const auto d = displacementBetween(est.frames[j].transform, spmMatrix(s.truth[j]) * refInv, head);
    e.frames.push_back(d);
    e.mean += d.mean / double(s.truth.size());
    if (d.mean > e.worst) {
      e.worst = d.mean;
      e.worstFrame = int(j);
    }
    e.worstPoint = std::max(e.worstPoint, d.max);
    e.iterations += est.frames[j].iterations;
  }
  return e;
}

}  // namespace mc::accuracy
