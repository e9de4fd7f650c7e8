#pragma once
// Weights of the centred B-spline of degree n (0..7) at the n+1 grid taps around a position.
// The basis is separable, so a 3D evaluation needs these weights once per axis per point.
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "CpuDispatch.h"

namespace mc {

constexpr int kMaxSplineDegree = 7;

struct SplineTaps {
  int first;                              // index of the leftmost tap (may be outside the grid)
  double w[kMaxSplineDegree + 1];         // weights, sum to 1
  double dw[kMaxSplineDegree + 1];        // derivative of the weights with respect to the position
};

// Cox-de Boor on uniform knots: W_d[m] = B_d(u + d - m) for the cardinal B-spline B_d.
inline void splineTaps(double x, int degree, SplineTaps& t, bool withDerivative) {
  const double s = x + 0.5 * (degree + 1);
  const double fl = std::floor(s);
  const double u = s - fl;
  t.first = int(fl) - degree;
  double w[kMaxSplineDegree + 2] = {1.0};
  double prev[kMaxSplineDegree + 2] = {1.0};
  for (int d = 1; d <= degree; ++d) {
    if (d == degree && withDerivative) {
      for (int m = 0; m <= degree; ++m)
        t.dw[m] = (m > 0 ? w[m - 1] : 0.0) - (m < degree ? w[m] : 0.0);
    }
    for (int m = 0; m < d; ++m) prev[m] = w[m];
    const double inv = 1.0 / d;
    for (int m = 0; m <= d; ++m) {
      const double left = m > 0 ? prev[m - 1] : 0.0;
      const double right = m < d ? prev[m] : 0.0;
      w[m] = ((u + d - m) * left + (1.0 - u + m) * right) * inv;
    }
  }
  for (int m = 0; m <= degree; ++m) t.w[m] = w[m];
  if (withDerivative && degree == 0) t.dw[0] = 0.0;
}

// The same weights without derivatives, for a degree known at compile time (unrolled by the compiler;
// this is the innermost work of estimation and reslicing).
template <int D>
MC_ALWAYS_INLINE int splineWeights(double x, double* w) {
  const double s = x + 0.5 * (D + 1);
  const double fl = std::floor(s);
  const double u = s - fl;
  w[0] = 1.0;
  for (int d = 1; d <= D; ++d) {
    const double inv = 1.0 / d;
    double prevLeft = 0.0;
    for (int m = 0; m < d; ++m) {
      const double cur = w[m];
      w[m] = ((u + d - m) * prevLeft + (1.0 - u + m) * cur) * inv;
      prevLeft = cur;
    }
    w[d] = (u * prevLeft) * inv;
  }
  return int(fl) - D;
}

// Calls f(std::integral_constant<int, D>{}) for the runtime degree, so that a whole loop is compiled
// for one degree instead of dispatching per point.
template <class F>
decltype(auto) withSplineDegree(int degree, F&& f) {
  switch (degree) {
    case 0: return f(std::integral_constant<int, 0>{});
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 6: return f(std::integral_constant<int, 6>{});
    default: return f(std::integral_constant<int, 7>{});
  }
}

// Maps a tap index into [0, n) with whole-sample mirror (SPM's default) or periodic wrap.
MC_ALWAYS_INLINE int boundaryIndex(int i, int n, bool wrap) {
  if (n == 1) return 0;
  if (wrap) {
    i %= n;
    return i < 0 ? i + n : i;
  }
  const int period = 2 * n - 2;
  i = std::abs(i) % period;
  return i < n ? i : period - i;
}

}  // namespace mc
