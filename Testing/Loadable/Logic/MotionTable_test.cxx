// vtkSlicerMotionCorrectionMotionTable: frames arriving out of order keep the rows sorted, a frame
// seen again updates its row, framewise displacement appears once the frame before is known.
#include <cmath>

#include "LogicTestSupport.h"
#include "vtkSlicerMotionCorrectionMotionTable.h"

using Table = vtkSlicerMotionCorrectionMotionTable;

TEST(MotionTable, OutOfOrderFramesSortedAndDisplacementWhenNeighboursKnown) {
  vtkNew<vtkMRMLTableNode> node;
  Table::SetUpColumns(node);
  ASSERT_TRUE(Table::HasMotionColumns(node));
  EXPECT_EQ(node->GetColumnUnitLabel("rot_y"), std::string("deg"));
  Table table;
  table.Reset(node, 3);
  const double p0[6] = {0, 0, 0, 0, 0, 0};
  const double p1[6] = {1, 0, 0, 0, 0, 0.01};
  const double p2[6] = {1, 2, 0, 0, 0, 0.01};
  table.SetFrameParameters(node, 2, p2);
  table.SetFrameParameters(node, 0, p0);
  vtkTable* t = node->GetTable();
  ASSERT_EQ(t->GetNumberOfRows(), 2);
  EXPECT_EQ(t->GetValue(0, 0).ToInt(), 0);
  EXPECT_EQ(t->GetValue(1, 0).ToInt(), 2);
  EXPECT_TRUE(std::isnan(t->GetValue(1, 7).ToDouble()));  // frame 1 not known yet
  table.SetFrameParameters(node, 1, p1);
  ASSERT_EQ(t->GetNumberOfRows(), 3);
  for (int r = 0; r < 3; ++r) EXPECT_EQ(t->GetValue(r, 0).ToInt(), r);
  EXPECT_DOUBLE_EQ(t->GetValue(1, 6).ToDouble(), 0.01 * 180 / M_PI);  // degrees in the table
  EXPECT_DOUBLE_EQ(t->GetValue(1, 7).ToDouble(), 1 + 0.01 * 50);      // |dx| + 50 mm * |d yaw|
  EXPECT_DOUBLE_EQ(t->GetValue(2, 7).ToDouble(), 2);
  // Pass 2 revisits frame 1: its row changes, no row is added.
  const double q1[6] = {0.5, 0, 0, 0, 0, 0};
  table.SetFrameParameters(node, 1, q1);
  ASSERT_EQ(t->GetNumberOfRows(), 3);
  EXPECT_DOUBLE_EQ(t->GetValue(1, 1).ToDouble(), 0.5);
  EXPECT_DOUBLE_EQ(t->GetValue(2, 7).ToDouble(), 0.5 + 2 + 0.01 * 50);
  EXPECT_EQ(table.GetParameters()[1][0], 0.5);
  // The engine's values replace the live ones.
  table.SetDisplacement(node, {0, 0.25, 0.75});
  EXPECT_DOUBLE_EQ(t->GetValue(2, 7).ToDouble(), 0.75);
}

TEST(MotionTable, OtherColumnsAreReplaced) {
  vtkNew<vtkMRMLTableNode> node;
  node->AddColumn()->SetName("something else");
  EXPECT_FALSE(Table::HasMotionColumns(node));
  Table::SetUpColumns(node);
  ASSERT_EQ(node->GetNumberOfColumns(), Table::NumberOfColumns);
  for (int c = 0; c < Table::NumberOfColumns; ++c) EXPECT_EQ(node->GetColumnName(c), Table::GetColumnName(c));
}
