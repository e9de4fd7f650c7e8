#include "vtkSlicerMotionCorrectionLogic.h"

// MotionCorrection (shared with the standalone build)
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
#include <vtkMRMLSequenceBrowserNode.h>
#include <vtkMRMLSequenceNode.h>
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
#include <vtkTable.h>

// Qt
#include <QDir>
#include <QEventLoop>
#include <QObject>
#include <QPointer>
#include <QTemporaryDir>

#include <cmath>
#include <cstring>
#include <memory>

namespace
{
const char* kModuleName = "MotionCorrection";
const char* kColumns[8] = { "frame", "trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z",
                            "framewise_displacement" };
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
} // namespace

class vtkSlicerMotionCorrectionLogic::vtkInternal
{
public:
  // Lives on the main thread: queued signals from the engine are delivered here.
  std::unique_ptr<QObject> Receiver{ new QObject };
  QPointer<mc::MotionCorrectionTask> Task;
  std::vector<int> RowOfFrame; // -1: not in the table yet
  std::vector<mc::RigidParameters> Parameters;
  std::string LastError;
  double RepetitionTime = 0; // of the run WriteRun wrote last
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
  os << indent << "LastError: " << this->Internal->LastError << "\n";
}

void vtkSlicerMotionCorrectionLogic::SetMRMLSceneInternal(vtkMRMLScene* newScene)
{
  vtkNew<vtkIntArray> events;
  events->InsertNextValue(vtkMRMLScene::EndBatchProcessEvent);
  this->SetAndObserveMRMLSceneEventsInternal(newScene, events.GetPointer());
}

vtkMRMLScriptedModuleNode* vtkSlicerMotionCorrectionLogic::GetParameterNode()
{
  vtkMRMLScene* scene = this->GetMRMLScene();
  if (!scene)
  {
    return nullptr;
  }
  // One per scene, found by its singleton tag (it is saved with the scene).
  vtkMRMLScriptedModuleNode* existing =
    vtkMRMLScriptedModuleNode::SafeDownCast(scene->GetSingletonNode(kModuleName, "vtkMRMLScriptedModuleNode"));
  if (existing)
  {
    return existing;
  }
  vtkNew<vtkMRMLScriptedModuleNode> node;
  node->SetModuleName(kModuleName);
  node->SetName(scene->GenerateUniqueName("MotionCorrectionParameters").c_str());
  node->SetSingletonTag(kModuleName);
  // SPM12's defaults, through the same name map as the CLI and the panel.
  for (const auto& nameValue : mc::jobParameters(mc::JobSpec{}))
  {
    if (!nameValue.second.empty())
    {
      node->SetParameter(nameValue.first, nameValue.second);
    }
  }
  node->SetParameter("backend", "threads");
  node->SetParameter("ranks", "2");
  return vtkMRMLScriptedModuleNode::SafeDownCast(scene->AddNode(node));
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
  if (!node)
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
  if (table && table->GetNumberOfColumns() == 0)
  {
    vtkNew<vtkIntArray> frame;
    frame->SetName(kColumns[0]);
    table->AddColumn(frame);
    for (int c = 1; c < 8; ++c)
    {
      vtkNew<vtkDoubleArray> column;
      column->SetName(kColumns[c]);
      table->AddColumn(column);
      table->SetColumnUnitLabel(kColumns[c], c >= 4 && c <= 6 ? "deg" : "mm");
    }
    table->SetColumnDescription("framewise_displacement", "Power et al. 2012, rotations on a 50 mm sphere");
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
    volume->SetIJKToRASMatrix(ijkToRas);
    volume->SetAndObserveImageData(image);
    const double index = run.repetitionTime > 0 ? t * run.repetitionTime : t;
    sequence->SetDataNodeAtValue(volume, vtkVariant(index).ToString());
  }
  return sequence;
}

vtkMRMLSequenceBrowserNode* vtkSlicerMotionCorrectionLogic::ShowInBrowser(vtkMRMLSequenceNode* sequence)
{
  vtkMRMLSequenceBrowserNode* browser = vtkMRMLSequenceBrowserNode::SafeDownCast(this->GetMRMLScene()->AddNewNodeByClass(
    "vtkMRMLSequenceBrowserNode", (std::string(sequence->GetName()) + " browser").c_str()));
  browser->AddSynchronizedSequenceNodeID(sequence->GetID());
  vtkSlicerSequencesLogic* sequences = vtkSlicerSequencesLogic::SafeDownCast(this->GetModuleLogic("Sequences"));
  if (sequences)
  {
    sequences->UpdateProxyNodesFromSequences(browser);
  }
  return browser;
}

vtkMRMLSequenceNode* vtkSlicerMotionCorrectionLogic::LoadRunAsSequence(const char* path)
{
  this->Internal->LastError.clear();
  if (!this->GetMRMLScene() || !path)
  {
    this->Internal->LastError = "LoadRunAsSequence: no scene or no path";
    return nullptr;
  }
  try
  {
    const mc::VolumeSeries run = mc::readVolumeSeries(path);
    const std::string name = QDir(QString::fromUtf8(path)).dirName().section('.', 0, 0).toStdString();
    vtkMRMLSequenceNode* sequence = this->FillVolumeSequence(run, nullptr, name.c_str());
    this->ShowInBrowser(sequence);
    return sequence;
  }
  catch (const std::exception& e)
  {
    this->Internal->LastError = e.what();
    vtkErrorMacro(<< e.what());
    return nullptr;
  }
}

bool vtkSlicerMotionCorrectionLogic::WriteRun(vtkMRMLNode* input, const char* path)
{
  mc::VolumeSeries run;
  auto readFrame = [&](vtkImageData* image, int component, int t) {
    vtkDataArray* scalars = image->GetPointData()->GetScalars();
    float* out = run.frame(t);
    for (vtkIdType i = 0; i < static_cast<vtkIdType>(run.frameSize()); ++i)
    {
      out[i] = static_cast<float>(scalars->GetComponent(i, component));
    }
  };
  auto geometryOf = [](vtkMRMLScalarVolumeNode* volume) {
    mc::ImageGeometry g;
    int dims[3];
    volume->GetImageData()->GetDimensions(dims);
    g.size = { dims[0], dims[1], dims[2] };
    vtkNew<vtkMatrix4x4> ijkToRas;
    volume->GetIJKToRASMatrix(ijkToRas);
    g.voxelToWorld = fromVtkMatrix(ijkToRas);
    return g;
  };
  try
  {
    if (vtkMRMLSequenceNode* sequence = vtkMRMLSequenceNode::SafeDownCast(input))
    {
      const int frames = sequence->GetNumberOfDataNodes();
      for (int t = 0; t < frames; ++t)
      {
        vtkMRMLScalarVolumeNode* volume = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t));
        if (!volume || !volume->GetImageData())
        {
          throw std::runtime_error(std::string(sequence->GetName()) + ": item " + std::to_string(t) +
                                   " is not a scalar volume");
        }
        const mc::ImageGeometry g = geometryOf(volume);
        if (t == 0)
        {
          run.allocate(g, frames);
        }
        else if (!g.sameGridAs(run.geometry))
        {
          throw std::runtime_error(std::string(sequence->GetName()) + ": volume " + std::to_string(t) +
                                   " is not on the grid of the first one");
        }
        readFrame(volume->GetImageData(), 0, t);
      }
      if (frames >= 2 && std::string(sequence->GetIndexUnit()) == "s")
      {
        run.repetitionTime = std::stod(sequence->GetNthIndexValue(1)) - std::stod(sequence->GetNthIndexValue(0));
      }
    }
    else if (vtkMRMLScalarVolumeNode* multiVolume = vtkMRMLScalarVolumeNode::SafeDownCast(input))
    {
      // A multivolume keeps its frames as the scalar components of one image.
      vtkImageData* image = multiVolume->GetImageData();
      if (!image || image->GetNumberOfScalarComponents() < 2)
      {
        throw std::runtime_error(std::string(multiVolume->GetName()) + ": not a multivolume (one frame only)");
      }
      run.allocate(geometryOf(multiVolume), image->GetNumberOfScalarComponents());
      for (int t = 0; t < run.frameCount; ++t)
      {
        readFrame(image, t, t);
      }
    }
    else
    {
      throw std::runtime_error("input must be a volume sequence or a multivolume");
    }
    if (run.frameCount < 2)
    {
      throw std::runtime_error(std::string(input->GetName()) + ": a run needs at least 2 frames");
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

void vtkSlicerMotionCorrectionLogic::BeginResults(int frames)
{
  vtkMRMLTableNode* table = this->GetMotionTableNode();
  if (!table)
  {
    return;
  }
  table->GetTable()->SetNumberOfRows(0);
  table->Modified();
  this->Internal->RowOfFrame.assign(static_cast<size_t>(std::max(frames, 0)), -1);
  this->Internal->Parameters.assign(static_cast<size_t>(std::max(frames, 0)), mc::RigidParameters{});
  vtkSlicerPlotsLogic* plots = vtkSlicerPlotsLogic::SafeDownCast(this->GetModuleLogic("Plots"));
  if (plots)
  {
    plots->ShowChartInLayout(this->GetMotionChartNode());
  }
  this->GetDisplacementChartNode();
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
  table->Modified();
  tableNode->Modified(); // redraws the plots
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
  this->Internal->Task = task;
  QObject* receiver = this->Internal->Receiver.get();
  QObject::connect(task, &mc::MotionCorrectionTask::frameEstimated, receiver,
                   [this](const mc::FrameResult& r) { this->SetFrameParameters(r.frame, r.parameters); },
                   Qt::QueuedConnection);
}

bool vtkSlicerMotionCorrectionLogic::ImportResults(const std::vector<std::vector<double>>& parameters,
                                                   const std::vector<double>& displacement,
                                                   const char* realignedPath, double repetitionTime)
{
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
  tableNode->Modified();

  // Each frame's motion as a linear transform (to parent = frame to reference, world RAS mm).
  vtkMRMLSequenceNode* transforms = this->GetTransformSequenceNode();
  transforms->RemoveAllDataNodes();
  transforms->SetIndexName("time");
  transforms->SetIndexUnit(repetitionTime > 0 ? "s" : "frame");
  transforms->SetIndexType(vtkMRMLSequenceNode::NumericIndex);
  for (size_t j = 0; j < this->Internal->Parameters.size(); ++j)
  {
    vtkNew<vtkMatrix4x4> matrix;
    toVtkMatrix(mc::spmMatrix(this->Internal->Parameters[j]), matrix);
    vtkNew<vtkMRMLLinearTransformNode> transform;
    transform->SetMatrixTransformToParent(matrix);
    transforms->SetDataNodeAtValue(transform, vtkVariant(repetitionTime > 0 ? j * repetitionTime : j).ToString());
  }

  if (realignedPath && *realignedPath)
  {
    try
    {
      const mc::VolumeSeries realigned = mc::readVolumeSeries(realignedPath);
      vtkMRMLSequenceNode* output = this->FillVolumeSequence(realigned, this->GetOutputSequenceNode(), "Realigned run");
      this->ShowInBrowser(output);
    }
    catch (const std::exception& e)
    {
      this->Internal->LastError = e.what();
      return false;
    }
  }
  return true;
}

bool vtkSlicerMotionCorrectionLogic::Run(vtkMRMLNode* input)
{
  this->Internal->LastError.clear();
  if (this->IsRunning())
  {
    this->Internal->LastError = "a motion correction is already running";
    return false;
  }
  vtkMRMLScriptedModuleNode* parameters = this->GetParameterNode();
  if (!input || !parameters)
  {
    this->Internal->LastError = "Run: no input node or no scene";
    return false;
  }
  parameters->SetNodeReferenceID("InputNode", input->GetID());

  // The engine reads and writes files: the run goes through a scratch folder removed afterwards.
  QTemporaryDir scratch;
  const QString in = QDir(scratch.path()).filePath("run.nii.gz");
  const QString realigned = QDir(scratch.path()).filePath("rrun.nii.gz");
  const QString rp = QDir(scratch.path()).filePath("rp_run.txt");
  if (!scratch.isValid() || !this->WriteRun(input, in.toUtf8().constData()))
  {
    return false;
  }
  mc::EngineRequest request;
  try
  {
    for (const std::string& name : mc::jobParameterNames())
    {
      const std::string value = parameters->GetParameter(name);
      if (!value.empty())
      {
        mc::setJobParameter(request.spec, name, value);
      }
    }
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
  request.backend = parameters->GetParameter("backend") == "mpi" ? mc::Backend::Mpi : mc::Backend::Threads;
  request.poolThreads = request.spec.threads;
  const std::string ranks = parameters->GetParameter("ranks");
  request.mpi.ranks = ranks.empty() ? 2 : std::stoi(ranks);
  request.mpi.threadsPerRank = request.spec.threads;

  mc::MotionCorrectionTask task(request);
  QEventLoop loop;
  bool succeeded = false;
  QObject::connect(&task, &mc::MotionCorrectionTask::finished, &loop, [&] {
    succeeded = true;
    loop.quit();
  });
  QObject::connect(&task, &mc::MotionCorrectionTask::failed, &loop, [&](const QString& reason) {
    this->Internal->LastError = reason.toStdString();
    loop.quit();
  });
  QObject::connect(&task, &mc::MotionCorrectionTask::cancelled, &loop, [&] {
    this->Internal->LastError = "cancelled";
    loop.quit();
  });
  this->BeginResults(0);
  this->FollowTask(&task);
  task.start();
  loop.exec(); // the queued frame results are delivered here, on the main thread
  this->Internal->Task = nullptr;
  if (!succeeded)
  {
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
