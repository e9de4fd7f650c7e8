#ifndef __qSlicerMotionCorrectionReader_h
#define __qSlicerMotionCorrectionReader_h

// Add Data / drag and drop of a 4D NIfTI run: opens it as a volume sequence with a browser, through
// the module logic's loader (vtkSlicerMotionCorrectionLogic::LoadRunAsSequence), the same one the
// module panel's "Load 4D run" and the Python console use. Slicer's own volume reader would load
// only the first frame of such a file; 3D NIfTI files are left to it (confidence 0 here).
#include "qSlicerFileReader.h"

#include "qSlicerMotionCorrectionModuleExport.h"

class qSlicerMotionCorrectionReaderPrivate;
class vtkSlicerMotionCorrectionLogic;

class Q_SLICER_QTMODULES_MOTIONCORRECTION_EXPORT qSlicerMotionCorrectionReader : public qSlicerFileReader
{
  Q_OBJECT
public:
  typedef qSlicerFileReader Superclass;
  explicit qSlicerMotionCorrectionReader(vtkSlicerMotionCorrectionLogic* logic = nullptr, QObject* parent = nullptr);
  ~qSlicerMotionCorrectionReader() override;

  void setLogic(vtkSlicerMotionCorrectionLogic* logic);
  vtkSlicerMotionCorrectionLogic* logic() const;

  QString description() const override;
  IOFileType fileType() const override;
  QStringList extensions() const override;

  /// 0.6 for a NIfTI file whose header says 4D with at least 2 frames: above Slicer's volume reader
  /// (0.5 + 0.01 per matched extension character, 0.57 for .nii.gz), so a run opens as a sequence by
  /// default. 0 for anything else (3D NIfTI, unreadable headers), which stays with the volume reader.
  double canLoadFileConfidence(const QString& file) const override;

  /// Properties: fileName (required), name (optional node name). Loaded nodes: the sequence and its
  /// browser.
  bool load(const IOProperties& properties) override;

protected:
  QScopedPointer<qSlicerMotionCorrectionReaderPrivate> d_ptr;

private:
  Q_DECLARE_PRIVATE(qSlicerMotionCorrectionReader);
  Q_DISABLE_COPY(qSlicerMotionCorrectionReader);
};

#endif
