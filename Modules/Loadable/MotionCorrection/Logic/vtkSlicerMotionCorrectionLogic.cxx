#include "vtkSlicerMotionCorrectionLogic.h"
#include "vtkSlicerMotionCorrectionLogicInternal.h"

#include "vtkSlicerMotionCorrectionOutputNodes.h"
#include "vtkSlicerMotionCorrectionParameters.h"
#include "vtkSlicerMotionCorrectionVolumeSeries.h"

// MotionCorrection
#include "ImageIO.h"

// Slicer
#include <vtkMRMLApplicationLogic.h>
#include <vtkMRMLPlotChartNode.h>
#include <vtkMRMLScalarVolumeNode.h>
#include <vtkMRMLScene.h>
#include <vtkMRMLScriptedModuleNode.h>
#include <vtkMRMLSelectionNode.h>
#include <vtkMRMLSequenceBrowserNode.h>
#include <vtkMRMLSequenceNode.h>
#include <vtkMRMLTableNode.h>
#include <vtkSlicerPlotsLogic.h>
#include <vtkSlicerSequencesLogic.h>

// VTK
#include <vtkIntArray.h>
#include <vtkNew.h>
#include <vtkObjectFactory.h>
#include <vtkSmartPointer.h>

// Qt
#include <QFileInfo>

#include <stdexcept>

namespace
{
using Conversion = vtkSlicerMotionCorrectionVolumeSeries;
using Parameters = vtkSlicerMotionCorrectionParameters;
} // namespace

vtkStandardNewMacro(vtkSlicerMotionCorrectionLogic);

vtkSlicerMotionCorrectionLogic::vtkSlicerMotionCorrectionLogic()
  : Internal(new vtkInternal)
{
}

vtkSlicerMotionCorrectionLogic::~vtkSlicerMotionCorrectionLogic()
{
  if (this->Internal->Task)
  {
    this->Internal->Task->disconnect(this->Internal->Receiver.get());
    this->Internal->Task->cancel();
  }
  this->Internal->OwnTaskReceiver.reset(); // no end handler runs on a half-destroyed logic
  this->Internal->OwnTask.reset();         // waits for its workers
  delete this->Internal;
}

void vtkSlicerMotionCorrectionLogic::PrintSelf(ostream& os, vtkIndent indent)
{
  this->Superclass::PrintSelf(os, indent);
  os << indent << "Running: " << (this->Internal->Task ? "yes" : "no") << "\n";
  os << indent << "PendingResults: " << (this->Internal->Before.IsPending() ? "yes" : "no") << "\n";
  os << indent << "LastError: " << this->Internal->LastError << "\n";
}

void vtkSlicerMotionCorrectionLogic::SetMRMLSceneInternal(vtkMRMLScene* newScene)
{
  vtkNew<vtkIntArray> events;
  events->InsertNextValue(vtkMRMLScene::EndBatchProcessEvent);
  this->SetAndObserveMRMLSceneEventsInternal(newScene, events.GetPointer());
  // A snapshot and a private Sequences logic belong to the previous scene.
  this->Internal->Before.Commit();
  this->Internal->OwnSequencesLogic = nullptr;
}

const char* vtkSlicerMotionCorrectionLogic::GetModuleNameForParameterNode()
{
  return Parameters::GetModuleName();
}

vtkMRMLScriptedModuleNode* vtkSlicerMotionCorrectionLogic::GetParameterNode()
{
  vtkMRMLScene* scene = this->GetMRMLScene();
  if (!scene)
  {
    return nullptr;
  }
  // One per scene, found by its singleton tag (it is saved with the scene). Slicer identifies a
  // module's parameter node by the "ModuleName" attribute (ScriptedLoadableModule, node selectors);
  // the SetModuleName member is no longer read, and a closed scene may drop the attribute.
  const char* moduleName = Parameters::GetModuleName();
  vtkMRMLScriptedModuleNode* existing =
    vtkMRMLScriptedModuleNode::SafeDownCast(scene->GetSingletonNode(moduleName, "vtkMRMLScriptedModuleNode"));
  if (existing)
  {
    if (!existing->GetAttribute("ModuleName") || std::string(existing->GetAttribute("ModuleName")) != moduleName)
    {
      existing->SetAttribute("ModuleName", moduleName);
    }
    // A scene saved by an earlier version: its settings under their table names.
    for (const auto& oldNew : Parameters::GetRenamedParameters())
    {
      const std::string value = existing->GetParameter(oldNew.first);
      if (!value.empty())
      {
        if (existing->GetParameter(oldNew.second).empty())
        {
          existing->SetParameter(oldNew.second, value);
        }
        existing->UnsetParameter(oldNew.first);
      }
    }
    return existing;
  }
  vtkNew<vtkMRMLScriptedModuleNode> node;
  node->SetAttribute("ModuleName", moduleName);
  node->SetName(scene->GenerateUniqueName("MotionCorrectionParameters").c_str());
  node->SetSingletonTag(moduleName);
  for (const auto& nameValue : Parameters::GetDefaults())
  {
    if (!nameValue.second.empty()) // the weight image: none
    {
      node->SetParameter(nameValue.first, nameValue.second);
    }
  }
  return vtkMRMLScriptedModuleNode::SafeDownCast(scene->AddNode(node));
}

std::string vtkSlicerMotionCorrectionLogic::GetParameterOrDefault(const std::string& name)
{
  // Reads without creating the parameter node: Run() must not change the scene before the input
  // and the parameters are known to be good.
  vtkMRMLScene* scene = this->GetMRMLScene();
  vtkMRMLScriptedModuleNode* node =
    scene ? vtkMRMLScriptedModuleNode::SafeDownCast(
              scene->GetSingletonNode(Parameters::GetModuleName(), "vtkMRMLScriptedModuleNode"))
          : nullptr;
  std::string value = node ? node->GetParameter(name) : std::string();
  for (const auto& oldNew : Parameters::GetRenamedParameters())
  {
    if (node && value.empty() && oldNew.second == name)
    {
      value = node->GetParameter(oldNew.first); // a scene of an earlier version, not renamed yet
    }
  }
  return value.empty() ? Parameters::GetDefault(name) : value;
}

bool vtkSlicerMotionCorrectionLogic::IsVolumeSequence(vtkMRMLNode* node)
{
  return Conversion::IsVolumeSequence(node);
}

int vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(const char* path)
{
  return path && *path ? mc::niftiFrameCount(path) : -1;
}

vtkMRMLNode* vtkSlicerMotionCorrectionLogic::GetOrCreateReferencedNode(const char* role, const char* className,
                                                                       const char* name)
{
  vtkMRMLScriptedModuleNode* parameters = this->GetParameterNode();
  if (!parameters)
  {
    return nullptr;
  }
  vtkMRMLNode* node = parameters->GetNodeReference(role);
  if (!node || !node->IsA(className))
  {
    node = this->GetMRMLScene()->AddNewNodeByClass(className, name);
    parameters->SetNodeReferenceID(role, node->GetID());
  }
  return node;
}

vtkMRMLSequenceNode* vtkSlicerMotionCorrectionLogic::GetOutputSequenceNode()
{
  return vtkMRMLSequenceNode::SafeDownCast(
    this->GetOrCreateReferencedNode("OutputSequence", "vtkMRMLSequenceNode", "Realigned run"));
}

vtkMRMLSequenceNode* vtkSlicerMotionCorrectionLogic::GetTransformSequenceNode()
{
  return vtkMRMLSequenceNode::SafeDownCast(
    this->GetOrCreateReferencedNode("TransformSequence", "vtkMRMLSequenceNode", "Head motion transforms"));
}

vtkMRMLTableNode* vtkSlicerMotionCorrectionLogic::GetMotionTableNode()
{
  vtkMRMLTableNode* table =
    vtkMRMLTableNode::SafeDownCast(this->GetOrCreateReferencedNode("MotionTable", "vtkMRMLTableNode", "Head motion"));
  if (table)
  {
    vtkSlicerMotionCorrectionMotionTable::SetUpColumns(table);
  }
  return table;
}

vtkMRMLPlotChartNode* vtkSlicerMotionCorrectionLogic::GetMotionChartNode()
{
  vtkMRMLPlotChartNode* chart = vtkMRMLPlotChartNode::SafeDownCast(
    this->GetOrCreateReferencedNode("MotionChart", "vtkMRMLPlotChartNode", "Head motion"));
  if (chart && chart->GetNumberOfPlotSeriesNodes() == 0)
  {
    vtkSlicerMotionCorrectionOutputNodes::SetUpMotionChart(this->GetMRMLScene(), chart, this->GetMotionTableNode());
  }
  return chart;
}

vtkMRMLScalarVolumeNode* vtkSlicerMotionCorrectionLogic::GetMeanVolumeNode()
{
  return vtkMRMLScalarVolumeNode::SafeDownCast(
    this->GetOrCreateReferencedNode("MeanVolume", "vtkMRMLScalarVolumeNode", "Mean image"));
}

vtkMRMLPlotChartNode* vtkSlicerMotionCorrectionLogic::GetDisplacementChartNode()
{
  vtkMRMLPlotChartNode* chart = vtkMRMLPlotChartNode::SafeDownCast(
    this->GetOrCreateReferencedNode("DisplacementChart", "vtkMRMLPlotChartNode", "Framewise displacement"));
  if (chart && chart->GetNumberOfPlotSeriesNodes() == 0)
  {
    vtkSlicerMotionCorrectionOutputNodes::SetUpDisplacementChart(this->GetMRMLScene(), chart,
                                                                 this->GetMotionTableNode());
  }
  return chart;
}

vtkMRMLSequenceBrowserNode* vtkSlicerMotionCorrectionLogic::GetSequenceBrowserNode(vtkMRMLSequenceNode* sequence)
{
  vtkMRMLScene* scene = this->GetMRMLScene();
  if (!scene || !sequence || !sequence->GetID())
  {
    return nullptr;
  }
  std::vector<vtkMRMLNode*> browsers;
  scene->GetNodesByClass("vtkMRMLSequenceBrowserNode", browsers);
  for (vtkMRMLNode* node : browsers)
  {
    vtkMRMLSequenceBrowserNode* browser = vtkMRMLSequenceBrowserNode::SafeDownCast(node);
    if (browser && browser->IsSynchronizedSequenceNodeID(sequence->GetID(), true))
    {
      return browser;
    }
  }
  return nullptr;
}

vtkMRMLSequenceBrowserNode* vtkSlicerMotionCorrectionLogic::ShowInBrowser(vtkMRMLSequenceNode* sequence,
                                                                          vtkMRMLSequenceNode* synchronized)
{
  vtkSlicerSequencesLogic* sequences = vtkSlicerSequencesLogic::SafeDownCast(this->GetModuleLogic("Sequences"));
  if (!sequences)
  {
    // No application (kit, tests, a bare scene): a Sequences logic of our own registers the browser
    // node class and makes the proxy nodes all the same.
    if (!this->Internal->OwnSequencesLogic)
    {
      this->Internal->OwnSequencesLogic = vtkSmartPointer<vtkSlicerSequencesLogic>::New();
      this->Internal->OwnSequencesLogic->SetMRMLScene(this->GetMRMLScene());
    }
    sequences = this->Internal->OwnSequencesLogic;
  }
  // A second run refills the same sequences: reuse their browser rather than adding one per run.
  vtkMRMLSequenceBrowserNode* browser = this->GetSequenceBrowserNode(sequence);
  if (!browser)
  {
    browser = vtkMRMLSequenceBrowserNode::SafeDownCast(this->GetMRMLScene()->AddNewNodeByClass(
      "vtkMRMLSequenceBrowserNode", (std::string(sequence->GetName()) + " browser").c_str()));
    browser->SetAndObserveMasterSequenceNodeID(sequence->GetID());
  }
  if (synchronized && !browser->IsSynchronizedSequenceNodeID(synchronized->GetID(), true))
  {
    browser->AddSynchronizedSequenceNodeID(synchronized->GetID());
  }
  sequences->UpdateProxyNodesFromSequences(browser);
  return browser;
}

vtkMRMLSequenceNode* vtkSlicerMotionCorrectionLogic::LoadRunAsSequence(const char* path)
{
  this->Internal->LastError.clear();
  if (!this->GetMRMLScene())
  {
    this->Internal->LastError = "LoadRunAsSequence: the logic has no scene";
    return nullptr;
  }
  if (!path || !*path)
  {
    this->Internal->LastError = "LoadRunAsSequence: no file name given";
    return nullptr;
  }
  mc::VolumeSeries run;
  try
  {
    // Read completely before touching the scene: a bad file adds nothing.
    run = mc::readVolumeSeries(path);
  }
  catch (const std::exception& e)
  {
    this->Internal->LastError = e.what();
    vtkErrorMacro(<< e.what());
    return nullptr;
  }
  if (run.frameCount < 2)
  {
    this->Internal->LastError = std::string(path) + ": has 1 frame, a run needs at least 2";
    return nullptr;
  }
  // "sub-01_bold.nii.gz" -> "sub-01_bold"
  const std::string name = QFileInfo(QString::fromUtf8(path)).fileName().section('.', 0, 0).toStdString();
  vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(this->GetMRMLScene()->AddNewNodeByClass(
    "vtkMRMLSequenceNode", this->GetMRMLScene()->GenerateUniqueName(name).c_str()));
  Conversion::FillSequence(run, sequence);
  vtkMRMLSequenceBrowserNode* browser = this->ShowInBrowser(sequence);
  // Show it as Slicer's own sequence reader does: the proxy volume becomes the active one.
  vtkMRMLApplicationLogic* appLogic = this->GetMRMLApplicationLogic();
  vtkMRMLNode* proxy = browser ? browser->GetProxyNode(sequence) : nullptr;
  if (appLogic && appLogic->GetSelectionNode() && proxy)
  {
    appLogic->GetSelectionNode()->SetActiveVolumeID(proxy->GetID());
    appLogic->PropagateVolumeSelection();
  }
  return sequence;
}

bool vtkSlicerMotionCorrectionLogic::ValidateInput(vtkMRMLNode* input)
{
  this->Internal->LastError = Conversion::CheckInput(input);
  return this->Internal->LastError.empty();
}

bool vtkSlicerMotionCorrectionLogic::WriteRun(vtkMRMLNode* input, const char* path)
{
  if (!this->ValidateInput(input))
  {
    return false;
  }
  if (!path || !*path)
  {
    this->Internal->LastError = "WriteRun: no file name given";
    return false;
  }
  mc::VolumeSeries run;
  if (!Conversion::ToVolumeSeries(input, run, this->Internal->LastError))
  {
    return false;
  }
  try
  {
    mc::writeVolumeSeries(path, run);
  }
  catch (const std::exception& e)
  {
    this->Internal->LastError = e.what();
    vtkErrorMacro(<< e.what());
    return false;
  }
  this->Internal->RepetitionTime = run.repetitionTime;
  return true;
}

double vtkSlicerMotionCorrectionLogic::GetWrittenRunRepetitionTime()
{
  return this->Internal->RepetitionTime;
}

void vtkSlicerMotionCorrectionLogic::BeginTransaction()
{
  this->Internal->Before.Take(this->GetMRMLScene());
}

bool vtkSlicerMotionCorrectionLogic::HasPendingResults()
{
  return this->Internal->Before.IsPending();
}

void vtkSlicerMotionCorrectionLogic::DiscardResults()
{
  this->StopFollowingTask();
  this->Internal->Before.Restore(this->GetMRMLScene());
  this->Internal->Motion.Clear();
}

void vtkSlicerMotionCorrectionLogic::BeginResults(int frames)
{
  if (!this->GetMRMLScene())
  {
    return;
  }
  this->BeginTransaction();
  vtkMRMLTableNode* table = this->GetMotionTableNode();
  if (!table)
  {
    return;
  }
  this->Internal->Motion.Reset(table, frames);
  this->GetDisplacementChartNode();
  vtkSlicerPlotsLogic* plots = vtkSlicerPlotsLogic::SafeDownCast(this->GetModuleLogic("Plots"));
  if (plots)
  {
    plots->ShowChartInLayout(this->GetMotionChartNode());
  }
  else
  {
    this->GetMotionChartNode();
  }
  // Everything since BeginTransaction ran synchronously, so every node new since then is ours.
  this->Internal->Before.MarkAddedSince(this->GetMRMLScene());
}

void vtkSlicerMotionCorrectionLogic::SetFrameParameters(int frame, const double parameters[6])
{
  if (vtkMRMLTableNode* table = this->GetMotionTableNode())
  {
    this->Internal->Motion.SetFrameParameters(table, frame, parameters);
  }
}

void vtkSlicerMotionCorrectionLogic::FollowTask(mc::MotionCorrectionTask* task)
{
  this->StopFollowingTask();
  if (!task)
  {
    return;
  }
  this->Internal->Task = task;
  this->Internal->Receiver.reset(new QObject);
  QObject::connect(task, &mc::MotionCorrectionTask::frameEstimated, this->Internal->Receiver.get(),
                   [this](const mc::FrameResult& r) { this->SetFrameParameters(r.frame, r.parameters); },
                   Qt::QueuedConnection);
}

void vtkSlicerMotionCorrectionLogic::StopFollowingTask()
{
  // Deleting the receiver also drops the frame results still queued for it.
  this->Internal->Receiver.reset();
  this->Internal->Task = nullptr;
}
