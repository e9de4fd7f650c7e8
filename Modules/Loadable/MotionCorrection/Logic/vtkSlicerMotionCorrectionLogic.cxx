#include "vtkSlicerMotionCorrectionLogic.h"

// MotionCorrection (shared with the standalone build)
#include "ImageIO.h"
#include "ImageIO.h"
#include "JobParameters.h"
#include "MotionCorrectionTask.h"
#include "MotionMetrics.h"
#include "RigidTransform.h"

// Slicer
#include <vtkMRMLApplicationLogic.h>
#include <vtkMRMLLinearTransformNode.h>
#include <vtkMRMLPlotChartNode.h>
#include <vtkMRMLPlotSeriesNode.h>
#include <vtkMRMLScalarVolumeNode.h>
#include <vtkMRMLScene.h>
#include <vtkMRMLScriptedModuleNode.h>
#include <vtkMRMLSelectionNode.h>
#include <vtkMRMLSequenceBrowserNode.h>
#include <vtkMRMLSequenceNode.h>
#include <vtkMRMLStorageNode.h>
#include <vtkMRMLTableNode.h>
#include <vtkSlicerPlotsLogic.h>
#include <vtkSlicerSequencesLogic.h>

// VTK
#include <vtkDataArray.h>
#include <vtkDoubleArray.h>
#include <vtkImageData.h>
#include <vtkIntArray.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkObjectFactory.h>
#include <vtkPointData.h>
#include <vtkSmartPointer.h>
#include <vtkTable.h>

// Qt
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QObject>
#include <QPointer>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

namespace
{
const char* kModuleName = "MotionCorrection";
const char* kColumns[8] = { "frame", "trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z",
                            "framewise_displacement" };
// Node references of the parameter node that a run may change (restored on cancel).
const char* kRoles[] = { "InputNode", "OutputSequence", "TransformSequence", "MotionTable", "MotionChart",
                         "DisplacementChart" };
const double kDegreesPerRadian = 180.0 / M_PI;

void toVtkMatrix(const mc::Matrix4& m, vtkMatrix4x4* out)
{
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      out->SetElement(r, c, m(r, c));
}

mc::Matrix4 fromVtkMatrix(vtkMatrix4x4* in)
{
  mc::Matrix4 m;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      m(r, c) = in->GetElement(r, c);
  return m;
}

// Index values are strings; 10 significant digits keep t * TR exact for any realistic run length
// (vtkVariant's default 6 would round 1007.28 s after 1399 frames of 0.72 s).
std::string indexValue(double value)
{
  char text[64];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

std::string nodeLabel(vtkMRMLNode* node)
{
  if (node->GetName() && *node->GetName())
  {
    return std::string("\"") + node->GetName() + "\"";
  }
  return std::string("node ") + (node->GetID() ? node->GetID() : "(not in a scene)");
}

// Label maps, vectors and tensors derive from vtkMRMLScalarVolumeNode but are not intensity runs.
bool isPlainScalarVolume(vtkMRMLNode* node)
{
  return node && node->IsA("vtkMRMLScalarVolumeNode") && !node->IsA("vtkMRMLLabelMapVolumeNode") &&
         !node->IsA("vtkMRMLTensorVolumeNode");
}

mc::ImageGeometry geometryOf(vtkMRMLScalarVolumeNode* volume)
{
  mc::ImageGeometry g;
  int dims[3];
  volume->GetImageData()->GetDimensions(dims);
  g.size = { dims[0], dims[1], dims[2] };
  vtkNew<vtkMatrix4x4> ijkToRas;
  volume->GetIJKToRASMatrix(ijkToRas);
  g.voxelToWorld = fromVtkMatrix(ijkToRas);
  return g;
}

// The parameters a new parameter node starts with: SPM12's defaults through the same name map as
// the CLI and the panel, plus the backend choice.
std::vector<std::pair<std::string, std::string>> defaultParameters()
{
  std::vector<std::pair<std::string, std::string>> defaults;
  for (const auto& nameValue : mc::jobParameters(mc::JobSpec{}))
  {
    if (!nameValue.second.empty())
    {
      defaults.emplace_back(nameValue.first, nameValue.second);
    }
  }
  defaults.emplace_back("backend", "threads");
  defaults.emplace_back("ranks", "2");
  return defaults;
}
} // namespace

class vtkSlicerMotionCorrectionLogic::vtkInternal
{
public:
  // Lives on the main thread: queued signals from the engine are delivered here. One per followed
  // task: deleting it drops the frames still queued, so none lands after the run ended.
  std::unique_ptr<QObject> Receiver;
  QPointer<mc::MotionCorrectionTask> Task;
  std::vector<int> RowOfFrame; // -1: not in the table yet
  std::vector<mc::RigidParameters> Parameters;
  std::string LastError;
  double RepetitionTime = 0; // of the run WriteRun wrote last
  // Used where no application logic gives the Sequences module's (the kit, tests, batch scripts).
  vtkSmartPointer<vtkSlicerSequencesLogic> OwnSequencesLogic;

  // What the scene looked like at BeginResults, to put it back on cancel or failure.
  struct Snapshot
  {
    bool Pending = false;
    std::set<std::string> NodeIDs;   // at BeginTransaction
    bool AddedKnown = false;
    std::vector<std::string> Added;  // by the logic itself, in BeginResults (not others' nodes)
    std::string ParameterNodeID;
    std::map<std::string, std::string> References; // role -> node ID ("" for none)
    std::string TableNodeID;
    vtkSmartPointer<vtkTable> Table;
  } Before;
};

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
  delete this->Internal;
}

void vtkSlicerMotionCorrectionLogic::PrintSelf(ostream& os, vtkIndent indent)
{
  this->Superclass::PrintSelf(os, indent);
  os << indent << "Running: " << (this->Internal->Task ? "yes" : "no") << "\n";
  os << indent << "PendingResults: " << (this->Internal->Before.Pending ? "yes" : "no") << "\n";
  os << indent << "LastError: " << this->Internal->LastError << "\n";
}

void vtkSlicerMotionCorrectionLogic::SetMRMLSceneInternal(vtkMRMLScene* newScene)
{
  vtkNew<vtkIntArray> events;
  events->InsertNextValue(vtkMRMLScene::EndBatchProcessEvent);
  this->SetAndObserveMRMLSceneEventsInternal(newScene, events.GetPointer());
  // A snapshot and a private Sequences logic belong to the previous scene.
  this->Internal->Before = vtkInternal::Snapshot();
  this->Internal->OwnSequencesLogic = nullptr;
}

const char* vtkSlicerMotionCorrectionLogic::GetModuleNameForParameterNode()
{
  return kModuleName;
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
  vtkMRMLScriptedModuleNode* existing =
    vtkMRMLScriptedModuleNode::SafeDownCast(scene->GetSingletonNode(kModuleName, "vtkMRMLScriptedModuleNode"));
  if (existing)
  {
    if (!existing->GetAttribute("ModuleName") || std::string(existing->GetAttribute("ModuleName")) != kModuleName)
    {
      existing->SetAttribute("ModuleName", kModuleName);
    }
    return existing;
  }
  vtkNew<vtkMRMLScriptedModuleNode> node;
  node->SetAttribute("ModuleName", kModuleName);
  node->SetName(scene->GenerateUniqueName("MotionCorrectionParameters").c_str());
  node->SetSingletonTag(kModuleName);
  for (const auto& nameValue : defaultParameters())
  {
    node->SetParameter(nameValue.first, nameValue.second);
  }
  return vtkMRMLScriptedModuleNode::SafeDownCast(scene->AddNode(node));
}

std::string vtkSlicerMotionCorrectionLogic::GetParameterOrDefault(const std::string& name)
{
  // Reads without creating the parameter node: Run() must not change the scene before the input
  // and the parameters are known to be good.
  vtkMRMLScene* scene = this->GetMRMLScene();
  vtkMRMLScriptedModuleNode* node = scene ? vtkMRMLScriptedModuleNode::SafeDownCast(
                                              scene->GetSingletonNode(kModuleName, "vtkMRMLScriptedModuleNode"))
                                          : nullptr;
  if (node)
  {
    const std::string value = node->GetParameter(name);
    if (!value.empty())
    {
      return value;
    }
  }
  for (const auto& nameValue : defaultParameters())
  {
    if (nameValue.first == name)
    {
      return nameValue.second;
    }
  }
  return std::string();
}

bool vtkSlicerMotionCorrectionLogic::IsVolumeSequence(vtkMRMLNode* node)
{
  vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(node);
  if (!sequence || sequence->GetNumberOfDataNodes() == 0)
  {
    return false;
  }
  const std::string dataClass = sequence->GetDataNodeClassName();
  if (dataClass == "vtkMRMLScalarVolumeNode")
  {
    return true;
  }
  // A subclass registered elsewhere: decide on the item itself.
  return !dataClass.empty() && isPlainScalarVolume(sequence->GetNthDataNode(0));
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
  if (!table)
  {
    return nullptr;
  }
  // A table chosen by the user may hold other columns: it becomes a motion table (the snapshot of
  // BeginResults gives the old contents back if the run does not complete).
  bool ours = table->GetNumberOfColumns() == 8;
  for (int c = 0; ours && c < 8; ++c)
  {
    ours = table->GetColumnName(c) == kColumns[c];
  }
  if (!ours)
  {
    table->RemoveAllColumns();
    vtkNew<vtkIntArray> frame;
    frame->SetName(kColumns[0]);
    table->AddColumn(frame);
    for (int c = 1; c < 8; ++c)
    {
      vtkNew<vtkDoubleArray> column;
      column->SetName(kColumns[c]);
      table->AddColumn(column);
    }
    // Every column gets a property, in column order: the table's schema file lists only columns
    // with properties, and Slicer's table reader appends unlisted ones at the end as text (the
    // frame column would come back last, as strings).
    const char* descriptions[8] = { "frame number (0: first)", "translation along x (RAS)", "translation along y",
                                    "translation along z", "rotation about x (pitch)", "rotation about y (roll)",
                                    "rotation about z (yaw)",
                                    "framewise displacement, Power et al. 2012 (rotations on a 50 mm sphere)" };
    for (int c = 0; c < 8; ++c)
    {
      table->SetColumnDescription(kColumns[c], descriptions[c]);
      if (c > 0)
      {
        table->SetColumnUnitLabel(kColumns[c], c >= 4 && c <= 6 ? "deg" : "mm");
      }
    }
  }
  return table;
}

vtkMRMLPlotChartNode* vtkSlicerMotionCorrectionLogic::GetMotionChartNode()
{
  vtkMRMLPlotChartNode* chart = vtkMRMLPlotChartNode::SafeDownCast(
    this->GetOrCreateReferencedNode("MotionChart", "vtkMRMLPlotChartNode", "Head motion"));
  if (chart && chart->GetNumberOfPlotSeriesNodes() == 0)
  {
    const double colours[3][3] = { { 0.84, 0.15, 0.16 }, { 0.17, 0.63, 0.17 }, { 0.12, 0.47, 0.71 } };
    for (int c = 1; c <= 6; ++c)
    {
      vtkMRMLPlotSeriesNode* series = vtkMRMLPlotSeriesNode::SafeDownCast(
        this->GetMRMLScene()->AddNewNodeByClass("vtkMRMLPlotSeriesNode", kColumns[c]));
      series->SetAndObserveTableNodeID(this->GetMotionTableNode()->GetID());
      series->SetXColumnName(kColumns[0]);
      series->SetYColumnName(kColumns[c]);
      series->SetPlotType(vtkMRMLPlotSeriesNode::PlotTypeScatter);
      series->SetMarkerStyle(vtkMRMLPlotSeriesNode::MarkerStyleNone);
      series->SetLineStyle(c <= 3 ? vtkMRMLPlotSeriesNode::LineStyleSolid : vtkMRMLPlotSeriesNode::LineStyleDash);
      series->SetColor(colours[(c - 1) % 3][0], colours[(c - 1) % 3][1], colours[(c - 1) % 3][2]);
      chart->AddAndObservePlotSeriesNodeID(series->GetID());
    }
    chart->SetTitle("Head motion (translations mm, solid; rotations degrees, dashed)");
    chart->SetXAxisTitle("frame");
    chart->SetYAxisTitle("mm / degrees");
  }
  return chart;
}

vtkMRMLPlotChartNode* vtkSlicerMotionCorrectionLogic::GetDisplacementChartNode()
{
  vtkMRMLPlotChartNode* chart = vtkMRMLPlotChartNode::SafeDownCast(
    this->GetOrCreateReferencedNode("DisplacementChart", "vtkMRMLPlotChartNode", "Framewise displacement"));
  if (chart && chart->GetNumberOfPlotSeriesNodes() == 0)
  {
    vtkMRMLPlotSeriesNode* series = vtkMRMLPlotSeriesNode::SafeDownCast(
      this->GetMRMLScene()->AddNewNodeByClass("vtkMRMLPlotSeriesNode", "FD"));
    series->SetAndObserveTableNodeID(this->GetMotionTableNode()->GetID());
    series->SetXColumnName(kColumns[0]);
    series->SetYColumnName(kColumns[7]);
    series->SetPlotType(vtkMRMLPlotSeriesNode::PlotTypeScatter);
    series->SetMarkerStyle(vtkMRMLPlotSeriesNode::MarkerStyleCircle);
    series->SetColor(0.25, 0.25, 0.25);
    chart->AddAndObservePlotSeriesNodeID(series->GetID());
    chart->SetTitle("Framewise displacement");
    chart->SetXAxisTitle("frame");
    chart->SetYAxisTitle("mm");
  }
  return chart;
}

vtkMRMLSequenceNode* vtkSlicerMotionCorrectionLogic::FillVolumeSequence(const mc::VolumeSeries& run,
                                                                        vtkMRMLSequenceNode* sequence,
                                                                        const char* name)
{
  if (!sequence)
  {
    sequence = vtkMRMLSequenceNode::SafeDownCast(this->GetMRMLScene()->AddNewNodeByClass("vtkMRMLSequenceNode", name));
  }
  const int wasModifying = sequence->StartModify();
  sequence->RemoveAllDataNodes();
  sequence->SetIndexName("time");
  sequence->SetIndexUnit(run.repetitionTime > 0 ? "s" : "frame");
  sequence->SetIndexType(vtkMRMLSequenceNode::NumericIndex);
  vtkNew<vtkMatrix4x4> ijkToRas;
  toVtkMatrix(run.geometry.voxelToWorld, ijkToRas);
  const auto& n = run.geometry.size;
  for (int t = 0; t < run.frameCount; ++t)
  {
    vtkNew<vtkImageData> image;
    image->SetDimensions(n[0], n[1], n[2]);
    image->AllocateScalars(VTK_FLOAT, 1);
    std::memcpy(image->GetScalarPointer(), run.frame(t), run.frameSize() * sizeof(float));
    vtkNew<vtkMRMLScalarVolumeNode> volume;
    volume->SetName((std::string(sequence->GetName() ? sequence->GetName() : "frame") + " " + std::to_string(t)).c_str());
    volume->SetIJKToRASMatrix(ijkToRas);
    volume->SetAndObserveImageData(image);
    sequence->SetDataNodeAtValue(volume, indexValue(run.repetitionTime > 0 ? t * run.repetitionTime : t));
  }
  sequence->EndModify(wasModifying);
  return sequence;
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
  vtkMRMLSequenceNode* sequence =
    this->FillVolumeSequence(run, nullptr, this->GetMRMLScene()->GenerateUniqueName(name).c_str());
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
  this->Internal->LastError.clear();
  if (!input)
  {
    this->Internal->LastError = "no input node given: expected a volume sequence or a multivolume";
    return false;
  }
  const std::string label = "input " + nodeLabel(input);
  if (vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(input))
  {
    const int frames = sequence->GetNumberOfDataNodes();
    if (frames == 0)
    {
      this->Internal->LastError = label + ": the sequence is empty, expected a volume sequence of at least 2 frames";
      return false;
    }
    if (!IsVolumeSequence(sequence))
    {
      this->Internal->LastError = label + ": is a sequence of " + sequence->GetDataNodeClassName() +
                                  ", expected a sequence of scalar volumes";
      return false;
    }
    if (frames < 2)
    {
      this->Internal->LastError = label + ": has 1 frame, a run needs at least 2";
      return false;
    }
    mc::ImageGeometry first;
    for (int t = 0; t < frames; ++t)
    {
      vtkMRMLScalarVolumeNode* volume = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t));
      if (!isPlainScalarVolume(volume) || !volume->GetImageData())
      {
        this->Internal->LastError = label + ": item " + std::to_string(t) + " is not a scalar volume with voxels";
        return false;
      }
      if (t == 0)
      {
        first = geometryOf(volume);
      }
      else if (!geometryOf(volume).sameGridAs(first))
      {
        this->Internal->LastError = label + ": item " + std::to_string(t) + " is not on the grid of the first one";
        return false;
      }
    }
    return true;
  }
  if (isPlainScalarVolume(input))
  {
    vtkImageData* image = vtkMRMLScalarVolumeNode::SafeDownCast(input)->GetImageData();
    if (!image)
    {
      this->Internal->LastError = label + ": the volume has no voxels";
      return false;
    }
    if (image->GetNumberOfScalarComponents() < 2)
    {
      this->Internal->LastError =
        label + ": is a single 3D volume, expected a volume sequence or a multivolume of at least 2 frames";
      return false;
    }
    return true;
  }
  this->Internal->LastError =
    label + ": is a " + input->GetClassName() + ", expected a volume sequence or a multivolume";
  return false;
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
  auto readFrame = [&](vtkImageData* image, int component, int t) {
    vtkDataArray* scalars = image->GetPointData()->GetScalars();
    float* out = run.frame(t);
    for (vtkIdType i = 0; i < static_cast<vtkIdType>(run.frameSize()); ++i)
    {
      out[i] = static_cast<float>(scalars->GetComponent(i, component));
    }
  };
  try
  {
    if (vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(input))
    {
      const int frames = sequence->GetNumberOfDataNodes();
      for (int t = 0; t < frames; ++t)
      {
        vtkMRMLScalarVolumeNode* volume = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t));
        if (t == 0)
        {
          run.allocate(geometryOf(volume), frames);
        }
        readFrame(volume->GetImageData(), 0, t);
      }
      // Frame times in seconds give the TR; the index may be any numbers (frame numbers, text).
      if (std::string(sequence->GetIndexUnit()) == "s")
      {
        try
        {
          run.repetitionTime = std::stod(sequence->GetNthIndexValue(1)) - std::stod(sequence->GetNthIndexValue(0));
        }
        catch (const std::exception&)
        {
          run.repetitionTime = 0;
        }
        if (!(run.repetitionTime > 0))
        {
          run.repetitionTime = 0;
        }
      }
    }
    else
    {
      // A multivolume keeps its frames as the scalar components of one image.
      vtkMRMLScalarVolumeNode* multiVolume = vtkMRMLScalarVolumeNode::SafeDownCast(input);
      vtkImageData* image = multiVolume->GetImageData();
      run.allocate(geometryOf(multiVolume), image->GetNumberOfScalarComponents());
      for (int t = 0; t < run.frameCount; ++t)
      {
        readFrame(image, t, t);
      }
    }
    mc::writeVolumeSeries(path, run);
    this->Internal->RepetitionTime = run.repetitionTime;
    return true;
  }
  catch (const std::exception& e)
  {
    this->Internal->LastError = e.what();
    vtkErrorMacro(<< e.what());
    return false;
  }
}

double vtkSlicerMotionCorrectionLogic::GetWrittenRunRepetitionTime()
{
  return this->Internal->RepetitionTime;
}

void vtkSlicerMotionCorrectionLogic::BeginTransaction()
{
  vtkInternal::Snapshot& before = this->Internal->Before;
  if (before.Pending)
  {
    return;
  }
  before = vtkInternal::Snapshot();
  before.Pending = true;
  vtkMRMLScene* scene = this->GetMRMLScene();
  for (int i = 0; i < scene->GetNumberOfNodes(); ++i)
  {
    vtkMRMLNode* node = scene->GetNthNode(i);
    if (node && node->GetID())
    {
      before.NodeIDs.insert(node->GetID());
    }
  }
  vtkMRMLScriptedModuleNode* parameters =
    vtkMRMLScriptedModuleNode::SafeDownCast(scene->GetSingletonNode(kModuleName, "vtkMRMLScriptedModuleNode"));
  if (parameters)
  {
    before.ParameterNodeID = parameters->GetID();
    for (const char* role : kRoles)
    {
      const char* id = parameters->GetNodeReferenceID(role);
      before.References[role] = id ? id : "";
    }
    vtkMRMLTableNode* table = vtkMRMLTableNode::SafeDownCast(parameters->GetNodeReference("MotionTable"));
    if (table && table->GetTable())
    {
      before.TableNodeID = table->GetID();
      before.Table = vtkSmartPointer<vtkTable>::New();
      before.Table->DeepCopy(table->GetTable());
    }
  }
}

bool vtkSlicerMotionCorrectionLogic::HasPendingResults()
{
  return this->Internal->Before.Pending;
}

void vtkSlicerMotionCorrectionLogic::DiscardResults()
{
  this->StopFollowingTask();
  vtkInternal::Snapshot before = this->Internal->Before;
  this->Internal->Before = vtkInternal::Snapshot();
  vtkMRMLScene* scene = this->GetMRMLScene();
  if (!before.Pending || !scene)
  {
    return;
  }
  // The parameter node's references first, so that removing the new nodes below does not leave
  // references to removed nodes.
  if (vtkMRMLScriptedModuleNode* parameters =
        vtkMRMLScriptedModuleNode::SafeDownCast(scene->GetNodeByID(before.ParameterNodeID.c_str())))
  {
    const int wasModifying = parameters->StartModify();
    for (const auto& roleID : before.References)
    {
      parameters->SetNodeReferenceID(roleID.first.c_str(), roleID.second.empty() ? nullptr : roleID.second.c_str());
    }
    parameters->EndModify(wasModifying);
  }
  if (vtkMRMLTableNode* table = vtkMRMLTableNode::SafeDownCast(scene->GetNodeByID(before.TableNodeID.c_str())))
  {
    table->GetTable()->DeepCopy(before.Table);
    table->GetTable()->Modified(); // the table node and the plots follow
  }
  // The nodes this run added (table, charts, series, parameter node), newest first: series before
  // their charts. Nodes others added meanwhile (the user keeps working during a run) stay.
  for (auto it = before.Added.rbegin(); it != before.Added.rend(); ++it)
  {
    if (vtkMRMLNode* node = scene->GetNodeByID(it->c_str()))
    {
      scene->RemoveNode(node);
    }
  }
  this->Internal->RowOfFrame.clear();
  this->Internal->Parameters.clear();
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
  table->GetTable()->SetNumberOfRows(0);
  table->GetTable()->Modified();
  this->Internal->RowOfFrame.assign(static_cast<size_t>(std::max(frames, 0)), -1);
  this->Internal->Parameters.assign(static_cast<size_t>(std::max(frames, 0)), mc::RigidParameters{});
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
  vtkInternal::Snapshot& before = this->Internal->Before;
  if (!before.AddedKnown)
  {
    vtkMRMLScene* scene = this->GetMRMLScene();
    for (int i = 0; i < scene->GetNumberOfNodes(); ++i)
    {
      vtkMRMLNode* node = scene->GetNthNode(i);
      if (node && node->GetID() && !before.NodeIDs.count(node->GetID()))
      {
        before.Added.push_back(node->GetID());
      }
    }
    before.AddedKnown = true;
  }
}

void vtkSlicerMotionCorrectionLogic::SetFrameParameters(int frame, const double parameters[6])
{
  vtkMRMLTableNode* tableNode = this->GetMotionTableNode();
  if (!tableNode || frame < 0)
  {
    return;
  }
  vtkTable* table = tableNode->GetTable();
  auto& rows = this->Internal->RowOfFrame;
  if (frame >= static_cast<int>(rows.size()))
  {
    rows.resize(static_cast<size_t>(frame) + 1, -1);
    this->Internal->Parameters.resize(static_cast<size_t>(frame) + 1);
  }
  for (int i = 0; i < 6; ++i)
  {
    this->Internal->Parameters[frame][i] = parameters[i];
  }
  int row = rows[frame];
  if (row < 0)
  {
    // Append, keeping rows sorted by frame (threads finish out of order): later frames move down.
    row = static_cast<int>(table->InsertNextBlankRow());
    while (row > 0 && table->GetValue(row - 1, 0).ToInt() > frame)
    {
      for (int c = 0; c < 8; ++c)
      {
        table->SetValue(row, c, table->GetValue(row - 1, c));
      }
      rows[table->GetValue(row, 0).ToInt()] = row;
      --row;
    }
    rows[frame] = row;
  }
  table->SetValue(row, 0, vtkVariant(frame));
  for (int i = 0; i < 3; ++i)
  {
    table->SetValue(row, 1 + i, vtkVariant(parameters[i]));
    table->SetValue(row, 4 + i, vtkVariant(parameters[3 + i] * kDegreesPerRadian));
  }
  this->UpdateDisplacementColumn(row);
  if (row + 1 < table->GetNumberOfRows())
  {
    this->UpdateDisplacementColumn(row + 1);
  }
  table->Modified(); // the table node re-emits it: the plot series and charts redraw
}

void vtkSlicerMotionCorrectionLogic::UpdateDisplacementColumn(int row)
{
  vtkTable* table = this->GetMotionTableNode()->GetTable();
  const int frame = table->GetValue(row, 0).ToInt();
  const auto& rows = this->Internal->RowOfFrame;
  double fd = 0;
  if (frame > 0 && rows[frame - 1] >= 0)
  {
    fd = mc::framewiseDisplacement({ this->Internal->Parameters[frame - 1], this->Internal->Parameters[frame] })[1];
  }
  else if (frame > 0)
  {
    fd = std::nan("");
  }
  table->SetValue(row, 7, vtkVariant(fd));
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

bool vtkSlicerMotionCorrectionLogic::ImportResults(const std::vector<std::vector<double>>& parameters,
                                                   const std::vector<double>& displacement,
                                                   const char* realignedPath, double repetitionTime)
{
  this->StopFollowingTask(); // the final parameters replace the live ones
  if (!this->GetMRMLScene())
  {
    this->Internal->LastError = "ImportResults: the logic has no scene";
    return false;
  }
  // Everything that can fail first, so that a failure leaves the scene as before the run.
  mc::VolumeSeries realigned;
  if (realignedPath && *realignedPath)
  {
    try
    {
      realigned = mc::readVolumeSeries(realignedPath);
    }
    catch (const std::exception& e)
    {
      this->Internal->LastError = e.what();
      this->DiscardResults();
      return false;
    }
    if (realigned.frameCount != static_cast<int>(parameters.size()))
    {
      this->Internal->LastError = std::string(realignedPath) + ": has " + std::to_string(realigned.frameCount) +
                                  " frames, the motion parameters " + std::to_string(parameters.size());
      this->DiscardResults();
      return false;
    }
    if (repetitionTime > 0)
    {
      realigned.repetitionTime = repetitionTime; // index values as the input's
    }
  }

  vtkMRMLTableNode* tableNode = this->GetMotionTableNode();
  this->BeginResults(static_cast<int>(parameters.size()));
  for (size_t j = 0; j < parameters.size(); ++j)
  {
    double p[6] = { 0, 0, 0, 0, 0, 0 };
    for (size_t i = 0; i < 6 && i < parameters[j].size(); ++i)
    {
      p[i] = parameters[j][i];
    }
    this->SetFrameParameters(static_cast<int>(j), p);
  }
  // The engine's FD is authoritative (it is what the confounds file holds).
  for (size_t j = 0; j < displacement.size() && j < parameters.size(); ++j)
  {
    tableNode->GetTable()->SetValue(static_cast<vtkIdType>(j), 7, vtkVariant(displacement[j]));
  }
  tableNode->GetTable()->Modified();

  // Each frame's motion as a linear transform (to parent = frame to reference, world RAS mm).
  vtkMRMLSequenceNode* transforms = this->GetTransformSequenceNode();
  const int wasModifying = transforms->StartModify();
  transforms->RemoveAllDataNodes();
  transforms->SetIndexName("time");
  transforms->SetIndexUnit(repetitionTime > 0 ? "s" : "frame");
  transforms->SetIndexType(vtkMRMLSequenceNode::NumericIndex);
  for (size_t j = 0; j < this->Internal->Parameters.size(); ++j)
  {
    vtkNew<vtkMatrix4x4> matrix;
    toVtkMatrix(mc::spmMatrix(this->Internal->Parameters[j]), matrix);
    vtkNew<vtkMRMLLinearTransformNode> transform;
    transform->SetName(("motion " + std::to_string(j)).c_str());
    transform->SetMatrixTransformToParent(matrix);
    transforms->SetDataNodeAtValue(transform, indexValue(repetitionTime > 0 ? j * repetitionTime : double(j)));
  }
  transforms->EndModify(wasModifying);
  if (!transforms->GetStorageNode())
  {
    // Saved as a sequence bundle (.seq.mrb) rather than the default transform metafile (.seq.mha),
    // whose reader renames the sequence ("<file>-<transform>-Seq") when the scene is loaded.
    if (vtkMRMLStorageNode* storage = vtkMRMLStorageNode::SafeDownCast(
          this->GetMRMLScene()->AddNewNodeByClass("vtkMRMLSequenceStorageNode")))
    {
      transforms->SetAndObserveStorageNodeID(storage->GetID());
    }
  }

  // One browser plays the realigned run and its transforms together.
  if (realigned.frameCount > 0)
  {
    vtkMRMLSequenceNode* output = this->FillVolumeSequence(realigned, this->GetOutputSequenceNode(), "Realigned run");
    this->ShowInBrowser(output, transforms);
  }
  else
  {
    this->ShowInBrowser(transforms);
  }
  this->Internal->Before = vtkInternal::Snapshot(); // committed
  return true;
}

bool vtkSlicerMotionCorrectionLogic::Run(vtkMRMLNode* input)
{
  this->Internal->LastError.clear();
  if (this->IsRunning() || this->HasPendingResults())
  {
    this->Internal->LastError = "a motion correction is already running";
    return false;
  }
  if (!this->GetMRMLScene())
  {
    this->Internal->LastError = "Run: the logic has no scene";
    return false;
  }
  if (!this->ValidateInput(input))
  {
    return false;
  }

  // Parameters, checked before the scene is touched.
  mc::EngineRequest request;
  QTemporaryDir scratch; // the engine reads and writes files: a scratch folder removed afterwards
  const QString in = QDir(scratch.path()).filePath("run.nii.gz");
  const QString realigned = QDir(scratch.path()).filePath("rrun.nii.gz");
  const QString rp = QDir(scratch.path()).filePath("rp_run.txt");
  try
  {
    for (const std::string& name : mc::jobParameterNames())
    {
      // Paths are this run's scratch files, not settings.
      if (name == "input" || name == "output" || name == "mean" || name == "params" || name == "transforms" ||
          name == "confounds")
      {
        continue;
      }
      const std::string value = this->GetParameterOrDefault(name);
      if (!value.empty())
      {
        mc::setJobParameter(request.spec, name, value);
      }
    }
    const std::string backend = this->GetParameterOrDefault("backend");
    if (backend == "mpi")
    {
      request.backend = mc::Backend::Mpi;
    }
    else if (backend == "threads")
    {
      request.backend = mc::Backend::Threads;
    }
    else
    {
      throw std::invalid_argument("parameter backend: \"" + backend + "\" is not one of threads, mpi");
    }
    const std::string ranks = this->GetParameterOrDefault("ranks");
    std::size_t used = 0;
    int rankCount = 0;
    try
    {
      rankCount = std::stoi(ranks, &used);
    }
    catch (const std::exception&)
    {
      used = 0;
    }
    if (used == 0 || used != ranks.size() || rankCount < 1)
    {
      throw std::invalid_argument("parameter ranks: \"" + ranks + "\" is not a whole number of at least 1");
    }
    request.mpi.ranks = rankCount;
  }
  catch (const std::exception& e)
  {
    this->Internal->LastError = e.what();
    return false;
  }
  const QString unavailable = mc::MotionCorrectionTask::backendUnavailableReason(request.backend);
  if (!unavailable.isEmpty())
  {
    this->Internal->LastError = unavailable.toStdString();
    return false;
  }
  if (!scratch.isValid())
  {
    this->Internal->LastError = "cannot create a scratch folder: " + scratch.errorString().toStdString();
    return false;
  }
  if (!this->WriteRun(input, in.toUtf8().constData()))
  {
    return false;
  }
  try
  {
    mc::setJobParameter(request.spec, "input", in.toStdString());
    mc::setJobParameter(request.spec, "params", rp.toStdString());
    if (!request.spec.estimateOnly)
    {
      mc::setJobParameter(request.spec, "output", realigned.toStdString());
    }
    request.spec.validate();
  }
  catch (const std::exception& e)
  {
    this->Internal->LastError = e.what();
    return false;
  }
  request.poolThreads = request.spec.threads;
  request.mpi.threadsPerRank = request.spec.threads;

  // From here on the scene changes; a cancel or failure puts it back.
  this->BeginTransaction();
  this->GetParameterNode()->SetNodeReferenceID("InputNode", input->GetID());
  mc::MotionCorrectionTask task(request);
  QEventLoop loop;
  bool succeeded = false;
  std::string failure;
  QObject context;
  QObject::connect(&task, &mc::MotionCorrectionTask::finished, &context, [&] {
    succeeded = true;
    loop.quit();
  });
  QObject::connect(&task, &mc::MotionCorrectionTask::failed, &context, [&](const QString& reason) {
    failure = reason.toStdString();
    loop.quit();
  });
  QObject::connect(&task, &mc::MotionCorrectionTask::cancelled, &context, [&] {
    failure = "cancelled";
    loop.quit();
  });
  this->BeginResults(0);
  this->FollowTask(&task);
  task.start();
  loop.exec(); // the queued frame results are delivered here, on the main thread
  if (!succeeded)
  {
    this->DiscardResults();
    this->Internal->LastError = failure;
    return false;
  }
  std::vector<std::vector<double>> rows;
  for (const auto& row : task.parameters())
  {
    rows.emplace_back(row.begin(), row.end());
  }
  const auto fd = task.framewiseDisplacement();
  const std::string realignedPath = request.spec.estimateOnly ? std::string() : realigned.toStdString();
  return this->ImportResults(rows, std::vector<double>(fd.begin(), fd.end()), realignedPath.c_str(),
                             this->Internal->RepetitionTime);
}

void vtkSlicerMotionCorrectionLogic::Cancel()
{
  if (this->Internal->Task)
  {
    this->Internal->Task->cancel();
  }
}

bool vtkSlicerMotionCorrectionLogic::IsRunning()
{
  return this->Internal->Task && this->Internal->Task->isRunning();
}

const char* vtkSlicerMotionCorrectionLogic::GetLastError()
{
  return this->Internal->LastError.c_str();
}
