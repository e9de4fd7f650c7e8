#ifndef __qSlicerMotionCorrectionModule_h
#define __qSlicerMotionCorrectionModule_h

// Slicer loadable module "Motion Correction" (extension-wizard layout). Thin glue: the panel
// (MotionCorrectionWidgets), the engine (MotionCorrectionEngine) and the MRML side
// (vtkSlicerMotionCorrectionLogic) do the work.
#include "qSlicerLoadableModule.h"

#include "qSlicerMotionCorrectionModuleExport.h"

class qSlicerMotionCorrectionModulePrivate;

class Q_SLICER_QTMODULES_MOTIONCORRECTION_EXPORT qSlicerMotionCorrectionModule : public qSlicerLoadableModule
{
  Q_OBJECT
  Q_PLUGIN_METADATA(IID "org.slicer.modules.loadable.qSlicerLoadableModule/1.0");
  Q_INTERFACES(qSlicerLoadableModule);

public:
  typedef qSlicerLoadableModule Superclass;
  explicit qSlicerMotionCorrectionModule(QObject* parent = nullptr);
  ~qSlicerMotionCorrectionModule() override;

  qSlicerGetTitleMacro(QTMODULE_TITLE);

  QString helpText() const override;
  QString acknowledgementText() const override;
  QStringList contributors() const override;
  QIcon icon() const override;
  QStringList categories() const override;
  QStringList dependencies() const override;

protected:
  void setup() override;
  qSlicerAbstractModuleRepresentation* createWidgetRepresentation() override;
  vtkMRMLAbstractLogic* createLogic() override;

protected:
  QScopedPointer<qSlicerMotionCorrectionModulePrivate> d_ptr;

private:
  Q_DECLARE_PRIVATE(qSlicerMotionCorrectionModule);
  Q_DISABLE_COPY(qSlicerMotionCorrectionModule);
};

#endif
