#ifndef __vtkSlicerMotionCorrectionLogic_h
#define __vtkSlicerMotionCorrectionLogic_h

// MRML side of motion correction, usable from the Python console:
//   logic = slicer.modules.motioncorrection.logic()
//   run = logic.LoadRunAsSequence("/data/bold.nii.gz")   # 4D NIfTI -> volume sequence (+ browser)
//   logic.GetParameterNode().SetParameter("fwhm", "6")   # names as the CLI's flags ("mpi-ranks")
//   ok = logic.Run(run)                                  # waits; the plot fills as frames finish
//   logic.StartRun(run)                                  # or in the background: RunEndedEvent at the end
//   table = logic.GetMotionTableNode()                   # trans_x..rot_z, framewise_displacement
//   logic.StartFollowing("/export/run1")                 # real time: a row per volume as it arrives
//   logic.GetFollowUsableMinutes()                       # ... the live summary; logic.Cancel() stops
//
// Threading: the engine estimates frames on pool threads or MPI ranks; its signals reach this logic
// through a QObject living on the main thread (queued connections), so MRML is only touched there.
// The rows of the table are appended as frames arrive, and the table node is Modified() each time,
// which redraws the plot chart.
//
// Atomicity: a run changes the scene only through BeginResults (snapshot taken), the live rows, and
// ImportResults (commit). DiscardResults (cancel, failure) puts the scene back as the snapshot found
// it: the nodes the run added are removed (not nodes others added meanwhile), the table's rows and
// the parameter node's references restored.
// Bad input is rejected before anything is added to the scene.
//
// In memory: the input's voxels go to the engine as an mc::VolumeSeries and the realigned run comes
// back into the output sequence (vtkSlicerMotionCorrectionVolumeSeries converts both ways).
//
// The pieces, one idea each: vtkSlicerMotionCorrectionParameters (parameter node contents, the
// request made from them), ...VolumeSeries (MRML <-> engine images), ...MotionTable (columns, live
// rows), ...OutputNodes (charts, transform sequence), ...SceneSnapshot (put the scene back); this
// class holds the scene's nodes together and runs the engine.
#include "vtkSlicerModuleLogic.h"

#include <vtkCommand.h>

#include "vtkSlicerMotionCorrectionModuleLogicExport.h"

#include <string>
#include <vector>

class vtkMRMLLinearTransformNode;
class vtkMRMLPlotChartNode;
class vtkMRMLScalarVolumeNode;
class vtkMRMLScriptedModuleNode;
class vtkMRMLSequenceBrowserNode;
class vtkMRMLSequenceNode;
class vtkMRMLTableNode;

namespace mc
{
class MotionCorrectionFollowTask;
class MotionCorrectionTask;
struct JobResult;
struct Volume;
struct VolumeSeries;
}

class VTK_SLICER_MOTIONCORRECTION_MODULE_LOGIC_EXPORT vtkSlicerMotionCorrectionLogic : public vtkSlicerModuleLogic
{
public:
  static vtkSlicerMotionCorrectionLogic* New();
  /// Invoked by a run started with StartRun once the scene holds its results or is put back
  /// (GetLastError: "" after a success, "cancelled", or why it failed).
  enum
  {
    RunEndedEvent = vtkCommand::UserEvent + 7011,
    /// Invoked when a follow run (StartFollowing) ended, however it ended (GetFollowEndReason).
    FollowEndedEvent = vtkCommand::UserEvent + 7012,
    /// Invoked on the main thread after each followed volume's row is in the motion table.
    FollowVolumeEvent = vtkCommand::UserEvent + 7013
  };
  vtkTypeMacro(vtkSlicerMotionCorrectionLogic, vtkSlicerModuleLogic);
  void PrintSelf(ostream& os, vtkIndent indent) override;

  /// Name under which the parameter node is tagged (singleton tag and "ModuleName" attribute).
  static const char* GetModuleNameForParameterNode();

  /// The scene's parameter node (created on first use, with the defaults of the engine's parameter
  /// table). Parameters are the table's names (ParameterTable.h: weight, quality, sep, fwhm, interp,
  /// wrap, reference, reslice-interp, reslice-wrap, mask, keep-datatype, estimate-only, threads,
  /// backend, mpi-ranks), not its input and output paths; a node of an older scene has "ranks"
  /// renamed to "mpi-ranks". Node references "InputNode", "OutputSequence", "TransformSequence",
  /// "MotionTable", "MotionChart", "DisplacementChart", "MeanVolume".
  vtkMRMLScriptedModuleNode* GetParameterNode();

  /// True for a sequence node whose data nodes are scalar volumes (not label maps, vectors or
  /// tensors): what Run() and WriteRun() take. False for nullptr, other nodes and empty sequences.
  static bool IsVolumeSequence(vtkMRMLNode* node);

  /// Frames in a NIfTI-1/2 file (.nii or .nii.gz), from its header only (dim[0], dim[4]): 1 for a
  /// 3D image, N for a 4D one; -1 when the file is missing or not NIfTI. Cheap enough for a file
  /// reader's canLoadFileConfidence.
  static int GetNumberOfFramesInFile(const char* path);

  /// Reads a 4D .nii/.nii.gz/.nrrd run into a new volume sequence shown through a new sequence
  /// browser (Slicer's own readers load only the first frame of a 4D NIfTI). Index values are the
  /// frame times in seconds (unit "s") when the file gives a TR, else frame numbers. nullptr on
  /// error (GetLastError names the file); nothing is added to the scene then.
  vtkMRMLSequenceNode* LoadRunAsSequence(const char* path);
  /// The browser that shows a sequence (as master or synchronized), or nullptr.
  vtkMRMLSequenceBrowserNode* GetSequenceBrowserNode(vtkMRMLSequenceNode* sequence);

  /// Writes a volume sequence, or a multivolume (one scalar component per frame), as a 4D NIfTI run.
  bool WriteRun(vtkMRMLNode* input, const char* path);
  /// Seconds between frames of the run WriteRun wrote last (0 when the input does not say).
  double GetWrittenRunRepetitionTime();

  /// Checks that a node can be motion-corrected (a volume sequence or multivolume of >= 2 frames
  /// on one grid); on failure GetLastError() says why, naming the node. Touches nothing.
  bool ValidateInput(vtkMRMLNode* input);

  /// Runs motion correction on a volume sequence or multivolume with the parameter node's settings
  /// and waits for it (Qt events keep being processed, so the plot updates). True on success. On
  /// bad input or parameters nothing is added to the scene; on cancel or failure the scene is put
  /// back as it was before the call.
  bool Run(vtkMRMLNode* input);
  /// As Run(), but returns once the engine started (false, with GetLastError, when it could not);
  /// the results are imported (or the scene put back) on the main thread's event loop, then
  /// RunEndedEvent is invoked. The module widget's Apply.
  bool StartRun(vtkMRMLNode* input);
  /// True when the last run that ended, ended with its results in the scene.
  bool GetLastRunSucceeded();
  /// Stops a running Run() or followed task (the scene is left as it was before the run), or a
  /// follow run (StartFollowing: its rows are kept).
  void Cancel();
  bool IsRunning();
  /// The engine task of the run StartRun (or Run) started: non-null from a successful StartRun until
  /// RunEndedEvent (nullptr already while RunEndedEvent is invoked, and when no run of the logic's
  /// own is going; a task only followed with FollowTask is not returned). The module widget's panel
  /// connects to its signals (progress, frames) to show a run started from Python. Owned by the
  /// logic: do not delete; it is deleted after RunEndedEvent, which disconnects its signals.
  mc::MotionCorrectionTask* GetActiveTask() const;
  /// One line, empty after a success.
  const char* GetLastError();

  /// Output nodes of the last run (created on demand and remembered in the parameter node).
  vtkMRMLSequenceNode* GetOutputSequenceNode();
  vtkMRMLSequenceNode* GetTransformSequenceNode();
  vtkMRMLTableNode* GetMotionTableNode();
  vtkMRMLPlotChartNode* GetMotionChartNode();
  vtkMRMLPlotChartNode* GetDisplacementChartNode();
  /// The mean of the realigned run (a scalar volume "Mean image", reference "MeanVolume"): filled by
  /// a run that resliced (not estimate-only), from the engine's result in memory.
  vtkMRMLScalarVolumeNode* GetMeanVolumeNode();

  /// Follow mode (real time): a scanner's export writes one file per volume into `folder`; each
  /// is aligned as it arrives (the engine's MotionCorrectionFollowTask over mc::followFolder) and
  /// its row appended to the motion table on the main thread, so the charts fill per volume. The
  /// parameter node's estimation settings are used (not "threads": follow mode runs one thread per
  /// volume), with the follow parameters of mc::setFollowParameter under their names ("frames",
  /// "end-marker", "timeout", "tr", "fd-threshold", "fd-levels", "poll") and, for its paths,
  /// "follow-reference" (an image; default the first volume), "follow-params" and
  /// "follow-confounds" (rows appended per volume) and "follow-realigned-folder".
  /// Returns once started; false with GetLastError for bad options, the scene unchanged. The rows
  /// stay in the scene however the run ends (a cancel included: they are what the scan gave);
  /// FollowEndedEvent is invoked at the end. Cancel() stops it.
  bool StartFollowing(const char* folder);
  /// Fills the motion table from a follow task started elsewhere (the panel's Live mode, as
  /// FollowTask does for a run): the same rows, events and summary as StartFollowing; the task
  /// stays its owner's.
  void FollowLiveTask(mc::MotionCorrectionFollowTask* task);
  /// As StartFollowing, and waits for the end, processing Qt events. True unless it failed.
  bool Follow(const char* folder);
  bool IsFollowing();
  /// The live summary of the follow run (the last one, after it ended): volumes aligned, volumes
  /// usable (FD under "fd-threshold"), usable minutes (x TR), mean and max FD (mm), and volumes under
  /// one of the "fd-levels" (-1 for another level).
  int GetFollowedVolumes();
  int GetFollowUsableVolumes();
  double GetFollowUsableMinutes();
  double GetFollowMeanFD();
  double GetFollowMaxFD();
  int GetFollowVolumesUnder(double level);
  /// "" while following or before; then "frame count", "end marker", "time-out", "cancelled" or
  /// "failed" (GetLastError says why).
  const char* GetFollowEndReason();
  /// The notices of the follow run so far (skipped files, out-of-order arrivals), one per line.
  const char* GetFollowNotices();

  // The steps Run() is made of; the module widget drives them around the shared panel's own task:
  //   BeginResults(0); FollowTask(task);   when the run starts
  //   ImportResults(...)                   when it finished
  //   DiscardResults()                     when it was cancelled or failed

  /// Snapshots the scene (unless a run is already pending), empties the motion table for a run of
  /// `frames` frames and shows the charts in the layout.
  void BeginResults(int frames);
  /// Follows a task started elsewhere (the panel): its frames fill the table on the main thread.
  void FollowTask(mc::MotionCorrectionTask* task);
  /// One frame's parameters (mm, radians; SPM rp order) into the table: a new row, or an update of a
  /// frame seen in an earlier pass. Main thread only.
  void SetFrameParameters(int frame, const double parameters[6]);
  /// After the run: the engine's final parameters (one row per frame) into the table, the transform
  /// sequence, and the realigned run (if written) into the output sequence, both in one browser.
  /// Commits the run (no DiscardResults afterwards); on failure the run is discarded.
  bool ImportResults(const std::vector<std::vector<double>>& parameters, const std::vector<double>& displacement,
                     const char* realignedPath, double repetitionTime);
  /// The same from the engine's result in memory: its parameters, framewise displacement,
  /// realigned run and mean image (if it resliced; the mean into GetMeanVolumeNode()). Index values use `repetitionTime` when > 0, else the run's.
  bool ImportResults(const mc::JobResult& result, double repetitionTime);
  /// Cancelled or failed run: stops following the task and restores the scene to the snapshot of
  /// BeginResults (the nodes it added removed, table rows and parameter node references restored).
  /// Does nothing when no run is pending.
  void DiscardResults();
  /// True between BeginResults and ImportResults/DiscardResults.
  bool HasPendingResults();

protected:
  vtkSlicerMotionCorrectionLogic();
  ~vtkSlicerMotionCorrectionLogic() override;

  void SetMRMLSceneInternal(vtkMRMLScene* newScene) override;

  vtkMRMLSequenceBrowserNode* ShowInBrowser(vtkMRMLSequenceNode* sequence, vtkMRMLSequenceNode* synchronized = nullptr);
  vtkMRMLNode* GetOrCreateReferencedNode(const char* role, const char* className, const char* name);
  bool ImportMotion(const std::vector<std::vector<double>>& parameters, const std::vector<double>& displacement,
                    const mc::VolumeSeries* realigned, const mc::Volume* mean, double repetitionTime);
  void EndOwnRun(bool succeeded, const std::string& failure);
  void StopFollowingTask();
  void BeginTransaction();
  std::string GetParameterOrDefault(const std::string& name);

private:
  vtkSlicerMotionCorrectionLogic(const vtkSlicerMotionCorrectionLogic&) = delete;
  void operator=(const vtkSlicerMotionCorrectionLogic&) = delete;

  class vtkInternal;
  vtkInternal* Internal;
};

#endif
