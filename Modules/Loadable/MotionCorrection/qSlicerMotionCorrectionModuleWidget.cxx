#include "qSlicerMotionCorrectionModuleWidget.h"
#include "ui_qSlicerMotionCorrectionModuleWidget.h"

#include "MotionCorrectionPanel.h"
#include "vtkSlicerMotionCorrectionLogic.h"

#include <qMRMLNodeComboBox.h>
#include <qMRMLSortFilterProxyModel.h>

#include <vtkMRMLScene.h>
#include <vtkMRMLScriptedModuleNode.h>
#include <vtkMRMLSequenceNode.h>

#include <QDir>
#include <QFileDialog>
#include <QMap>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

class qSlicerMotionCorrectionModuleWidgetPrivate : public Ui_qSlicerMotionCorrectionModuleWidget
{
public:
  vtkSlicerMotionCorrectionLogic* logic() const;

  qSlicerMotionCorrectionModuleWidget* q_ptr = nullptr;
  mc::MotionCorrectionPanel* Panel = nullptr;
  std::unique_ptr<QTemporaryDir> Scratch; // the engine's files of the current run
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
  connect(d->Panel, &mc::MotionCorrectionPanel::parametersChanged, this,
          &qSlicerMotionCorrectionModuleWidget::updateParameterNodeFromPanel);
  connect(d->Panel, &mc::MotionCorrectionPanel::taskStarted, this, &qSlicerMotionCorrectionModuleWidget::onTaskStarted);
  connect(d->Panel, &mc::MotionCorrectionPanel::runFinished, this, &qSlicerMotionCorrectionModuleWidget::onRunFinished);
  connect(d->Panel, &mc::MotionCorrectionPanel::runFailed, this, &qSlicerMotionCorrectionModuleWidget::onRunAborted);
  connect(d->Panel, &mc::MotionCorrectionPanel::runCancelled, this, &qSlicerMotionCorrectionModuleWidget::onRunAborted);
}

void qSlicerMotionCorrectionModuleWidget::enter()
{
  this->Superclass::enter();
  this->updateSelectorFilters();
  this->updatePanelFromParameterNode();
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
    // Paths are the engine's scratch files here, not part of the scene's state.
    if (it.key() == "input" || it.key() == "output" || it.key() == "mean" || it.key() == "params" ||
        it.key() == "confounds" || it.key() == "transforms")
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
  d->ApplyButton->setEnabled(node != nullptr && !d->Panel->isRunning());
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
  vtkMRMLNode* input = d->InputNodeComboBox->currentNode();
  if (!input || d->Panel->isRunning())
  {
    return;
  }
  d->Panel->clearError();
  vtkMRMLScriptedModuleNode* node = d->logic()->GetParameterNode();
  // The chosen output nodes (none: the logic creates them).
  node->SetNodeReferenceID("OutputSequence", d->OutputSequenceComboBox->currentNodeID().toUtf8().constData());
  node->SetNodeReferenceID("TransformSequence", d->TransformSequenceComboBox->currentNodeID().toUtf8().constData());
  node->SetNodeReferenceID("MotionTable", d->TableComboBox->currentNodeID().toUtf8().constData());

  d->Scratch.reset(new QTemporaryDir);
  const QDir dir(d->Scratch->path());
  const QString run = dir.filePath("run.nii.gz");
  if (!d->Scratch->isValid() || !d->logic()->WriteRun(input, run.toUtf8().constData()))
  {
    d->Panel->showError(QString::fromStdString(d->logic()->GetLastError()));
    d->Scratch.reset();
    return;
  }
  d->Panel->setInputPath(run);
  d->Panel->setParameterValues({ { "output", dir.filePath("rrun.nii.gz") },
                                 { "mean", QString() },
                                 { "params", dir.filePath("rp_run.txt") },
                                 { "confounds", dir.filePath("run_confounds.tsv") },
                                 { "transforms", QString() } });
  d->ApplyButton->setEnabled(false);
  d->Panel->run(); // errors (bad parameters) are shown in the panel
  if (!d->Panel->isRunning())
  {
    this->onRunEnded();
  }
}

void qSlicerMotionCorrectionModuleWidget::onTaskStarted(mc::MotionCorrectionTask* task)
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  d->logic()->BeginResults(0);
  d->logic()->FollowTask(task); // frames reach the table through queued signals
}

void qSlicerMotionCorrectionModuleWidget::onRunFinished(const QStringList& writtenPaths)
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  // The panel holds the engine's final parameters; the logic turns them into nodes.
  const QString realigned = d->Panel->parameterValues().value("output");
  std::vector<std::vector<double>> parameters;
  for (const mc::RigidParameters& p : d->Panel->finalParameters())
  {
    parameters.emplace_back(p.values.begin(), p.values.end());
  }
  const std::vector<double>& displacement = d->Panel->finalDisplacement();
  const QString realignedPath = writtenPaths.contains(realigned) ? realigned : QString();
  if (!d->logic()->ImportResults(parameters, displacement, realignedPath.toUtf8().constData(),
                                 d->logic()->GetWrittenRunRepetitionTime()))
  {
    d->Panel->showError(QString::fromStdString(d->logic()->GetLastError()));
  }
  this->onRunEnded();
}

void qSlicerMotionCorrectionModuleWidget::onRunAborted()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  // Cancelled or failed: the scene goes back to what it was before Apply (live rows and nodes the
  // run added are removed).
  d->logic()->DiscardResults();
  this->onRunEnded();
}

void qSlicerMotionCorrectionModuleWidget::onRunEnded()
{
  Q_D(qSlicerMotionCorrectionModuleWidget);
  d->Scratch.reset(); // the engine's files are in the scene now (or were never complete)
  d->ApplyButton->setEnabled(d->InputNodeComboBox->currentNode() != nullptr);
}
