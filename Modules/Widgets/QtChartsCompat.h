#pragma once
// The one place where Qt 5.15 and Qt 6 differ for the panel: Qt Charts' namespace. Only the chart
// code (MotionPlots, built with MC_WITH_QT_CHARTS) includes it; everything else is written against
// the API both Qt versions share and needs no Qt Charts header, so the panel builds inside Slicer,
// which ships no Qt Charts.
#if !MC_WITH_QT_CHARTS
#error "QtChartsCompat.h is for the Qt Charts build only (MC_WITH_QT_CHARTS=ON)"
#endif
#include <QtGlobal>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

// Qt 5's charts live in namespace QtCharts; Qt 6 moved them to Qt's own namespace.
#if QT_VERSION < QT_VERSION_CHECK(6, 0, 0)
QT_CHARTS_USE_NAMESPACE
#endif
