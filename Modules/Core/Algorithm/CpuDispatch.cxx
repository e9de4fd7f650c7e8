#include "CpuDispatch.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace mc {
namespace detail {

// Decided at the first kernel call (threads racing there store the same value) or set by
// forceCpuPath; read, relaxed, on every kernel call (a plain load on x86).
std::atomic<int> useAvx2{-1};

int decideCpuPath() {
  int v = avx2PathAvailable() ? 1 : 0;
  const char* env = std::getenv("MC_CPU_DISPATCH");
  if (env && std::strcmp(env, "baseline") == 0) v = 0;
  useAvx2.store(v, std::memory_order_relaxed);
  return v;
}

}  // namespace detail

bool avx2PathAvailable() {
#if MC_HAVE_AVX2_PATH
  // Both: the kernels use FMA, and AVX2 CPUs without FMA exist (some VIA/Zhaoxin).
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

CpuPath activeCpuPath() { return useAvx2Path() ? CpuPath::Avx2 : CpuPath::Baseline; }

const char* cpuPathName(CpuPath path) { return path == CpuPath::Avx2 ? "avx2" : "baseline"; }

CpuPath forceCpuPath(CpuPath path) {
  detail::useAvx2.store((path == CpuPath::Avx2 && avx2PathAvailable()) ? 1 : 0, std::memory_order_relaxed);
  return activeCpuPath();
}

}  // namespace mc
