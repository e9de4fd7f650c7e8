#ifndef __vtkSlicerMotionCorrectionMotionTable_h
#define __vtkSlicerMotionCorrectionMotionTable_h

// The motion table: its columns (frame, trans_x..z in mm, rot_x..z in degrees, framewise
// displacement in mm) and its rows as frames arrive. Threads and ranks finish frames out of order
// and pass 2 revisits them, so a frame gets a new row, kept sorted by frame, or updates its row.
// Framewise displacement is computed once both a frame and the one before it are known (NaN until
// then); the engine's final values replace it at the end.
#include "vtkSlicerMotionCorrectionModuleLogicExport.h"

#include <array>
#include <vector>

class vtkMRMLTableNode;

class VTK_SLICER_MOTIONCORRECTION_MODULE_LOGIC_EXPORT vtkSlicerMotionCorrectionMotionTable
{
public:
  static constexpr int NumberOfColumns = 8;
  static const char* GetColumnName(int column);

  /// True when the table node has exactly the motion columns, in order.
  static bool HasMotionColumns(vtkMRMLTableNode* table);
  /// Makes the table a motion table (its other columns removed) unless it is one already. Every
  /// column gets a description and unit.
  static void SetUpColumns(vtkMRMLTableNode* table);

  /// Empties the table's rows, for a run of `frames` frames (0: unknown yet).
  void Reset(vtkMRMLTableNode* table, int frames);
  /// One frame's parameters (mm, radians; SPM rp order): a new row or an update of its row.
  void SetFrameParameters(vtkMRMLTableNode* table, int frame, const double parameters[6]);
  /// The engine's framewise displacement, one value per frame from frame 0.
  void SetDisplacement(vtkMRMLTableNode* table, const std::vector<double>& displacement);
  /// The parameters seen so far, by frame (zeros for frames not seen).
  const std::vector<std::array<double, 6>>& GetParameters() const { return this->Parameters; }
  void Clear();

private:
  void UpdateDisplacement(vtkMRMLTableNode* table, int row);

  std::vector<int> RowOfFrame; // -1: not in the table yet
  std::vector<std::array<double, 6>> Parameters;
};

#endif
