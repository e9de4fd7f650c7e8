// vtkSlicerMotionCorrectionParameters: the engine request made from parameter values, and every
// bad value a one-line std::invalid_argument naming the parameter (never another exception, which
// would leave the logic's Run).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "MotionCorrectionTask.h"
#include "ParameterTable.h"
#include "RunParameters.h"
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
  EXPECT_EQ(Parameters::GetDefault("mpi-ranks"), "2");
  EXPECT_EQ(Parameters::GetDefault("ranks"), "");  // the old spelling is no parameter
  EXPECT_EQ(Parameters::GetDefault("no-such-parameter"), "");
  EXPECT_EQ(Parameters::GetDefault("output"), "");
}

TEST(Parameters, DefaultsAreTheParameterTablesWithoutInputAndOutputPaths) {
  std::vector<std::pair<std::string, std::string>> expected;
  for (const mc::ParameterEntry& e : mc::parameterTable()) {
    const bool path = e.type == mc::ParameterType::Path && (e.isOutput || e.name == "input");
    if (!path) expected.emplace_back(e.name, e.defaultValue);
  }
  EXPECT_EQ(Parameters::GetDefaults(), expected);
  for (const auto& [name, value] : expected) EXPECT_EQ(Parameters::GetDefault(name), value) << name;
  // The run's own choices and the weight image are settings too; no output path is.
  std::set<std::string> names;
  for (const auto& nameValue : Parameters::GetDefaults()) names.insert(nameValue.first);
  for (const char* name : {"backend", "mpi-ranks", "threads", "weight", "wrap", "keep-datatype"})
    EXPECT_EQ(names.count(name), 1u) << name;
  for (const char* name : {"input", "output", "mean", "params", "transforms", "confounds", "ranks"})
    EXPECT_EQ(names.count(name), 0u) << name;
  // A request from the defaults is the table's default request (what the CLI runs without flags).
  const mc::EngineRequest fromDefaults = requestFrom({});
  const mc::RunRequest table;
  for (const auto& [name, value] : mc::runParameters(fromDefaults)) {
    if (Parameters::IsPathParameter(name)) continue;
    for (const auto& [tableName, tableValue] : mc::runParameters(table))
      if (tableName == name) EXPECT_EQ(value, tableValue) << name;
  }
}

TEST(Parameters, GivenValuesReachTheRequest) {
  const mc::EngineRequest request =
      requestFrom({{"backend", "mpi"}, {"mpi-ranks", "3"}, {"threads", "1"}, {"estimate-only", "true"},
                   {"output", "/tmp/ignored.nii"}, {"reslice-wrap", "0,1,0"}, {"keep-datatype", "true"}});
  EXPECT_EQ(request.backend, mc::Backend::Mpi);
  EXPECT_EQ(request.mpi.ranks, 3);
  EXPECT_EQ(request.mpi.threadsPerRank, 1);
  EXPECT_EQ(request.poolThreads, 1);
  EXPECT_TRUE(request.spec.estimateOnly);
  EXPECT_EQ(request.spec.realignedOutput, "");
  EXPECT_TRUE(request.spec.reslice.wrap[1]);
  EXPECT_FALSE(request.spec.reslice.wrap[0]);
  EXPECT_TRUE(request.spec.keepDataType);
  // The old spelling is not read: the rank count stays the default.
  EXPECT_EQ(requestFrom({{"ranks", "5"}}).mpi.ranks, mc::kDefaultMpiRanks);
}

TEST(Parameters, BadValuesGiveTheTablesOneLineError) {
  for (const std::string ranks : {"two", "0", "-1", "2x", "1.5", "99999999999999999999"}) {
    SCOPED_TRACE(ranks);
    EXPECT_EQ(errorOf({{"mpi-ranks", ranks}}), "--mpi-ranks: expected a whole number >= 1, got '" + ranks + "'");
  }
  EXPECT_EQ(errorOf({{"backend", "gpu"}}).rfind("--backend: ", 0), 0u) << errorOf({{"backend", "gpu"}});
  EXPECT_EQ(errorOf({{"fwhm", "-3"}}), "--fwhm: must be >= 0 mm, got -3");
  // Every error is the one setRunParameter gives for the same text.
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"quality", "2"}, {"threads", "-1"}, {"reference", "last"}, {"wrap", "1,0"}, {"mask", "maybe"}}) {
    SCOPED_TRACE(name);
    mc::RunRequest direct;
    std::string expected = "(no error)";
    try {
      mc::setRunParameter(direct, name, value);
    } catch (const std::invalid_argument& e) {
      expected = e.what();
    }
    EXPECT_NE(expected, "(no error)");
    EXPECT_EQ(errorOf({{name, value}}), expected);
  }
}

TEST(Parameters, PathParametersAndRoles) {
  for (const char* name : {"input", "output", "mean", "params", "transforms", "confounds"})
    EXPECT_TRUE(Parameters::IsPathParameter(name)) << name;
  EXPECT_FALSE(Parameters::IsPathParameter("fwhm"));
  EXPECT_EQ(Parameters::GetReferenceRoles().front(), "InputNode");
  EXPECT_EQ(Parameters::GetReferenceRoles().size(), 7u);
  EXPECT_EQ(Parameters::GetReferenceRoles().back(), "MeanVolume");
}
