#include "vtkSlicerMotionCorrectionParameters.h"

// MotionCorrection
#include "JobParameters.h"
#include "MotionCorrectionTask.h"

#include <stdexcept>

namespace
{
// The rank count: digits only, at least 1. std::stoi alone accepts " 2" and "2x" and throws
// out_of_range for huge values (once out of the logic's Run); all become the one-line error.
int parseRankCount(const std::string& text)
{
  int ranks = 0;
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (digits)
  {
    try
    {
      ranks = std::stoi(text);
    }
    catch (const std::exception&)
    {
      digits = false;
    }
  }
  if (!digits || ranks < 1)
  {
    throw std::invalid_argument("parameter ranks: \"" + text + "\" is not a whole number of at least 1");
  }
  return ranks;
}
} // namespace

const char* vtkSlicerMotionCorrectionParameters::GetModuleName()
{
  return "MotionCorrection";
}

const std::vector<std::string>& vtkSlicerMotionCorrectionParameters::GetReferenceRoles()
{
  static const std::vector<std::string> roles = { "InputNode",   "OutputSequence", "TransformSequence",
                                                  "MotionTable", "MotionChart",    "DisplacementChart" };
  return roles;
}

const std::vector<std::pair<std::string, std::string>>& vtkSlicerMotionCorrectionParameters::GetDefaults()
{
  // SPM12's defaults through the same name map as the CLI and the panel, plus the backend choice.
  static const std::vector<std::pair<std::string, std::string>> defaults = [] {
    std::vector<std::pair<std::string, std::string>> values;
    for (const auto& nameValue : mc::jobParameters(mc::JobSpec{}))
    {
      if (!nameValue.second.empty())
      {
        values.emplace_back(nameValue.first, nameValue.second);
      }
    }
    values.emplace_back("backend", "threads");
    values.emplace_back("ranks", "2");
    return values;
  }();
  return defaults;
}

std::string vtkSlicerMotionCorrectionParameters::GetDefault(const std::string& name)
{
  for (const auto& nameValue : GetDefaults())
  {
    if (nameValue.first == name)
    {
      return nameValue.second;
    }
  }
  return std::string();
}

bool vtkSlicerMotionCorrectionParameters::IsPathParameter(const std::string& name)
{
  return name == "input" || name == "output" || name == "mean" || name == "params" || name == "transforms" ||
         name == "confounds";
}

mc::EngineRequest vtkSlicerMotionCorrectionParameters::ToEngineRequest(
  const std::function<std::string(const std::string&)>& valueOf)
{
  auto value = [&](const std::string& name) {
    const std::string given = valueOf(name);
    return given.empty() ? GetDefault(name) : given;
  };
  mc::EngineRequest request;
  for (const std::string& name : mc::jobParameterNames())
  {
    if (IsPathParameter(name))
    {
      continue;
    }
    const std::string text = value(name);
    if (!text.empty())
    {
      mc::setJobParameter(request.spec, name, text);
    }
  }
  const std::string backend = value("backend");
  if (backend == "mpi")
  {
    request.backend = mc::Backend::Mpi;
  }
  else if (backend == "threads")
  {
    request.backend = mc::Backend::Threads;
  }
  else
  {
    throw std::invalid_argument("parameter backend: \"" + backend + "\" is not one of threads, mpi");
  }
  request.mpi.ranks = parseRankCount(value("ranks"));
  request.poolThreads = request.spec.threads;
  request.mpi.threadsPerRank = request.spec.threads;
  return request;
}
