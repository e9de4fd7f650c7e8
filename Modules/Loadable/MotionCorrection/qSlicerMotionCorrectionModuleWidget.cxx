#include "qSlicerMotionCorrectionModuleWidget.h"
#include "ui_qSlicerMotionCorrectionModuleWidget.h"

#include "MotionCorrectionPanel.h"
#include "vtkSlicerMotionCorrectionLogic.h"
#include "vtkSlicerMotionCorrectionParameters.h"

#include <qMRMLNodeComboBox.h>
#include <qMRMLSortFilterProxyModel.h>

#include <vtkMRMLScene.h>
#include <vtkMRMLScriptedModuleNode.h>
#include <vtkMRMLSequenceNode.h>

#include <QFileDialog>
#include <QMap>
#include <QTimer>

class qSlicerMotionCorrectionModuleWidgetPrivate : public Ui_qSlicerMotionCorrectionModuleWidget
{
public:
  vtkSlicerMotionCorrectionLogic* logic() const;

  qSlicerMotionCorrectionModuleWidget* q_ptr = nullptr;
  mc::MotionCorrectionPanel* Panel = nullptr;
  bool UpdatingPanel = false;
};

vtkSlicerMotionCorrectionLogic* qSlicerMotionCorrectionModuleWidgetPrivate::logic() const
{
  return vtkSlicerMotionCorrectionLogic::SafeDownCast(q_ptr->logic());
}

qSlicerMotionCorrectionModuleWidget::qSlicerMotionCorrectionModuleWidget(QWidget* parent)
  : Superclass(parent)
  , d_ptr(new qSlicerMotionCorrectionModuleWidgetPrivate)
{
  d_ptr->q_ptr = this;
}

qSlicerMotionCorrectionModuleWidget::~qSlicerMotionCorrectionModuleWidget() = default;

void qSlicerMotionCorrectionModuleWidget::setup()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  d->setupUi(this);
  this->Superclass::setup();

  d->Panel = new mc::MotionCorrectionPanel(d->PanelPlaceholder);
  d->Panel->setFileSectionVisible(false); // nodes are chosen above
  d->Panel->setRunButtonVisible(false);   // Apply starts it
  d->Panel->setOrientation(Qt::Vertical);
  d->PanelLayout->addWidget(d->Panel);

  connect(d->InputNodeComboBox, SIGNAL(currentNodeChanged(vtkMRMLNode*)), this, SLOT(onInputNodeChanged(vtkMRMLNode*)));
  connect(d->LoadRunButton, SIGNAL(clicked()), this, SLOT(onLoadRun()));
  connect(d->ApplyButton, SIGNAL(clicked()), this, SLOT(onApply()));
  connect(d->CancelButton, SIGNAL(clicked()), this, SLOT(onCancel()));
  connect(d->Panel, &mc::MotionCorrectionPanel::parametersChanged, this,
          &qSlicerMotionCorrectionModuleWidget::updateParameterNodeFromPanel);
  // The logic runs the engine on the scene's voxels (no files) and reports the end of the run.
  if (d->logic())
  {
    this->qvtkConnect(d->logic(), vtkSlicerMotionCorrectionLogic::RunEndedEvent, this, SLOT(onRunEnded()));
  }
  // Live mode: the panel follows the folder; the logic fills the scene's motion table and charts
  // from the same task, volume by volume, and keeps them when it ends.
  connect(d->Panel, &mc::MotionCorrectionPanel::liveStarted, this,
          [d](mc::MotionCorrectionFollowTask* task)
          {
            if (d->logic())
            {
              d->logic()->FollowLiveTask(task);
            }
            d->ApplyButton->setEnabled(false);
            d->CancelButton->setEnabled(true);
            d->StatusLabel->setText(tr("Following… the motion table and plots fill as volumes arrive."));
          });
  connect(d->Panel, &mc::MotionCorrectionPanel::liveModeChanged, this,
          [d](bool live)
          {
            const bool busy = d->logic() && (d->logic()->IsRunning() || d->logic()->IsFollowing());
            d->ApplyButton->setEnabled(!busy && (live || d->InputNodeComboBox->currentNode() != nullptr));
          });
  connect(d->Panel, &mc::MotionCorrectionPanel::liveEnded, this,
          [d](const QString& reason)
          {
            d->StatusLabel->setText(tr("Live run ended (%1): its rows are in the motion table.").arg(reason));
            d->CancelButton->setEnabled(false);
            d->ApplyButton->setEnabled(true);
          });
}

void qSlicerMotionCorrectionModuleWidget::enter()
{
  this->Superclass::enter();
  this->updateSelectorFilters();
  this->updatePanelFromParameterNode();
  this->followActiveRun(); // e.g. one started from Python meanwhile
}

void qSlicerMotionCorrectionModuleWidget::followActiveRun()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  mc::MotionCorrectionTask* task = d->logic() ? d->logic()->GetActiveTask() : nullptr;
  if (task && d->Panel)
  {
    // Progress, status, live motion and the frames above the FD threshold in the panel.
    d->Panel->followTask(task);
  }
}

void qSlicerMotionCorrectionModuleWidget::setMRMLScene(vtkMRMLScene* scene)
{
  this->Superclass::setMRMLScene(scene);
  this->qvtkReconnect(scene, vtkMRMLScene::EndImportEvent, this, SLOT(updatePanelFromParameterNode()));
  // A sequence is added empty and filled afterwards (Add Data, the logic's loader, Python), so its
  // kind is only known once the current call returns: filter on the next turn of the event loop.
  this->qvtkReconnect(scene, vtkMRMLScene::NodeAddedEvent, this, SLOT(scheduleSelectorFilterUpdate()));
  this->qvtkReconnect(scene, vtkMRMLScene::EndImportEvent, this, SLOT(updateSelectorFilters()));
  this->updateSelectorFilters();
  this->updatePanelFromParameterNode();
}

void qSlicerMotionCorrectionModuleWidget::scheduleSelectorFilterUpdate()
{
  QTimer::singleShot(0, this, SLOT(updateSelectorFilters()));
}

void qSlicerMotionCorrectionModuleWidget::updateSelectorFilters()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  vtkMRMLScene* scene = this->mrmlScene();
  if (!scene || !d->InputNodeComboBox)
  {
    return;
  }
  // The selectors list node classes; a sequence's kind is its data node class. Input: volume
  // sequences only. Outputs: sequences of their own kind, or empty ones (new, not yet filled).
  QStringList notInput, notOutput, notTransforms;
  std::vector<vtkMRMLNode*> sequences;
  scene->GetNodesByClass("vtkMRMLSequenceNode", sequences);
  for (vtkMRMLNode* node : sequences)
  {
    vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(node);
    const QString id = QString::fromUtf8(node->GetID());
    const bool volumes = vtkSlicerMotionCorrectionLogic::IsVolumeSequence(sequence);
    const bool empty = sequence->GetNumberOfDataNodes() == 0;
    const std::string dataClass = sequence->GetDataNodeClassName();
    const bool transforms = dataClass.find("TransformNode") != std::string::npos;
    if (!volumes)
    {
      notInput << id;
    }
    if (!volumes && !empty)
    {
      notOutput << id;
    }
    if (!transforms && !empty)
    {
      notTransforms << id;
    }
  }
  d->InputNodeComboBox->sortFilterProxyModel()->setHiddenNodeIDs(notInput);
  d->OutputSequenceComboBox->sortFilterProxyModel()->setHiddenNodeIDs(notOutput);
  d->TransformSequenceComboBox->sortFilterProxyModel()->setHiddenNodeIDs(notTransforms);
}

void qSlicerMotionCorrectionModuleWidget::updatePanelFromParameterNode()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  vtkMRMLScriptedModuleNode* node = d->logic() && this->mrmlScene() ? d->logic()->GetParameterNode() : nullptr;
  if (!node || !d->Panel)
  {
    return;
  }
  QMap<QString, QString> values;
  for (const std::string& name : node->GetParameterNames())
  {
    values[QString::fromStdString(name)] = QString::fromStdString(node->GetParameter(name));
  }
  d->UpdatingPanel = true;
  d->Panel->setParameterValues(values);
  d->InputNodeComboBox->setCurrentNode(node->GetNodeReference("InputNode"));
  d->OutputSequenceComboBox->setCurrentNode(node->GetNodeReference("OutputSequence"));
  d->TransformSequenceComboBox->setCurrentNode(node->GetNodeReference("TransformSequence"));
  d->TableComboBox->setCurrentNode(node->GetNodeReference("MotionTable"));
  d->UpdatingPanel = false;
}

void qSlicerMotionCorrectionModuleWidget::updateParameterNodeFromPanel()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  if (d->UpdatingPanel || !this->mrmlScene() || !d->logic())
  {
    return;
  }
  vtkMRMLScriptedModuleNode* node = d->logic()->GetParameterNode();
  const QMap<QString, QString> values = d->Panel->parameterValues();
  const int wasModifying = node->StartModify();
  for (auto it = values.cbegin(); it != values.cend(); ++it)
  {
    // The logic runs on nodes: paths are not part of the scene's state.
    if (vtkSlicerMotionCorrectionParameters::IsPathParameter(it.key().toStdString()))
    {
      continue;
    }
    node->SetParameter(it.key().toStdString(), it.value().toStdString());
  }
  node->EndModify(wasModifying);
}

void qSlicerMotionCorrectionModuleWidget::onInputNodeChanged(vtkMRMLNode* node)
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  d->ApplyButton->setEnabled((node != nullptr || d->Panel->isLiveMode()) && !d->logic()->IsRunning());
  if (!d->UpdatingPanel && this->mrmlScene() && d->logic())
  {
    d->logic()->GetParameterNode()->SetNodeReferenceID("InputNode", node ? node->GetID() : nullptr);
  }
}

void qSlicerMotionCorrectionModuleWidget::onLoadRun()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  const QString path = QFileDialog::getOpenFileName(this, tr("Load a 4D run as a volume sequence"), QString(),
                                                    tr("4D images (*.nii.gz *.nii *.nrrd *.nhdr)"));
  if (path.isEmpty())
  {
    return;
  }
  vtkMRMLNode* sequence = d->logic()->LoadRunAsSequence(path.toUtf8().constData());
  if (!sequence)
  {
    d->Panel->showError(QString::fromStdString(d->logic()->GetLastError()));
    return;
  }
  d->InputNodeComboBox->setCurrentNode(sequence);
}

void qSlicerMotionCorrectionModuleWidget::onApply()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  if (d->Panel->isLiveMode())
  {
    // The scan's folder, not a node: the panel starts following (liveStarted above).
    if (!d->logic()->IsRunning() && !d->logic()->IsFollowing())
    {
      this->updateParameterNodeFromPanel();
      d->Panel->run();
    }
    return;
  }
  vtkMRMLNode* input = d->InputNodeComboBox->currentNode();
  if (!input || d->logic()->IsRunning())
  {
    return;
  }
  d->Panel->clearError();
  this->updateParameterNodeFromPanel();
  vtkMRMLScriptedModuleNode* node = d->logic()->GetParameterNode();
  // The chosen output nodes (none: the logic creates them).
  node->SetNodeReferenceID("OutputSequence", d->OutputSequenceComboBox->currentNodeID().toUtf8().constData());
  node->SetNodeReferenceID("TransformSequence", d->TransformSequenceComboBox->currentNodeID().toUtf8().constData());
  node->SetNodeReferenceID("MotionTable", d->TableComboBox->currentNodeID().toUtf8().constData());
  // Bad input or parameters: the logic says why and the scene is untouched.
  if (!d->logic()->StartRun(input))
  {
    d->Panel->showError(QString::fromStdString(d->logic()->GetLastError()));
    d->StatusLabel->clear();
    return;
  }
  this->followActiveRun();
  d->ApplyButton->setEnabled(false);
  d->CancelButton->setEnabled(true);
  d->StatusLabel->setText(tr("Running… the motion table and plots fill as frames finish."));
}

void qSlicerMotionCorrectionModuleWidget::onCancel()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  d->CancelButton->setEnabled(false);
  d->StatusLabel->setText(tr("Cancelling…"));
  d->logic()->Cancel();
}

void qSlicerMotionCorrectionModuleWidget::onRunEnded()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  // The logic has imported the results, or put the scene back (cancel, failure).
  const QString error = QString::fromStdString(d->logic()->GetLastError());
  if (d->logic()->GetLastRunSucceeded())
  {
    d->StatusLabel->setText(tr("Done: results are in the motion table, the transforms and the realigned run."));
  }
  else if (error == QLatin1String("cancelled"))
  {
    d->StatusLabel->setText(tr("Cancelled: the scene is as it was before Apply."));
  }
  else
  {
    d->StatusLabel->setText(tr("Failed: the scene is as it was before Apply."));
    d->Panel->showError(error);
  }
  this->updatePanelFromParameterNode(); // the output selectors show the nodes the run filled
  d->CancelButton->setEnabled(false);
  d->ApplyButton->setEnabled(d->InputNodeComboBox->currentNode() != nullptr);
}
