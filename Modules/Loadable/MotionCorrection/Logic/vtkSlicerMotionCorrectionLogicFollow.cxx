// vtkSlicerMotionCorrectionLogic, follow mode: volumes arriving as files in a folder during the
// scan, each one's row in the motion table as soon as the engine aligned it. The session is the
// core's (mc::followFolder) run by the engine's MotionCorrectionFollowTask; this file turns the
// parameter node into its options and its signals into table rows on the main thread.
#include "vtkSlicerMotionCorrectionLogic.h"
#include "vtkSlicerMotionCorrectionLogicInternal.h"

// MotionCorrection
#include "FollowParameters.h"

// Slicer
#include <vtkMRMLScene.h>
#include <vtkMRMLTableNode.h>

// VTK
#include <vtkCallbackCommand.h>

// Qt
#include <QEventLoop>

#include <cmath>
#include <stdexcept>
#include <utility>

namespace
{
// Parameter node name -> follow parameter. The estimation entries share the offline run's names;
// the follow run's paths have names of their own, since "reference" and the outputs mean other
// things offline.
const std::vector<std::pair<std::string, std::string>>& FollowParameterNames()
{
  static const std::vector<std::pair<std::string, std::string>> names = {
    { "quality", "quality" },
    { "sep", "sep" },
    { "fwhm", "fwhm" },
    { "interp", "interp" },
    { "wrap", "wrap" },
    { "reslice-interp", "reslice-interp" },
    { "reslice-wrap", "reslice-wrap" },
    { "frames", "frames" },
    { "end-marker", "end-marker" },
    { "timeout", "timeout" },
    { "tr", "tr" },
    { "fd-threshold", "fd-threshold" },
    { "fd-levels", "fd-levels" },
    { "poll", "poll" },
    { "follow-reference", "reference" },
    { "follow-params", "params" },
    { "follow-confounds", "confounds" },
    { "follow-realigned-folder", "realigned-folder" },
  };
  return names;
}
} // namespace

bool vtkSlicerMotionCorrectionLogic::StartFollowing(const char* folder)
{
  vtkInternal& d = *this->Internal;
  if (!this->GetMRMLScene())
  {
    d.LastError = "no scene";
    return false;
  }
  if (this->IsRunning() || d.FollowedTask)
  {
    d.LastError = "a run or follow run is already going; cancel it first";
    return false;
  }
  mc::FollowOptions options;
  try
  {
    mc::setFollowParameter(options, "folder", folder ? folder : "");
    for (const auto& [nodeName, followName] : FollowParameterNames())
    {
      const std::string value = this->GetParameterOrDefault(nodeName);
      if (!value.empty())
      {
        mc::setFollowParameter(options, followName, value);
      }
    }
    options.validate();
  }
  catch (const std::exception& e)
  {
    d.LastError = e.what();
    return false;
  }

  d.LastError.clear();
  d.OwnFollowTask.reset(new mc::MotionCorrectionFollowTask(options));
  this->FollowLiveTask(d.OwnFollowTask.get());
  d.OwnFollowTask->start();
  return true;
}

void vtkSlicerMotionCorrectionLogic::FollowLiveTask(mc::MotionCorrectionFollowTask* task)
{
  vtkInternal& d = *this->Internal;
  d.FollowReceiver.reset();
  d.FollowedTask = task;
  if (!task || !this->GetMRMLScene())
  {
    return;
  }
  const mc::FollowOptions& options = task->options();
  d.FollowSummary = mc::FollowSummary{};
  d.FollowSummary.levels = options.fdLevels;
  d.FollowSummary.under.assign(options.fdLevels.size(), 0);
  d.FollowEnd.clear();
  d.FollowNotices.clear();
  this->BeginResults(options.frames);
  d.FollowReceiver.reset(new QObject);
  QObject* receiver = d.FollowReceiver.get();
  QObject::connect(task, &mc::MotionCorrectionFollowTask::volumeAligned, receiver,
                   [this](const mc::FollowVolume& v)
                   {
                     this->SetFrameParameters(v.frame, v.motion.parameters.values.data());
                     this->Internal->FollowSummary = v.summary;
                     this->InvokeEvent(FollowVolumeEvent);
                   });
  QObject::connect(task, &mc::MotionCorrectionFollowTask::notice, receiver,
                   [this](const QString& line) { this->Internal->FollowNotices += line.toStdString() + "\n"; });
  auto end = [this, task](const std::string& reason, const std::string& error)
  {
    vtkInternal& d = *this->Internal;
    // The rows are the scan's: kept whatever ended the run, with the engine's own FD values.
    if (reason != "failed")
    {
      std::vector<double> fd;
      for (const mc::FollowVolume& v : task->result().volumes)
      {
        fd.push_back(v.fd);
      }
      if (vtkMRMLTableNode* table = this->GetMotionTableNode())
      {
        d.Motion.SetDisplacement(table, fd);
      }
      d.Before.Commit();
    }
    else
    {
      this->DiscardResults();
    }
    d.FollowEnd = reason;
    d.LastError = error;
    d.FollowedTask = nullptr;
    // Called from the task's own signal: the receiver (and the task, when it is the logic's own)
    // are deleted once control is back in the event loop.
    d.FollowReceiver.release()->deleteLater();
    if (d.OwnFollowTask.get() == task)
    {
      d.OwnFollowTask.release()->deleteLater();
    }
    this->InvokeEvent(FollowEndedEvent);
  };
  QObject::connect(task, &mc::MotionCorrectionFollowTask::finished, receiver,
                   [end](const QString& reason) { end(reason.toStdString(), ""); });
  QObject::connect(task, &mc::MotionCorrectionFollowTask::cancelled, receiver, [end] { end("cancelled", ""); });
  QObject::connect(task, &mc::MotionCorrectionFollowTask::failed, receiver,
                   [end](const QString& reason) { end("failed", reason.toStdString()); });
}

bool vtkSlicerMotionCorrectionLogic::Follow(const char* folder)
{
  if (!this->StartFollowing(folder))
  {
    return false;
  }
  QEventLoop loop;
  while (this->Internal->FollowEnd.empty())
  {
    loop.processEvents(QEventLoop::WaitForMoreEvents);
  }
  return this->Internal->FollowEnd != "failed";
}

bool vtkSlicerMotionCorrectionLogic::IsFollowing()
{
  return !this->Internal->FollowedTask.isNull();
}

int vtkSlicerMotionCorrectionLogic::GetFollowedVolumes()
{
  return this->Internal->FollowSummary.volumes;
}

int vtkSlicerMotionCorrectionLogic::GetFollowUsableVolumes()
{
  return this->Internal->FollowSummary.usable;
}

double vtkSlicerMotionCorrectionLogic::GetFollowUsableMinutes()
{
  return this->Internal->FollowSummary.usableMinutes;
}

double vtkSlicerMotionCorrectionLogic::GetFollowMeanFD()
{
  return this->Internal->FollowSummary.meanFd;
}

double vtkSlicerMotionCorrectionLogic::GetFollowMaxFD()
{
  return this->Internal->FollowSummary.maxFd;
}

int vtkSlicerMotionCorrectionLogic::GetFollowVolumesUnder(double level)
{
  const mc::FollowSummary& s = this->Internal->FollowSummary;
  for (size_t i = 0; i < s.levels.size(); ++i)
  {
    if (std::fabs(s.levels[i] - level) < 1e-9)
    {
      return s.under[i];
    }
  }
  return -1;
}

const char* vtkSlicerMotionCorrectionLogic::GetFollowEndReason()
{
  return this->Internal->FollowEnd.c_str();
}

const char* vtkSlicerMotionCorrectionLogic::GetFollowNotices()
{
  return this->Internal->FollowNotices.c_str();
}
