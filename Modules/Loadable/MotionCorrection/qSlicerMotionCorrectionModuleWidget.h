#ifndef __qSlicerMotionCorrectionModuleWidget_h
#define __qSlicerMotionCorrectionModuleWidget_h

// The module panel: MRML node selectors, Apply / Cancel and a status line (.ui) above the shared
// MotionCorrectionPanel, which edits the parameters (its file rows and Run button hidden). Apply
// hands the selected node to the logic, which runs the engine on its voxels in memory and fills
// the table, charts and sequences.
#include "qSlicerAbstractModuleWidget.h"

#include "qSlicerMotionCorrectionModuleExport.h"

class qSlicerMotionCorrectionModuleWidgetPrivate;
class vtkMRMLNode;

class Q_SLICER_QTMODULES_MOTIONCORRECTION_EXPORT qSlicerMotionCorrectionModuleWidget
  : public qSlicerAbstractModuleWidget
{
  Q_OBJECT

public:
  typedef qSlicerAbstractModuleWidget Superclass;
  qSlicerMotionCorrectionModuleWidget(QWidget* parent = nullptr);
  ~qSlicerMotionCorrectionModuleWidget() override;

  void enter() override;

public slots:
  void setMRMLScene(vtkMRMLScene* scene) override;
  void onApply();
  void onLoadRun();
  void onInputNodeChanged(vtkMRMLNode* node);
  /// Parameter node -> panel (scene loaded, node edited from Python).
  void updatePanelFromParameterNode();
  /// Panel -> parameter node, so the panel state is saved with the scene.
  void updateParameterNodeFromPanel();
  /// Input selector: volume sequences (and multivolumes) only; output selectors: sequences of
  /// their kind or empty ones. Sequences of any other kind are hidden.
  void updateSelectorFilters();
  void scheduleSelectorFilterUpdate();

  void onCancel();
  /// The panel shows the logic's running task (GetActiveTask), if any: after Apply and on enter.
  void followActiveRun();

protected slots:
  /// The logic's RunEndedEvent: results imported, or the scene put back.
  void onRunEnded();

protected:
  QScopedPointer<qSlicerMotionCorrectionModuleWidgetPrivate> d_ptr;

  void setup() override;

private:
  Q_DECLARE_PRIVATE(qSlicerMotionCorrectionModuleWidget);
  Q_DISABLE_COPY(qSlicerMotionCorrectionModuleWidget);
};

#endif
