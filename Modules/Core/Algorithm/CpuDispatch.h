#pragma once
// Run-time choice of the hot kernels' instruction set. Packages must start on any x86-64 CPU, so
// the core is compiled for the baseline; the few loops that dominate the run time (B-spline
// evaluation at the sample points and voxels, the prefilter, the Gaussian smoothing) are also
// compiled for AVX2+FMA, and each call takes that version when the CPU has it.
//
// How a kernel is written (see internal/SampleBlockSums.cxx, Reslicer.cxx): its body is an MC_ALWAYS_INLINE
// function; two thin wrappers instantiate it, one plain and one MC_TARGET_AVX2, and the caller
// picks one with useAvx2Path(). The wrapper must hold the whole hot loop: an OpenMP region or a
// function that is not inlined into it is compiled for the baseline (GCC's target_clones has the
// same limit), and the wrappers are called from outside any `#pragma omp` region's body.
// Inline callees (BSpline evaluation, accessors) are inlined into both wrappers and so compiled
// twice; their out-of-line copies, if any, stay baseline, so the linker can never pick an AVX2
// copy for baseline code (the pitfall of compiling a whole file with -mavx2).

#include <atomic>

namespace mc {

enum class CpuPath { Baseline, Avx2 };

// The path the kernels take: Avx2 when this build has it and the CPU supports AVX2 and FMA, unless
// the environment variable MC_CPU_DISPATCH=baseline (read once, at the first call) or
// forceCpuPath(Baseline) says otherwise.
CpuPath activeCpuPath();
const char* cpuPathName(CpuPath path);  // "baseline" or "avx2"
// True when the AVX2 kernels were compiled in and this CPU can run them.
bool avx2PathAvailable();
// For tests and benchmarks: sets the path and returns the one now in effect (Avx2 is refused,
// giving Baseline, where it is not available). Not meant to be called while kernels run.
CpuPath forceCpuPath(CpuPath path);

namespace detail {
extern std::atomic<int> useAvx2;  // -1: not decided yet; 0/1 afterwards
int decideCpuPath();
}  // namespace detail

// The per-call test in the dispatching code (one load, predictable branch).
inline bool useAvx2Path() {
  const int v = detail::useAvx2.load(std::memory_order_relaxed);
  return (v < 0 ? detail::decideCpuPath() : v) != 0;
}

}  // namespace mc

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(MC_NO_CPU_DISPATCH)
#define MC_HAVE_AVX2_PATH 1
#define MC_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
#define MC_HAVE_AVX2_PATH 0
#define MC_TARGET_AVX2
#endif
#if defined(__GNUC__) || defined(__clang__)
#define MC_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define MC_ALWAYS_INLINE inline
#endif
