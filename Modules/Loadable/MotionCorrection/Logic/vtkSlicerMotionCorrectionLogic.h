#ifndef __vtkSlicerMotionCorrectionLogic_h
#define __vtkSlicerMotionCorrectionLogic_h

// MRML side of motion correction, usable from the Python console:
//   logic = slicer.modules.motioncorrection.logic()
//   run = logic.LoadRunAsSequence("/data/bold.nii.gz")   # 4D NIfTI -> volume sequence (+ browser)
//   logic.GetParameterNode().SetParameter("fwhm", "6")   # names as the CLI's flags
//   ok = logic.Run(run)                                  # waits; the plot fills as frames finish
//   table = logic.GetMotionTableNode()                   # trans_x..rot_z, framewise_displacement
//
// Threading: the engine estimates frames on pool threads or MPI ranks; its signals reach this logic
// through a QObject living on the main thread (queued connections), so MRML is only touched there.
// The rows of the table are appended as frames arrive, and the table node is Modified() each time,
// which redraws the plot chart.
#include "vtkSlicerModuleLogic.h"

#include "vtkSlicerMotionCorrectionModuleLogicExport.h"

#include <string>
#include <vector>

class vtkMRMLLinearTransformNode;
class vtkMRMLPlotChartNode;
class vtkMRMLScriptedModuleNode;
class vtkMRMLSequenceBrowserNode;
class vtkMRMLSequenceNode;
class vtkMRMLTableNode;

namespace mc
{
class MotionCorrectionTask;
struct VolumeSeries;
}

class VTK_SLICER_MOTIONCORRECTION_MODULE_LOGIC_EXPORT vtkSlicerMotionCorrectionLogic : public vtkSlicerModuleLogic
{
public:
  static vtkSlicerMotionCorrectionLogic* New();
  vtkTypeMacro(vtkSlicerMotionCorrectionLogic, vtkSlicerModuleLogic);
  void PrintSelf(ostream& os, vtkIndent indent) override;

  /// The scene's parameter node (created on first use). Parameters are the job parameter names of
  /// JobParameters.h (quality, sep, fwhm, interp, reference, reslice-interp, mask, estimate-only,
  /// threads, weight) plus "backend" (threads|mpi) and "ranks"; node references "InputNode",
  /// "OutputSequence", "TransformSequence", "MotionTable", "MotionChart", "DisplacementChart".
  vtkMRMLScriptedModuleNode* GetParameterNode();

  /// Reads a 4D .nii/.nii.gz/.nrrd run into a new volume sequence shown through a new sequence
  /// browser (Slicer's own readers load only the first frame of a 4D NIfTI). nullptr on error.
  vtkMRMLSequenceNode* LoadRunAsSequence(const char* path);

  /// Writes a volume sequence, or a multivolume (one scalar component per frame), as a 4D NIfTI run.
  bool WriteRun(vtkMRMLNode* input, const char* path);
  /// Seconds between frames of the run WriteRun wrote last (0 when the input does not say).
  double GetWrittenRunRepetitionTime();

  /// Runs motion correction on a volume sequence or multivolume with the parameter node's settings
  /// and waits for it (Qt events keep being processed, so the plot updates). True on success.
  bool Run(vtkMRMLNode* input);
  /// Stops a running Run() or followed task; no output node is changed.
  void Cancel();
  bool IsRunning();
  /// One line, empty after a success.
  const char* GetLastError();

  /// Output nodes of the last run (created on demand and remembered in the parameter node).
  vtkMRMLSequenceNode* GetOutputSequenceNode();
  vtkMRMLSequenceNode* GetTransformSequenceNode();
  vtkMRMLTableNode* GetMotionTableNode();
  vtkMRMLPlotChartNode* GetMotionChartNode();
  vtkMRMLPlotChartNode* GetDisplacementChartNode();

  // The steps Run() is made of; the module widget drives them around the shared panel's own task.

  /// Empties the motion table for a run of `frames` frames and shows the charts in the layout.
  void BeginResults(int frames);
  /// Follows a task started elsewhere (the panel): its frames fill the table on the main thread.
  void FollowTask(mc::MotionCorrectionTask* task);
  /// One frame's parameters (mm, radians; SPM rp order) into the table: a new row, or an update of a
  /// frame seen in an earlier pass. Main thread only.
  void SetFrameParameters(int frame, const double parameters[6]);
  /// After the run: the engine's final parameters (one row per frame) into the table, the transform
  /// sequence, and the realigned run (if written) into the output sequence.
  bool ImportResults(const std::vector<std::vector<double>>& parameters, const std::vector<double>& displacement,
                     const char* realignedPath, double repetitionTime);

protected:
  vtkSlicerMotionCorrectionLogic();
  ~vtkSlicerMotionCorrectionLogic() override;

  void SetMRMLSceneInternal(vtkMRMLScene* newScene) override;

  vtkMRMLSequenceNode* FillVolumeSequence(const mc::VolumeSeries& run, vtkMRMLSequenceNode* sequence,
                                          const char* name);
  vtkMRMLSequenceBrowserNode* ShowInBrowser(vtkMRMLSequenceNode* sequence);
  vtkMRMLNode* GetOrCreateReferencedNode(const char* role, const char* className, const char* name);
  void UpdateDisplacementColumn(int row);

private:
  vtkSlicerMotionCorrectionLogic(const vtkSlicerMotionCorrectionLogic&) = delete;
  void operator=(const vtkSlicerMotionCorrectionLogic&) = delete;

  class vtkInternal;
  vtkInternal* Internal;
};

#endif
