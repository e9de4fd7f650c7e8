#ifndef __vtkSlicerMotionCorrectionParameters_h
#define __vtkSlicerMotionCorrectionParameters_h

// What the module's parameter node holds and how a run's request is made from it: the engine's job
// parameters by their CLI names (JobParameters.h) with SPM12's defaults, plus "backend"
// (threads|mpi) and "ranks"; and the node references a run sets. Paths are not settings here: the
// logic hands the engine the scene's voxels and takes the results back as nodes.
#include "vtkSlicerMotionCorrectionModuleLogicExport.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mc
{
struct EngineRequest;
}

class VTK_SLICER_MOTIONCORRECTION_MODULE_LOGIC_EXPORT vtkSlicerMotionCorrectionParameters
{
public:
  /// Singleton tag and "ModuleName" attribute of the parameter node.
  static const char* GetModuleName();

  /// Node references of the parameter node that a run may set (restored when it is cancelled).
  static const std::vector<std::string>& GetReferenceRoles();

  /// The values a new parameter node starts with, in a fixed order.
  static const std::vector<std::pair<std::string, std::string>>& GetDefaults();
  /// The default of one parameter; "" for none.
  static std::string GetDefault(const std::string& name);

  /// True for the job parameters that name files (input, output, mean, params, transforms,
  /// confounds): the logic's runs do not take them from the parameter node.
  static bool IsPathParameter(const std::string& name);

  /// A request for the engine (no paths set) from the parameter values `valueOf` gives
  /// ("" for unset: the default is used). Throws std::invalid_argument with one line naming the
  /// parameter, e.g. `parameter ranks: "two" is not a whole number of at least 1`.
  static mc::EngineRequest ToEngineRequest(const std::function<std::string(const std::string&)>& valueOf);
};

#endif
