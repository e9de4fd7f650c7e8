#pragma once
// The one place where Qt 5.15 and Qt 6 differ for the panel and the app. Everything else is written
// against the API both share.
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
