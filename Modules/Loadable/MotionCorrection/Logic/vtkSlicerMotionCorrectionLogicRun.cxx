// vtkSlicerMotionCorrectionLogic, its runs: the request made from the parameter node, the engine
// started on the input, its frames followed into the table, and the results committed into the
// scene, or the scene put back on cancel or failure.
#include "vtkSlicerMotionCorrectionLogic.h"
#include "vtkSlicerMotionCorrectionLogicInternal.h"

#include "vtkSlicerMotionCorrectionOutputNodes.h"
#include "vtkSlicerMotionCorrectionParameters.h"
#include "vtkSlicerMotionCorrectionVolumeSeries.h"

// MotionCorrection
#include "ImageIO.h"
#include "MotionCorrectionJob.h"

// Slicer
#include <vtkMRMLScalarVolumeNode.h>
#include <vtkMRMLScene.h>
#include <vtkMRMLScriptedModuleNode.h>
#include <vtkMRMLSequenceNode.h>
#include <vtkMRMLTableNode.h>

// VTK
#include <vtkCallbackCommand.h>

// Qt
#include <QEventLoop>

#include <stdexcept>

bool vtkSlicerMotionCorrectionLogic::ImportResults(const mc::JobResult& result, double repetitionTime)
{
  std::vector<std::vector<double>> rows;
  for (const mc::RigidParameters& p : result.parameters)
  {
    rows.emplace_back(p.values.begin(), p.values.end());
  }
  const bool resliced = result.realigned.frameCount > 0;
  const double tr = repetitionTime > 0 ? repetitionTime : result.realigned.repetitionTime;
  const bool hasMean = !result.mean.voxels.empty();
  return this->ImportMotion(rows, result.framewiseDisplacement, resliced ? &result.realigned : nullptr,
                            hasMean ? &result.mean : nullptr, tr);
}

bool vtkSlicerMotionCorrectionLogic::ImportResults(const std::vector<std::vector<double>>& parameters,
                                                   const std::vector<double>& displacement,
                                                   const char* realignedPath, double repetitionTime)
{
  mc::VolumeSeries realigned;
  if (realignedPath && *realignedPath)
  {
    try
    {
      realigned = mc::readVolumeSeries(realignedPath);
    }
    catch (const std::exception& e)
    {
      this->StopFollowingTask();
      this->Internal->LastError = e.what();
      this->DiscardResults();
      return false;
    }
  }
  return this->ImportMotion(parameters, displacement, realigned.frameCount > 0 ? &realigned : nullptr, nullptr,
                            repetitionTime);
}

bool vtkSlicerMotionCorrectionLogic::ImportMotion(const std::vector<std::vector<double>>& parameters,
                                                  const std::vector<double>& displacement,
                                                  const mc::VolumeSeries* realigned, const mc::Volume* mean,
                                                  double repetitionTime)
{
  this->StopFollowingTask(); // the final parameters replace the live ones
  if (!this->GetMRMLScene())
  {
    this->Internal->LastError = "ImportResults: the logic has no scene";
    return false;
  }
  // Everything that can fail first, so that a failure leaves the scene as before the run.
  if (realigned && realigned->frameCount != static_cast<int>(parameters.size()))
  {
    this->Internal->LastError = "the realigned run has " + std::to_string(realigned->frameCount) +
                                " frames, the motion parameters " + std::to_string(parameters.size());
    this->DiscardResults();
    return false;
  }
  if (mean && mean->voxels.size() != mean->geometry.voxelCount())
  {
    this->Internal->LastError = "the mean image has " + std::to_string(mean->voxels.size()) + " voxels, its grid " +
                                std::to_string(mean->geometry.voxelCount());
    this->DiscardResults();
    return false;
  }

  vtkMRMLTableNode* tableNode = this->GetMotionTableNode();
  this->BeginResults(static_cast<int>(parameters.size()));
  for (size_t j = 0; j < parameters.size(); ++j)
  {
    double p[6] = { 0, 0, 0, 0, 0, 0 };
    for (size_t i = 0; i < 6 && i < parameters[j].size(); ++i)
    {
      p[i] = parameters[j][i];
    }
    this->SetFrameParameters(static_cast<int>(j), p);
  }
  // The engine's FD is authoritative (it is what the confounds file holds).
  this->Internal->Motion.SetDisplacement(tableNode, displacement);

  vtkMRMLSequenceNode* transforms = this->GetTransformSequenceNode();
  vtkSlicerMotionCorrectionOutputNodes::FillTransformSequence(this->GetMRMLScene(), transforms,
                                                             this->Internal->Motion.GetParameters(), repetitionTime);
  // One browser plays the realigned run and its transforms together.
  if (realigned)
  {
    mc::VolumeSeries timed; // index values as the input's
    const mc::VolumeSeries* shown = realigned;
    if (repetitionTime > 0 && realigned->repetitionTime != repetitionTime)
    {
      timed = *realigned;
      timed.repetitionTime = repetitionTime;
      shown = &timed;
    }
    vtkMRMLSequenceNode* output = this->GetOutputSequenceNode();
    vtkSlicerMotionCorrectionVolumeSeries::FillSequence(*shown, output);
    this->ShowInBrowser(output, transforms);
  }
  else
  {
    this->ShowInBrowser(transforms);
  }
  if (mean)
  {
    vtkMRMLScalarVolumeNode* meanVolume = this->GetMeanVolumeNode();
    vtkSlicerMotionCorrectionVolumeSeries::FillVolume(*mean, meanVolume);
    if (!meanVolume->GetDisplayNode())
    {
      meanVolume->CreateDefaultDisplayNodes();
    }
  }
  this->Internal->Before.Commit();
  return true;
}

bool vtkSlicerMotionCorrectionLogic::StartRun(vtkMRMLNode* input)
{
  vtkInternal& d = *this->Internal;
  d.LastError.clear();
  if (this->IsRunning() || this->HasPendingResults() || d.OwnTask)
  {
    d.LastError = "a motion correction is already running";
    return false;
  }
  if (!this->GetMRMLScene())
  {
    d.LastError = "Run: the logic has no scene";
    return false;
  }
  if (!this->ValidateInput(input))
  {
    return false;
  }
  // Parameters and voxels, checked and converted before the scene is touched.
  mc::EngineRequest request;
  try
  {
    request = vtkSlicerMotionCorrectionParameters::ToEngineRequest(
      [this](const std::string& name) { return this->GetParameterOrDefault(name); });
  }
  catch (const std::exception& e)
  {
    d.LastError = e.what();
    return false;
  }
  const QString unavailable = mc::MotionCorrectionTask::backendUnavailableReason(request.backend);
  if (!unavailable.isEmpty())
  {
    d.LastError = unavailable.toStdString();
    return false;
  }
  auto run = std::make_shared<mc::VolumeSeries>();
  if (!vtkSlicerMotionCorrectionVolumeSeries::ToVolumeSeries(input, *run, d.LastError))
  {
    return false;
  }
  d.OwnRunRepetitionTime = run->repetitionTime;
  // The voxels go to the engine in memory and the realigned run comes back the same way: no file
  // is written for the threads backend (mc::run hands an MPI job its files itself).
  request.inputRun = run;
  request.keepImages = true;
  try
  {
    request.validate();
  }
  catch (const std::exception& e)
  {
    d.LastError = e.what();
    return false;
  }

  // From here on the scene changes; a cancel or failure puts it back.
  this->BeginTransaction();
  this->GetParameterNode()->SetNodeReferenceID("InputNode", input->GetID());
  d.OwnTask.reset(new mc::MotionCorrectionTask(request));
  d.OwnTaskReceiver.reset(new QObject);
  mc::MotionCorrectionTask* task = d.OwnTask.get();
  QObject* receiver = d.OwnTaskReceiver.get();
  QObject::connect(task, &mc::MotionCorrectionTask::finished, receiver, [this] { this->EndOwnRun(true, ""); });
  QObject::connect(task, &mc::MotionCorrectionTask::failed, receiver,
                   [this](const QString& reason) { this->EndOwnRun(false, reason.toStdString()); });
  QObject::connect(task, &mc::MotionCorrectionTask::cancelled, receiver,
                   [this] { this->EndOwnRun(false, "cancelled"); });
  this->BeginResults(0);
  this->FollowTask(task);
  task->start();
  return true;
}

void vtkSlicerMotionCorrectionLogic::EndOwnRun(bool succeeded, const std::string& failure)
{
  vtkInternal& d = *this->Internal;
  // Called from the task's own signal: it is deleted once control is back in the event loop.
  mc::MotionCorrectionTask* task = d.OwnTask.release();
  d.OwnTaskReceiver.release()->deleteLater();
  if (!succeeded)
  {
    this->DiscardResults();
    d.LastError = failure;
  }
  else
  {
    succeeded = this->ImportResults(task->result(), d.OwnRunRepetitionTime);
    if (succeeded)
    {
      d.LastError.clear();
    }
  }
  task->deleteLater();
  d.LastRunSucceeded = succeeded;
  this->InvokeEvent(RunEndedEvent);
}

bool vtkSlicerMotionCorrectionLogic::Run(vtkMRMLNode* input)
{
  if (!this->StartRun(input))
  {
    return false;
  }
  QEventLoop loop;
  bool ended = false;
  vtkNew<vtkCallbackCommand> onEnded;
  onEnded->SetClientData(&ended);
  onEnded->SetCallback([](vtkObject*, unsigned long, void* flag, void*) { *static_cast<bool*>(flag) = true; });
  const unsigned long tag = this->AddObserver(RunEndedEvent, onEnded);
  while (!ended)
  {
    // The queued frame results and the end signal are delivered here, on the main thread.
    loop.processEvents(QEventLoop::WaitForMoreEvents);
  }
  this->RemoveObserver(tag);
  return this->Internal->LastRunSucceeded;
}

bool vtkSlicerMotionCorrectionLogic::GetLastRunSucceeded()
{
  return this->Internal->LastRunSucceeded;
}

void vtkSlicerMotionCorrectionLogic::Cancel()
{
  if (this->Internal->Task)
  {
    this->Internal->Task->cancel();
  }
  if (this->Internal->FollowedTask)
  {
    this->Internal->FollowedTask->cancel();
  }
}

bool vtkSlicerMotionCorrectionLogic::IsRunning()
{
  return this->Internal->OwnTask || (this->Internal->Task && this->Internal->Task->isRunning());
}

mc::MotionCorrectionTask* vtkSlicerMotionCorrectionLogic::GetActiveTask() const
{
  // EndOwnRun releases the task before RunEndedEvent, so observers of the event see nullptr.
  return this->Internal->OwnTask.get();
}

const char* vtkSlicerMotionCorrectionLogic::GetLastError()
{
  return this->Internal->LastError.c_str();
}
