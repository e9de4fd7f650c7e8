#pragma once
// Synthetic runs with known motion: the built-in example and the ground truth of accuracy tests.
// The phantom is analytic, so each frame is sampled directly at its moved position (no resampling
// of resampled data, which would flatter the estimator).
#include <array>
#include <cstdint>
#include <vector>

#include "RigidTransform.h"
#include "VolumeSeries.h"

namespace mc {

struct TrajectoryOptions {
  int frames = 100;
  double maxTranslationMm = 3.0;
  double maxRotationDeg = 3.0;
  int jumps = 3;            // sudden moves, as when a subject swallows or shifts
  std::uint64_t seed = 1;
};

// Slow drift, a small respiratory wobble and a few sudden jumps; frame 0 is at rest.
// Rows are in SPM rp convention (mm, radians).
std::vector<RigidParameters> realisticTrajectory(const TrajectoryOptions& options);

// The hard case of accuracy: 20 frames at rest but for three sudden jumps (translations up to 3 mm,
// rotations up to 1.5 degrees, kept) and two nods (pitch of `nodDeg`, then back) about a pivot at
// `pivotMm` (world, RAS mm: the neck, below and behind the head's centre). A nod moves the head's
// centre by several mm and its top by more: frame-to-frame FD (Power) up to about 9 mm.
struct JumpsAndNodsOptions {
  double nodDeg = 4.0;
  std::array<double, 3> pivotMm{0.0, -10.0, -65.0};
};
std::vector<RigidParameters> jumpsAndNodsTrajectory(const JumpsAndNodsOptions& options = {});

struct PhantomOptions {
  std::array<int, 3> size{64, 64, 33};
  std::array<double, 3> spacing{3.0, 3.0, 3.5};
  std::array<double, 3> centreMm{0, 0, 0};  // world position of the grid's centre (the head's is the origin)
  double obliqueDeg = 0;      // tilt of the slab about x (then a third of it about z), as in oblique EPI
  double noise = 0.02;        // Rician noise sigma, as a fraction of brain intensity
  double repetitionTime = 2.0;
  std::uint64_t noiseSeed = 7;
};

struct SyntheticRun {
  VolumeSeries run;
  std::vector<RigidParameters> truth;  // rp convention, relative to frame 0
};

// The grid an EPI run of these options would have: centred on the world origin.
ImageGeometry phantomGeometry(const PhantomOptions& options);

// Analytic head phantom intensity at a world point (mm, RAS); head centred at the origin. Its finest
// detail follows resolutionMm (the largest voxel side of the grid it is sampled on).
double headPhantom(double x, double y, double z, double resolutionMm = 3.0);

SyntheticRun generatePhantomRun(const PhantomOptions& phantom, const std::vector<RigidParameters>& motion);

// Moves a real volume: frame j is interpolated (B-spline degree 7) from `base` at its moved position
// (offset by half a voxel, see the source), each frame directly from the original, plus noise.
SyntheticRun moveVolume(const Volume& base, const std::vector<RigidParameters>& motion, double noise,
                        std::uint64_t noiseSeed = 7, double repetitionTime = 2.0);

}  // namespace mc
