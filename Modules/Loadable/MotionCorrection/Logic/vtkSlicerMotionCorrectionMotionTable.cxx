#include "vtkSlicerMotionCorrectionMotionTable.h"

// MotionCorrection
#include "MotionMetrics.h"
#include "RigidTransform.h"

// Slicer
#include <vtkMRMLTableNode.h>

// VTK
#include <vtkDoubleArray.h>
#include <vtkIntArray.h>
#include <vtkNew.h>
#include <vtkTable.h>

#include <algorithm>
#include <cmath>

namespace
{
const char* kColumns[vtkSlicerMotionCorrectionMotionTable::NumberOfColumns] = {
  "frame", "trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "framewise_displacement"
};
const char* kDescriptions[vtkSlicerMotionCorrectionMotionTable::NumberOfColumns] = {
  "frame number (0: first)",
  "translation along x (RAS)",
  "translation along y",
  "translation along z",
  "rotation about x (pitch)",
  "rotation about y (roll)",
  "rotation about z (yaw)",
  "framewise displacement, Power et al. 2012 (rotations on a 50 mm sphere)"
};
const double kDegreesPerRadian = 180.0 / M_PI;

mc::RigidParameters rigid(const std::array<double, 6>& p)
{
  mc::RigidParameters r;
  r.values = p;
  return r;
}
} // namespace

const char* vtkSlicerMotionCorrectionMotionTable::GetColumnName(int column)
{
  return column >= 0 && column < NumberOfColumns ? kColumns[column] : nullptr;
}

bool vtkSlicerMotionCorrectionMotionTable::HasMotionColumns(vtkMRMLTableNode* table)
{
  bool ours = table->GetNumberOfColumns() == NumberOfColumns;
  for (int c = 0; ours && c < NumberOfColumns; ++c)
  {
    ours = table->GetColumnName(c) == kColumns[c];
  }
  return ours;
}

void vtkSlicerMotionCorrectionMotionTable::SetUpColumns(vtkMRMLTableNode* table)
{
  // A table chosen by the user may hold other columns: it becomes a motion table (the logic's
  // snapshot gives the old contents back if the run does not complete).
  if (HasMotionColumns(table))
  {
    return;
  }
  table->RemoveAllColumns();
  vtkNew<vtkIntArray> frame;
  frame->SetName(kColumns[0]);
  table->AddColumn(frame);
  for (int c = 1; c < NumberOfColumns; ++c)
  {
    vtkNew<vtkDoubleArray> column;
    column->SetName(kColumns[c]);
    table->AddColumn(column);
  }
  // Every column gets a property, in column order: the table's schema file lists only columns
  // with properties, and Slicer's table reader appends unlisted ones at the end as text (the
  // frame column would come back last, as strings).
  for (int c = 0; c < NumberOfColumns; ++c)
  {
    table->SetColumnDescription(kColumns[c], kDescriptions[c]);
    if (c > 0)
    {
      table->SetColumnUnitLabel(kColumns[c], c >= 4 && c <= 6 ? "deg" : "mm");
    }
  }
}

void vtkSlicerMotionCorrectionMotionTable::Reset(vtkMRMLTableNode* table, int frames)
{
  table->GetTable()->SetNumberOfRows(0);
  table->GetTable()->Modified();
  this->RowOfFrame.assign(static_cast<size_t>(std::max(frames, 0)), -1);
  this->Parameters.assign(static_cast<size_t>(std::max(frames, 0)), std::array<double, 6>{});
}

void vtkSlicerMotionCorrectionMotionTable::Clear()
{
  this->RowOfFrame.clear();
  this->Parameters.clear();
}

void vtkSlicerMotionCorrectionMotionTable::SetFrameParameters(vtkMRMLTableNode* tableNode, int frame,
                                                              const double parameters[6])
{
  if (frame < 0)
  {
    return;
  }
  vtkTable* table = tableNode->GetTable();
  auto& rows = this->RowOfFrame;
  if (frame >= static_cast<int>(rows.size()))
  {
    rows.resize(static_cast<size_t>(frame) + 1, -1);
    this->Parameters.resize(static_cast<size_t>(frame) + 1);
  }
  std::copy(parameters, parameters + 6, this->Parameters[frame].begin());
  int row = rows[frame];
  if (row < 0)
  {
    // Append, keeping rows sorted by frame (threads finish out of order): later frames move down.
    row = static_cast<int>(table->InsertNextBlankRow());
    while (row > 0 && table->GetValue(row - 1, 0).ToInt() > frame)
    {
      for (int c = 0; c < NumberOfColumns; ++c)
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
  this->UpdateDisplacement(tableNode, row);
  if (row + 1 < table->GetNumberOfRows())
  {
    this->UpdateDisplacement(tableNode, row + 1);
  }
  table->Modified(); // the table node re-emits it: the plot series and charts redraw
}

void vtkSlicerMotionCorrectionMotionTable::UpdateDisplacement(vtkMRMLTableNode* tableNode, int row)
{
  vtkTable* table = tableNode->GetTable();
  const int frame = table->GetValue(row, 0).ToInt();
  double fd = 0;
  if (frame > 0 && this->RowOfFrame[frame - 1] >= 0)
  {
    fd = mc::framewiseDisplacement({ rigid(this->Parameters[frame - 1]), rigid(this->Parameters[frame]) })[1];
  }
  else if (frame > 0)
  {
    fd = std::nan("");
  }
  table->SetValue(row, 7, vtkVariant(fd));
}

void vtkSlicerMotionCorrectionMotionTable::SetDisplacement(vtkMRMLTableNode* tableNode,
                                                           const std::vector<double>& displacement)
{
  vtkTable* table = tableNode->GetTable();
  for (size_t j = 0; j < displacement.size() && j < this->RowOfFrame.size(); ++j)
  {
    if (this->RowOfFrame[j] >= 0)
    {
      table->SetValue(this->RowOfFrame[j], 7, vtkVariant(displacement[j]));
    }
  }
  table->Modified();
}
