// Solves a small symmetric system with the Eigen the build brought along, as the estimator does.
#include <Eigen/Dense>
#include <cstdio>

int main()
{
  Eigen::Matrix3d a;
  a << 4, 1, 0, 1, 3, 1, 0, 1, 2;
  const Eigen::Vector3d x_true(1, -2, 3);
  const Eigen::Vector3d x = a.ldlt().solve(a * x_true);
  const double error = (x - x_true).norm();
  std::printf("Eigen %d.%d.%d solve error %.3g\n", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, error);
  return error < 1e-12 ? 0 : 1;
}
