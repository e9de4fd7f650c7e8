// vtkSlicerMotionCorrectionParameters: the engine request made from parameter values, and every
// bad value a one-line std::invalid_argument naming the parameter (never another exception, which
// would leave the logic's Run).
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "MotionCorrectionTask.h"
#include "vtkSlicerMotionCorrectionParameters.h"

using Parameters = vtkSlicerMotionCorrectionParameters;

namespace {
mc::EngineRequest requestFrom(const std::map<std::string, std::string>& values) {
  return Parameters::ToEngineRequest([&](const std::string& name) {
    const auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  });
}

std::string errorOf(const std::map<std::string, std::string>& values) {
  try {
    requestFrom(values);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST(Parameters, UnsetValuesTakeTheDefaults) {
  const mc::EngineRequest request = requestFrom({});
  EXPECT_EQ(request.backend, mc::Backend::Threads);
  EXPECT_EQ(request.mpi.ranks, 2);
  EXPECT_EQ(request.spec.input, "");  // paths are never taken from the parameter node
  EXPECT_EQ(Parameters::GetDefault("fwhm"), "5");
  EXPECT_EQ(Parameters::GetDefault("ranks"), "2");
  EXPECT_EQ(Parameters::GetDefault("no-such-parameter"), "");
}

TEST(Parameters, GivenValuesReachTheRequest) {
  const mc::EngineRequest request = requestFrom({{"backend", "mpi"}, {"ranks", "3"}, {"threads", "1"},
                                                 {"estimate-only", "true"}, {"output", "/tmp/ignored.nii"}});
  EXPECT_EQ(request.backend, mc::Backend::Mpi);
  EXPECT_EQ(request.mpi.ranks, 3);
  EXPECT_EQ(request.mpi.threadsPerRank, 1);
  EXPECT_EQ(request.poolThreads, 1);
  EXPECT_TRUE(request.spec.estimateOnly);
  EXPECT_EQ(request.spec.realignedOutput, "");
}

TEST(Parameters, BadRankCountsGiveTheOneLineError) {
  for (const std::string ranks : {"two", "0", "-1", " 2", "2x", "1.5", "99999999999999999999"}) {
    SCOPED_TRACE(ranks);
    EXPECT_EQ(errorOf({{"ranks", ranks}}), "parameter ranks: \"" + ranks + "\" is not a whole number of at least 1");
  }
  EXPECT_EQ(errorOf({{"backend", "gpu"}}), "parameter backend: \"gpu\" is not one of threads, mpi");
  EXPECT_NE(errorOf({{"fwhm", "-3"}}).find("--fwhm"), std::string::npos);
}

TEST(Parameters, PathParametersAndRoles) {
  for (const char* name : {"input", "output", "mean", "params", "transforms", "confounds"})
    EXPECT_TRUE(Parameters::IsPathParameter(name)) << name;
  EXPECT_FALSE(Parameters::IsPathParameter("fwhm"));
  EXPECT_EQ(Parameters::GetReferenceRoles().front(), "InputNode");
  EXPECT_EQ(Parameters::GetReferenceRoles().size(), 6u);
}
