#ifndef __vtkSlicerMotionCorrectionParameters_h
#define __vtkSlicerMotionCorrectionParameters_h

// What the module's parameter node holds and how a run's request is made from it. The settings are
// the entries of the engine's one parameter table (ParameterTable.h: names as the CLI's flags,
// defaults, checks), the run's own included ("backend", "mpi-ranks"); only the table's input and
// output paths are left out: the logic hands the engine the scene's voxels and takes the results
// back as nodes. Plus the node references a run sets.
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

  /// The values a new parameter node starts with: every table entry the logic takes (not the
  /// paths of IsPathParameter) with the table's default, in the table's order.
  static const std::vector<std::pair<std::string, std::string>>& GetDefaults();
  /// The default of one parameter (the table's); "" for none.
  static std::string GetDefault(const std::string& name);

  /// True for the table's paths the logic's runs do not take from the parameter node: the input
  /// and every output (output, mean, params, transforms, confounds). The weight image is taken.
  static bool IsPathParameter(const std::string& name);

  /// Parameter names of scenes saved by earlier versions, and their table names ("ranks" ->
  /// "mpi-ranks"); GetParameterNode renames them in a loaded scene's node.
  static const std::vector<std::pair<std::string, std::string>>& GetRenamedParameters();

  /// A request for the engine (no paths set) from the parameter values `valueOf` gives
  /// ("" for unset: the default is used), each set through mc::setRunParameter. Throws
  /// std::invalid_argument with the table's one line naming the parameter, e.g.
  /// `--mpi-ranks: expected a whole number >= 1, got 'two'`.
  static mc::EngineRequest ToEngineRequest(const std::function<std::string(const std::string&)>& valueOf);
};

#endif
