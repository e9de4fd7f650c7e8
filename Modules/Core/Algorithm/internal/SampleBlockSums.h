#pragma once
// The hot loop of estimation: the sums one Gauss-Newton iteration needs from a block of sample
// points (every point, every iteration, every frame). Kept apart from the solver in
// FrameEstimator so that its two instruction-set versions (CpuDispatch.h) sit together.
#include "BSplineCoefficients.h"
#include "Matrix4.h"
#include "ReferenceModel.h"

namespace mc {

// Points per block. Blocks are fixed, and summed in order by the caller, so the sums are the same
// whatever the thread or rank count.
constexpr int kSampleBlock = 1024;

// Layout of one block's sums. For points inside the frame: f * a0 (6), f^2, f * b, (b - f)^2 and
// their count; for points outside: a0 a0' (6x6 upper, 21) and a0 * b (6), to take off the
// reference model's precomputed totals (points rarely leave, so this is cheaper than adding the
// 28 products of every inside point at every iteration).
enum SampleSum : int { kFA = 0, kFF = 6, kFB = 7, kRR = 8, kIn = 9, kOutAA = 10, kOutAB = 31, kSampleSums = 37 };

// Adds to s (kSampleSums values) the sums of sample points [k0, k1) of `ref`, mapped into the frame's
// voxels by refToFrameVoxel, with `c` the frame's spline coefficients of degree D.
template <int D>
void accumulateSampleBlock(const BSplineCoefficients& c, const ReferenceModel& ref, const Matrix4& refToFrameVoxel,
                           int k0, int k1, double* s);

}  // namespace mc
