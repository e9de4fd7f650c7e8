#include "vtkSlicerMotionCorrectionOutputNodes.h"

#include "vtkSlicerMotionCorrectionMotionTable.h"
#include "vtkSlicerMotionCorrectionVolumeSeries.h"

// MotionCorrection
#include "RigidTransform.h"

// Slicer
#include <vtkMRMLLinearTransformNode.h>
#include <vtkMRMLPlotChartNode.h>
#include <vtkMRMLPlotSeriesNode.h>
#include <vtkMRMLScene.h>
#include <vtkMRMLSequenceNode.h>
#include <vtkMRMLStorageNode.h>
#include <vtkMRMLTableNode.h>

// VTK
#include <vtkMatrix4x4.h>
#include <vtkNew.h>

#include <string>

namespace
{
using Table = vtkSlicerMotionCorrectionMotionTable;

vtkMRMLPlotSeriesNode* addSeries(vtkMRMLScene* scene, vtkMRMLTableNode* table, int column, const char* name)
{
  vtkMRMLPlotSeriesNode* series =
    vtkMRMLPlotSeriesNode::SafeDownCast(scene->AddNewNodeByClass("vtkMRMLPlotSeriesNode", name));
  series->SetAndObserveTableNodeID(table->GetID());
  series->SetXColumnName(Table::GetColumnName(0));
  series->SetYColumnName(Table::GetColumnName(column));
  series->SetPlotType(vtkMRMLPlotSeriesNode::PlotTypeScatter);
  return series;
}
} // namespace

void vtkSlicerMotionCorrectionOutputNodes::SetUpMotionChart(vtkMRMLScene* scene, vtkMRMLPlotChartNode* chart,
                                                            vtkMRMLTableNode* table)
{
  if (!chart || !table || chart->GetNumberOfPlotSeriesNodes() > 0)
  {
    return;
  }
  // x, y, z in red, green, blue: the translation and the rotation about the same axis match.
  const double colours[3][3] = { { 0.84, 0.15, 0.16 }, { 0.17, 0.63, 0.17 }, { 0.12, 0.47, 0.71 } };
  for (int c = 1; c <= 6; ++c)
  {
    vtkMRMLPlotSeriesNode* series = addSeries(scene, table, c, Table::GetColumnName(c));
    series->SetMarkerStyle(vtkMRMLPlotSeriesNode::MarkerStyleNone);
    series->SetLineStyle(c <= 3 ? vtkMRMLPlotSeriesNode::LineStyleSolid : vtkMRMLPlotSeriesNode::LineStyleDash);
    series->SetColor(colours[(c - 1) % 3][0], colours[(c - 1) % 3][1], colours[(c - 1) % 3][2]);
    chart->AddAndObservePlotSeriesNodeID(series->GetID());
  }
  chart->SetTitle("Head motion (translations mm, solid; rotations degrees, dashed)");
  chart->SetXAxisTitle("frame");
  chart->SetYAxisTitle("mm / degrees");
}

void vtkSlicerMotionCorrectionOutputNodes::SetUpDisplacementChart(vtkMRMLScene* scene, vtkMRMLPlotChartNode* chart,
                                                                  vtkMRMLTableNode* table)
{
  if (!chart || !table || chart->GetNumberOfPlotSeriesNodes() > 0)
  {
    return;
  }
  vtkMRMLPlotSeriesNode* series = addSeries(scene, table, 7, "FD");
  series->SetMarkerStyle(vtkMRMLPlotSeriesNode::MarkerStyleCircle);
  series->SetColor(0.25, 0.25, 0.25);
  chart->AddAndObservePlotSeriesNodeID(series->GetID());
  chart->SetTitle("Framewise displacement");
  chart->SetXAxisTitle("frame");
  chart->SetYAxisTitle("mm");
}

void vtkSlicerMotionCorrectionOutputNodes::FillTransformSequence(vtkMRMLScene* scene, vtkMRMLSequenceNode* sequence,
                                                                 const std::vector<std::array<double, 6>>& parameters,
                                                                 double repetitionTime)
{
  const int wasModifying = sequence->StartModify();
  sequence->RemoveAllDataNodes();
  sequence->SetIndexName("time");
  sequence->SetIndexUnit(repetitionTime > 0 ? "s" : "frame");
  sequence->SetIndexType(vtkMRMLSequenceNode::NumericIndex);
  for (size_t j = 0; j < parameters.size(); ++j)
  {
    mc::RigidParameters p;
    p.values = parameters[j];
    vtkNew<vtkMatrix4x4> matrix;
    vtkSlicerMotionCorrectionVolumeSeries::ToVtkMatrix(mc::spmMatrix(p), matrix);
    vtkNew<vtkMRMLLinearTransformNode> transform;
    transform->SetName(("motion " + std::to_string(j)).c_str());
    transform->SetMatrixTransformToParent(matrix);
    sequence->SetDataNodeAtValue(
      transform, vtkSlicerMotionCorrectionVolumeSeries::IndexValue(repetitionTime > 0 ? j * repetitionTime : double(j)));
  }
  sequence->EndModify(wasModifying);
  if (!sequence->GetStorageNode())
  {
    if (vtkMRMLStorageNode* storage =
          vtkMRMLStorageNode::SafeDownCast(scene->AddNewNodeByClass("vtkMRMLSequenceStorageNode")))
    {
      sequence->SetAndObserveStorageNodeID(storage->GetID());
    }
  }
}
