#include "qSlicerMotionCorrectionReader.h"

#include "vtkSlicerMotionCorrectionLogic.h"

// MRML
#include <vtkMRMLMessageCollection.h>
#include <vtkMRMLScene.h>
#include <vtkMRMLSequenceBrowserNode.h>
#include <vtkMRMLSequenceNode.h>

// VTK
#include <vtkCommand.h>
#include <vtkSmartPointer.h>

// Qt
#include <QDebug>
#include <QFileInfo>

class qSlicerMotionCorrectionReaderPrivate
{
public:
  vtkSmartPointer<vtkSlicerMotionCorrectionLogic> Logic;
};

qSlicerMotionCorrectionReader::qSlicerMotionCorrectionReader(vtkSlicerMotionCorrectionLogic* logic, QObject* parent)
  : Superclass(parent)
  , d_ptr(new qSlicerMotionCorrectionReaderPrivate)
{
  this->setLogic(logic);
}

qSlicerMotionCorrectionReader::~qSlicerMotionCorrectionReader() = default;

void qSlicerMotionCorrectionReader::setLogic(vtkSlicerMotionCorrectionLogic* logic)
{
  Q_D(qSlicerMotionCorrectionReader);
  d->Logic = logic;
}

vtkSlicerMotionCorrectionLogic* qSlicerMotionCorrectionReader::logic() const
{
  Q_D(const qSlicerMotionCorrectionReader);
  return d->Logic;
}

QString qSlicerMotionCorrectionReader::description() const
{
  return tr("4D fMRI run (volume sequence)");
}

qSlicerIO::IOFileType qSlicerMotionCorrectionReader::fileType() const
{
  return QString("MotionCorrection4DRunFile");
}

QStringList qSlicerMotionCorrectionReader::extensions() const
{
  return QStringList() << tr("4D fMRI run") + " (*.nii.gz *.nii)";
}

double qSlicerMotionCorrectionReader::canLoadFileConfidence(const QString& fileName) const
{
  // The extension first (cheap), then the header: only dim[0] and dim[4] are read.
  if (Superclass::canLoadFileConfidence(fileName) <= 0)
  {
    return 0.0;
  }
  const int frames = vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(fileName.toUtf8().constData());
  return frames >= 2 ? 0.6 : 0.0;
}

bool qSlicerMotionCorrectionReader::load(const IOProperties& properties)
{
  Q_D(qSlicerMotionCorrectionReader);
  this->setLoadedNodes(QStringList());
  const QString fileName = properties.value("fileName").toString();
  if (fileName.isEmpty())
  {
    this->userMessages()->AddMessage(vtkCommand::ErrorEvent, "4D run reader: no file name given");
    return false;
  }
  if (!d->Logic)
  {
    qCritical() << Q_FUNC_INFO << "failed: the Motion Correction logic is not set";
    this->userMessages()->AddMessage(vtkCommand::ErrorEvent, "4D run reader: the Motion Correction logic is not set");
    return false;
  }
  vtkMRMLSequenceNode* sequence = d->Logic->LoadRunAsSequence(fileName.toUtf8().constData());
  if (!sequence)
  {
    // One line naming the file, shown by Add Data's error dialog.
    this->userMessages()->AddMessage(vtkCommand::ErrorEvent, d->Logic->GetLastError());
    return false;
  }
  if (properties.contains("name") && this->mrmlScene())
  {
    const std::string name =
      this->mrmlScene()->GetUniqueNameByString(properties.value("name").toString().toUtf8().constData());
    sequence->SetName(name.c_str());
  }
  QStringList loaded;
  loaded << QString::fromUtf8(sequence->GetID());
  if (vtkMRMLSequenceBrowserNode* browser = d->Logic->GetSequenceBrowserNode(sequence))
  {
    loaded << QString::fromUtf8(browser->GetID());
  }
  this->setLoadedNodes(loaded);
  return true;
}
