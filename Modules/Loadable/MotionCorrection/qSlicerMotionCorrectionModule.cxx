#include "qSlicerMotionCorrectionModule.h"

#include "qSlicerMotionCorrectionModuleWidget.h"
#include "qSlicerMotionCorrectionReader.h"
#include "vtkSlicerMotionCorrectionLogic.h"

// Slicer
#include <qSlicerCoreApplication.h>
#include <qSlicerCoreIOManager.h>

class qSlicerMotionCorrectionModulePrivate
{
};

qSlicerMotionCorrectionModule::qSlicerMotionCorrectionModule(QObject* parent)
  : Superclass(parent)
  , d_ptr(new qSlicerMotionCorrectionModulePrivate)
{
}

qSlicerMotionCorrectionModule::~qSlicerMotionCorrectionModule() = default;

QString qSlicerMotionCorrectionModule::helpText() const
{
  return "Rigid head-motion correction of a 4D fMRI run (SPM12-style realign: estimate and reslice). "
         "Input: a volume sequence or a multivolume (a 4D .nii/.nii.gz file opens as one through Add Data or "
         "<b>Load 4D run</b>). "
         "Outputs: the realigned volume sequence, a linear-transform sequence (each frame to the reference), "
         "and a table with the six rigid parameters and framewise displacement, plotted live while frames finish. "
         "From the Python console: <code>slicer.modules.motioncorrection.logic()</code>.";
}

QString qSlicerMotionCorrectionModule::acknowledgementText() const
{
  return "The estimation follows SPM12's spm_realign/spm_reslice (Friston et al. 1995; Ashburner). "
         "Framewise displacement after Power et al. 2012.";
}

QStringList qSlicerMotionCorrectionModule::contributors() const
{
  return QStringList() << "SlicerMotionCorrection developers";
}

QIcon qSlicerMotionCorrectionModule::icon() const
{
  return QIcon(":/Icons/MotionCorrection.png");
}

QStringList qSlicerMotionCorrectionModule::categories() const
{
  return QStringList() << "Registration" << "Sequences";
}

QStringList qSlicerMotionCorrectionModule::dependencies() const
{
  return QStringList() << "Sequences" << "Plots" << "Tables";
}

void qSlicerMotionCorrectionModule::setup()
{
  this->Superclass::setup();
  // Add Data opens a 4D NIfTI run as a volume sequence through the logic's loader. The core IO
  // manager is the one Add Data and slicer.util.loadNodeFromFile use (also without a GUI).
  qSlicerCoreApplication* app = qSlicerCoreApplication::application();
  if (app && app->coreIOManager())
  {
    vtkSlicerMotionCorrectionLogic* logic = vtkSlicerMotionCorrectionLogic::SafeDownCast(this->logic());
    app->coreIOManager()->registerIO(new qSlicerMotionCorrectionReader(logic, this));
  }
}

qSlicerAbstractModuleRepresentation* qSlicerMotionCorrectionModule::createWidgetRepresentation()
{
  return new qSlicerMotionCorrectionModuleWidget;
}

vtkMRMLAbstractLogic* qSlicerMotionCorrectionModule::createLogic()
{
  return vtkSlicerMotionCorrectionLogic::New();
}
