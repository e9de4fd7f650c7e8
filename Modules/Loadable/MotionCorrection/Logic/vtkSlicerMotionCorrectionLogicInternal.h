#ifndef __vtkSlicerMotionCorrectionLogicInternal_h
#define __vtkSlicerMotionCorrectionLogicInternal_h

// The logic's state, shared by its two source files (scene nodes; runs). Not installed.
#include "vtkSlicerMotionCorrectionLogic.h"
#include "vtkSlicerMotionCorrectionMotionTable.h"
#include "vtkSlicerMotionCorrectionSceneSnapshot.h"

#include "MotionCorrectionFollowTask.h"
#include "MotionCorrectionTask.h"

#include <vtkSlicerSequencesLogic.h>
#include <vtkSmartPointer.h>

#include <QObject>
#include <QPointer>

#include <memory>
#include <string>

class vtkSlicerMotionCorrectionLogic::vtkInternal
{
public:
  // Lives on the main thread: queued signals from the engine are delivered here. One per followed
  // task: deleting it drops the frames still queued, so none lands after the run ended.
  std::unique_ptr<QObject> Receiver;
  QPointer<mc::MotionCorrectionTask> Task;
  // The task of StartRun/Run (the widget's panel task is followed, not owned), and the receiver
  // of its end signals.
  std::unique_ptr<mc::MotionCorrectionTask> OwnTask;
  std::unique_ptr<QObject> OwnTaskReceiver;
  double OwnRunRepetitionTime = 0;
  bool LastRunSucceeded = false;

  // Follow mode: the task whose volumes fill the table (the logic's own, from StartFollowing, or
  // the panel's Live session), the receiver of its queued signals, and what it reported so far.
  QPointer<mc::MotionCorrectionFollowTask> FollowedTask;
  std::unique_ptr<mc::MotionCorrectionFollowTask> OwnFollowTask;
  std::unique_ptr<QObject> FollowReceiver;
  mc::FollowSummary FollowSummary;
  std::string FollowEnd;
  std::string FollowNotices;

  vtkSlicerMotionCorrectionMotionTable Motion;
  vtkSlicerMotionCorrectionSceneSnapshot Before;
  std::string LastError;
  double RepetitionTime = 0; // of the run WriteRun wrote last
  // Used where no application logic gives the Sequences module's (the kit, tests, batch scripts).
  vtkSmartPointer<vtkSlicerSequencesLogic> OwnSequencesLogic;
};

#endif
