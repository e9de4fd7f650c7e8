#include "vtkSlicerMotionCorrectionParameters.h"

// MotionCorrection
#include "MotionCorrectionTask.h"
#include "ParameterTable.h"
#include "RunParameters.h"

const char* vtkSlicerMotionCorrectionParameters::GetModuleName()
{
  return "MotionCorrection";
}

const std::vector<std::string>& vtkSlicerMotionCorrectionParameters::GetReferenceRoles()
{
  static const std::vector<std::string> roles = { "InputNode",   "OutputSequence", "TransformSequence",
                                                  "MotionTable", "MotionChart",    "DisplacementChart",
                                                  "MeanVolume" };
  return roles;
}

const std::vector<std::pair<std::string, std::string>>& vtkSlicerMotionCorrectionParameters::GetDefaults()
{
  static const std::vector<std::pair<std::string, std::string>> defaults = [] {
    std::vector<std::pair<std::string, std::string>> values;
    for (const mc::ParameterEntry& entry : mc::parameterTable())
    {
      if (!IsPathParameter(entry.name))
      {
        values.emplace_back(entry.name, entry.defaultValue);
      }
    }
    return values;
  }();
  return defaults;
}

std::string vtkSlicerMotionCorrectionParameters::GetDefault(const std::string& name)
{
  const mc::ParameterEntry* entry = mc::findParameter(name);
  return entry && !IsPathParameter(entry->name) ? entry->defaultValue : std::string();
}

bool vtkSlicerMotionCorrectionParameters::IsPathParameter(const std::string& name)
{
  const mc::ParameterEntry* entry = mc::findParameter(name);
  return entry && entry->type == mc::ParameterType::Path && (entry->isOutput || entry->name == "input");
}

const std::vector<std::pair<std::string, std::string>>& vtkSlicerMotionCorrectionParameters::GetRenamedParameters()
{
  static const std::vector<std::pair<std::string, std::string>> renamed = { { "ranks", "mpi-ranks" } };
  return renamed;
}

mc::EngineRequest vtkSlicerMotionCorrectionParameters::ToEngineRequest(
  const std::function<std::string(const std::string&)>& valueOf)
{
  mc::EngineRequest request;
  for (const auto& nameDefault : GetDefaults())
  {
    const std::string given = valueOf(nameDefault.first);
    const std::string& text = given.empty() ? nameDefault.second : given;
    if (!text.empty()) // the weight image: none by default
    {
      mc::setRunParameter(request, nameDefault.first, text);
    }
  }
  // "threads" is the engine's per-process thread count: the task's pool, or each MPI rank's.
  request.poolThreads = request.spec.threads;
  request.mpi.threadsPerRank = request.spec.threads;
  return request;
}
