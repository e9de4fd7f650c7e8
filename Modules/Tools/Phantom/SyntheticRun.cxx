#include "SyntheticRun.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "BSplineCoefficients.h"
#include "Reslicer.h"

namespace mc {
namespace {

double smoothStep(double edgeDistance, double widthMm) {
  // 0 outside, 1 inside, a ~widthMm mm ramp: the edge blur an EPI point-spread function gives.
  return 0.5 * (1.0 - std::tanh(edgeDistance / (0.5 * widthMm)));
}

// Signed distance (approximate, mm) from an ellipsoid's surface; negative inside.
double ellipsoidDistance(double x, double y, double z, double a, double b, double c) {
  const double r = std::sqrt((x * x) / (a * a) + (y * y) / (b * b) + (z * z) / (c * c));
  return (r - 1.0) * std::cbrt(a * b * c);
}

struct Wave {
  double kx, ky, kz, phase;
};

const std::vector<Wave>& textureWaves() {
  static const std::vector<Wave> waves = [] {
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Wave> w;
    for (int i = 0; i < 16; ++i) {
      const double wavelength = 9.0 + 18.0 * u(rng);  // mm, gyral scale
      double dx = u(rng) - 0.5, dy = u(rng) - 0.5, dz = u(rng) - 0.5;
      const double n = std::sqrt(dx * dx + dy * dy + dz * dz) + 1e-9;
      const double k = 2 * M_PI / wavelength;
      w.push_back({k * dx / n, k * dy / n, k * dz / n, 2 * M_PI * u(rng)});
    }
    return w;
  }();
  return waves;
}

}  // namespace

double headPhantom(double x, double y, double z, double resolutionMm) {
  // Detail finer than the acquisition resolves is absent from a real image (the scanner samples a
  // band-limited k-space), so edges and texture widen with coarser voxels; otherwise they alias
  // differently at each position and no estimator could match the frames.
  const double s = std::max(1.0, resolutionMm / 3.0);
  const double dHead = ellipsoidDistance(x, y, z, 72, 92, 80);
  if (dHead > 6 * s) return 0.0;
  const double head = smoothStep(dHead, 3.0 * s);
  const double dSkull = ellipsoidDistance(x, y, z, 66, 86, 74);
  const double dBrain = ellipsoidDistance(x, y - 4, z + 2, 61, 80, 68);
  double v = 0.55 * head;                          // scalp
  v -= 0.45 * smoothStep(dSkull, 2.5 * s);         // dark skull
  const double brain = smoothStep(dBrain, 2.5 * s);
  if (brain > 1e-6) {
    double t = 0;
    const double k = 1.0 / s;
    for (const Wave& w : textureWaves()) t += std::cos(k * (w.kx * x + w.ky * y + w.kz * z) + w.phase);
    const double gm = 0.5 + 0.5 * std::tanh(1.2 * t / 4.0);  // grey/white folding pattern
    double b = 0.55 + 0.35 * gm;
    // Ventricles: two dark ellipsoids.
    b -= 0.5 * smoothStep(ellipsoidDistance(x - 9, y + 2, z - 8, 6, 22, 10), 2.0 * s);
    b -= 0.5 * smoothStep(ellipsoidDistance(x + 9, y + 2, z - 8, 6, 22, 10), 2.0 * s);
    v = v * (1 - brain) + (0.10 + b) * brain;
  }
  return 1000.0 * std::max(0.0, v);
}

std::vector<RigidParameters> realisticTrajectory(const TrajectoryOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const double deg = M_PI / 180.0;
  const double maxv[6] = {o.maxTranslationMm, o.maxTranslationMm, o.maxTranslationMm,
                          o.maxRotationDeg * deg, o.maxRotationDeg * deg, o.maxRotationDeg * deg};
  double drift[6], wobble[6], phase[6];
  for (int i = 0; i < 6; ++i) {
    drift[i] = 0.35 * maxv[i] * u(rng);
    wobble[i] = 0.03 * maxv[i] * u(rng);
    phase[i] = M_PI * u(rng);
  }
  struct Jump {
    int at;
    double step[6];
  };
  std::vector<Jump> jumps;
  for (int k = 0; k < o.jumps; ++k) {
    Jump j;
    j.at = 1 + int((k + 0.5 + 0.3 * u(rng)) * (o.frames - 1) / std::max(1, o.jumps));
    for (int i = 0; i < 6; ++i) j.step[i] = 0.45 * maxv[i] * u(rng);
    jumps.push_back(j);
  }
  std::vector<RigidParameters> out(o.frames);
  for (int t = 1; t < o.frames; ++t) {
    const double s = double(t) / std::max(1, o.frames - 1);
    for (int i = 0; i < 6; ++i) {
      double v = drift[i] * s + wobble[i] * (std::sin(2 * M_PI * t / 4.0 + phase[i]) - std::sin(phase[i]));
      for (const Jump& j : jumps)
        if (t >= j.at) v += j.step[i];
      out[t][i] = std::clamp(v, -maxv[i], maxv[i]);
    }
  }
  return out;
}

std::vector<RigidParameters> jumpsAndNodsTrajectory(const JumpsAndNodsOptions& o) {
  const double deg = M_PI / 180.0;
  // Sudden moves at frames 4, 10 and 15, each kept (x, y, z mm; pitch, roll, yaw degrees).
  struct Jump {
    int at;
    double step[6];
  };
  const Jump jumps[] = {{4, {1.5, -2.0, 3.0, 1.0, -0.5, 0.8}},
                        {10, {-2.5, 1.0, -1.5, -1.5, 1.0, -0.5}},
                        {15, {1.0, 2.5, 2.0, 0.5, -1.0, 1.5}}};
  // Nods: the head pitches about the pivot at frames 7 (down) and 13 (up), and is back the next frame.
  const std::pair<int, double> nods[] = {{7, -o.nodDeg}, {13, 0.9 * o.nodDeg}};
  std::vector<RigidParameters> out(20);
  for (int t = 1; t < int(out.size()); ++t) {
    RigidParameters base;
    for (const Jump& j : jumps)
      if (t >= j.at)
        for (int i = 0; i < 6; ++i) base[i] += i < 3 ? j.step[i] : j.step[i] * deg;
    Matrix4 q = spmMatrix(base);
    for (const auto& [at, angle] : nods) {
      if (t != at) continue;
      // Rotation about the pivot p: x -> R (x - p) + p, applied to the head where it already is.
      RigidParameters pitch;
      pitch[3] = angle * deg;
      const Matrix4 r = spmMatrix(pitch);
      const auto rp = r.apply(o.pivotMm);
      Matrix4 nod = r;
      for (int a = 0; a < 3; ++a) nod(a, 3) = o.pivotMm[a] - rp[a];
      q = nod * q;
    }
    out[t] = spmImatrix(q);
  }
  return out;
}

ImageGeometry phantomGeometry(const PhantomOptions& o) {
  ImageGeometry g;
  g.size = o.size;
  Matrix4 scale;
  for (int a = 0; a < 3; ++a) scale(a, a) = o.spacing[a];
  const double t = o.obliqueDeg * M_PI / 180.0;
  RigidParameters tilt;
  tilt[3] = t;
  tilt[5] = t / 3.0;
  Matrix4 m = spmMatrix(tilt) * scale;
  // Centre the grid on the world origin (where the phantom is).
  const auto c = m.apply({(o.size[0] - 1) / 2.0, (o.size[1] - 1) / 2.0, (o.size[2] - 1) / 2.0});
  for (int r = 0; r < 3; ++r) m(r, 3) = o.centreMm[r] - c[r];
  g.voxelToWorld = m;
  return g;
}

namespace {

void addRicianNoise(float* frame, std::size_t n, double sigma, std::uint64_t seed) {
  if (sigma <= 0) return;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, sigma);
  for (std::size_t i = 0; i < n; ++i) {
    const double re = frame[i] + g(rng), im = g(rng);
    frame[i] = float(std::sqrt(re * re + im * im));
  }
}

}  // namespace

SyntheticRun generatePhantomRun(const PhantomOptions& o, const std::vector<RigidParameters>& motion) {
  SyntheticRun s;
  s.truth = motion;
  s.run.allocate(phantomGeometry(o), int(motion.size()));
  s.run.repetitionTime = o.repetitionTime;
  s.run.storedType = StoredType::Float32;
  const auto& g = s.run.geometry;
  const int nx = g.size[0], ny = g.size[1], nz = g.size[2];
  const double resolution = std::max({o.spacing[0], o.spacing[1], o.spacing[2]});
  for (int t = 0; t < s.run.frameCount; ++t) {
    const Matrix4 w = spmMatrix(motion[t]) * g.voxelToWorld;  // frame voxel -> reference world
    float* f = s.run.frame(t);
#pragma omp parallel for schedule(dynamic)
    for (int z = 0; z < nz; ++z)
      for (int y = 0; y < ny; ++y)
        for (int x = 0; x < nx; ++x) {
          const auto p = w.apply({double(x), double(y), double(z)});
          f[(std::size_t(z) * ny + y) * nx + x] = float(headPhantom(p[0], p[1], p[2], resolution));
        }
    addRicianNoise(f, s.run.frameSize(), o.noise * 1000.0 * 0.8, o.noiseSeed * 1000003ULL + t);
  }
  return s;
}

SyntheticRun moveVolume(const Volume& base, const std::vector<RigidParameters>& motion, double noise,
                        std::uint64_t noiseSeed, double repetitionTime) {
  SyntheticRun s;
  s.truth = motion;
  s.run.allocate(base.geometry, int(motion.size()));
  s.run.repetitionTime = repetitionTime;
  // Degree 7 is the closest to the band-limited (sinc) resampling a scanner's k-space implies.
  BSplineCoefficients c(base.voxels.data(), base.geometry.size, 7);
  std::vector<float> sorted(base.voxels);
  std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(0.99 * (sorted.size() - 1)), sorted.end());
  const double level = sorted[std::size_t(0.99 * (sorted.size() - 1))];
  const auto& g = base.geometry;
  for (int t = 0; t < s.run.frameCount; ++t) {
    // Frame voxel y shows the reference anatomy at world Q M y, i.e. reference voxel inv(M) Q M y.
    // Every frame is sampled half a voxel off the base grid, so that all of them (frame 0 too) go
    // through the same interpolation; otherwise frame 0 alone would be sharper than the rest, a
    // difference that real runs do not have and that biases register-to-mean. The constant offset
    // leaves the motions between frames unchanged.
    Matrix4 v = g.voxelToWorld.inverse() * spmMatrix(motion[t]) * g.voxelToWorld;
    for (int r = 0; r < 3; ++r) v(r, 3) += 0.5;
    float* f = s.run.frame(t);
#pragma omp parallel for schedule(static)
    for (int z = 0; z < g.size[2]; ++z)
      for (int y = 0; y < g.size[1]; ++y)
        for (int x = 0; x < g.size[0]; ++x) {
          const auto p = v.apply({double(x), double(y), double(z)});
          f[(std::size_t(z) * g.size[1] + y) * g.size[0] + x] =
              c.inside(p[0], p[1], p[2]) ? float(std::max(0.0, c.value(p[0], p[1], p[2]))) : 0.0f;
        }
    addRicianNoise(f, s.run.frameSize(), noise * level * 0.5, noiseSeed * 1000003ULL + t);
  }
  return s;
}

}  // namespace mc
