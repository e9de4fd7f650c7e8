# Eigen (header-only) for the engine's small dense solves. Slicer's build machines do not provide
# it, so an extension brings its own: the system's Eigen 3.3+ when there is one, otherwise the
# release archive MC_EIGEN_URL (checked against MC_EIGEN_SHA256), unpacked at configure time.
# Either way the result is the imported target Eigen3::Eigen, needed only while building.
find_package(Eigen3 3.3 QUIET NO_MODULE)
if(TARGET Eigen3::Eigen)
  return()
endif()

set(MC_EIGEN_URL "https://gitlab.com/libeigen/eigen/-/archive/3.4.0/eigen-3.4.0.tar.gz"
  CACHE STRING "Eigen release archive to build with when no Eigen 3.3+ is installed")
set(MC_EIGEN_SHA256 "8586084f71f9bde545ee7fa6d00288b264a2b7ac3607b974e54d13e7162c1c72"
  CACHE STRING "SHA-256 of MC_EIGEN_URL (empty: not checked)")
include(FetchContent)
if(MC_EIGEN_SHA256)
  set(mc_eigen_hash URL_HASH SHA256=${MC_EIGEN_SHA256})
endif()
FetchContent_Declare(mc_eigen URL ${MC_EIGEN_URL} ${mc_eigen_hash})
FetchContent_GetProperties(mc_eigen)
if(NOT mc_eigen_POPULATED)
  message(STATUS "Eigen 3.3+ not installed: using ${MC_EIGEN_URL}")
  FetchContent_Populate(mc_eigen) # headers only: Eigen's own CMake project is not configured
endif()
if(NOT EXISTS "${mc_eigen_SOURCE_DIR}/Eigen/Dense")
  message(FATAL_ERROR "${MC_EIGEN_URL} has no Eigen/Dense: not an Eigen archive")
endif()
add_library(Eigen3::Eigen INTERFACE IMPORTED GLOBAL)
set_target_properties(Eigen3::Eigen PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${mc_eigen_SOURCE_DIR}")
