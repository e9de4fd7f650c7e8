#ifndef __vtkSlicerMotionCorrectionOutputNodes_h
#define __vtkSlicerMotionCorrectionOutputNodes_h

// The contents of the output nodes a run fills besides the motion table: the two plot charts on
// that table (motion: six series; framewise displacement: one) and the sequence of per-frame
// rigid transforms. The logic decides which nodes (new, or chosen by the user); this says what
// goes in them.
#include "vtkSlicerMotionCorrectionModuleLogicExport.h"

#include <array>
#include <vector>

class vtkMRMLPlotChartNode;
class vtkMRMLScene;
class vtkMRMLSequenceNode;
class vtkMRMLTableNode;

class VTK_SLICER_MOTIONCORRECTION_MODULE_LOGIC_EXPORT vtkSlicerMotionCorrectionOutputNodes
{
public:
  /// Gives a chart without series the six motion series on `table` (translations solid, rotations
  /// dashed), its title and axes. A chart that has series is left as it is.
  static void SetUpMotionChart(vtkMRMLScene* scene, vtkMRMLPlotChartNode* chart, vtkMRMLTableNode* table);
  /// The same for the framewise displacement chart (one series, markers).
  static void SetUpDisplacementChart(vtkMRMLScene* scene, vtkMRMLPlotChartNode* chart, vtkMRMLTableNode* table);

  /// Replaces the sequence's items by one linear transform per frame, "motion <frame>", to parent =
  /// frame to reference (world RAS mm, spm_matrix of the parameters); index "time" in seconds when
  /// repetitionTime > 0, else frame numbers. A sequence without a storage node gets a sequence
  /// storage node (saved as .seq.mrb: the default transform metafile reader renames the sequence).
  static void FillTransformSequence(vtkMRMLScene* scene, vtkMRMLSequenceNode* sequence,
                                    const std::vector<std::array<double, 6>>& parameters, double repetitionTime);
};

#endif
