// The panel with a real event loop, the real engine and real NIfTI files (QT_QPA_PLATFORM=offscreen).
// Built twice: with Qt Charts (the standalone app's panel, MotionPlots) and without (the extension
// build; Slicer ships no Qt Charts, so the motion tab is MotionSummary).

// First, alone: the panel's header must not bring Qt Charts in, in either build (the Slicer module
// widget includes it against Slicer's headers). QCHARTGLOBAL_H guards Qt 5's and Qt 6's qchartglobal.h.
#include "MotionCorrectionPanel.h"
#ifdef QCHARTGLOBAL_H
#error "MotionCorrectionPanel.h includes Qt Charts"
#endif
// The Widgets target states its variant (PUBLIC), and without charts no Qt Charts target is linked
// (its usage requirements would define QT_CHARTS_LIB).
#ifndef MC_WITH_QT_CHARTS
#error "MC_WITH_QT_CHARTS is not defined by MotionCorrectionWidgets"
#endif
#if !MC_WITH_QT_CHARTS && defined(QT_CHARTS_LIB)
#error "the no-charts build links Qt Charts"
#endif

#include <QSettings>
#include <QtTest>

#include "GuiTestSupport.h"
#include "MotionCorrectionPanelTest.h"

void MotionCorrectionPanelTest::initTestCase() {
  QVERIFY(settingsDir_.isValid());
  mc::test::isolateSettings(settingsDir_.path());
}

void MotionCorrectionPanelTest::init() { QSettings().clear(); }

QTEST_MAIN(MotionCorrectionPanelTest)
