// The panel as a whole: it assembles its sections (parameter form, run controls, result tabs; each
// built in its own file), wires them together, keeps the enabled state and shows status and errors.
#include "MotionCorrectionPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <initializer_list>

#include "CollapsibleSection.h"
#include "LiveCounters.h"
#include "OutputNames.h"
#include "PathChooser.h"
#include "SliceComparisonView.h"

namespace mc {
namespace {

// A scroll area as tall as its content when there is room (so the run controls sit right below the
// settings), scrolling only when the panel is shorter than that.
class FittingScrollArea : public QScrollArea {
public:
  QSize sizeHint() const override {
    const QSize content = widget() ? widget()->sizeHint() : QSize();
    return QSize(content.width() + verticalScrollBar()->sizeHint().width(), content.height() + 2 * frameWidth());
  }
};

}  // namespace

MotionCorrectionPanel::MotionCorrectionPanel(QWidget* parent) : QWidget(parent) {
  qRegisterMetaType<mc::FrameResult>("mc::FrameResult");
  qRegisterMetaType<mc::FollowVolume>("mc::FollowVolume");
  buildUi();
  resetParameters();
  restoreSettings();
  updateEnabledState();
}

MotionCorrectionPanel::~MotionCorrectionPanel() {
  if (liveTask_) {
    liveTask_->disconnect(this);
    delete liveTask_.data();  // cancels the session and waits for its thread; the rows so far stay
  }
  if (task_) {
    task_->disconnect(this);
    if (ownsTask_) {  // a followed task is its owner's to stop
      task_->cancel();
      delete task_.data();  // the task's destructor waits for its workers
    }
  }
}

void MotionCorrectionPanel::buildUi() {
  QWidget* files = buildFileSection();
  QWidget* live = buildLiveSection();
  QWidget* basics = buildParameterSection();
  parametersGroup_ = basics;
  buildAdvancedSection();
  QLayout* runBox = buildRunControls();

  // Settings scroll when space is short; the run controls, status and errors below them never do.
  auto* settings = new QWidget;
  auto* settingsLayout = new QVBoxLayout(settings);
  settingsLayout->setContentsMargins(4, 4, 4, 0);
  // The input: a run's files, or in Live mode the folder volumes arrive in.
  inputSection_ = new QWidget;
  auto* inputLayout = new QVBoxLayout(inputSection_);
  inputLayout->setContentsMargins(0, 0, 0, 0);
  inputLayout->addWidget(liveMode_);
  inputLayout->addWidget(files);
  inputLayout->addWidget(live);
  live->hide();
  settingsLayout->addWidget(inputSection_);
  settingsLayout->addWidget(basics);
  settingsLayout->addWidget(advanced_);
  auto* scroll = new FittingScrollArea;
  scroll->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidget(settings);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(settings->sizeHint().width() + 20);
  scroll->setMinimumHeight(120);

  auto* controls = new QWidget;
  auto* controlsLayout = new QVBoxLayout(controls);
  controlsLayout->setContentsMargins(0, 0, 0, 0);
  controlsLayout->setSpacing(2);
  controlsLayout->addWidget(scroll);
  controlsLayout->addLayout(runBox);
  controlsLayout->addWidget(liveCounters_);
  liveCounters_->setContentsMargins(4, 0, 4, 4);
  liveCounters_->hide();
  controlsLayout->addStretch(1);
  connect(advanced_, &CollapsibleSection::collapsedChanged, scroll, [scroll] { scroll->updateGeometry(); });
  connect(liveMode_, &QCheckBox::toggled, scroll, [scroll] { scroll->updateGeometry(); });

  buildResultTabs();

  splitter_ = new QSplitter(Qt::Vertical);
  splitter_->setChildrenCollapsible(false);
  splitter_->addWidget(controls);
  splitter_->addWidget(results_);
  splitter_->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter_);

  connectSignals();
}

void MotionCorrectionPanel::connectSignals() {
  connect(input_, &PathChooser::pathChanged, this, [this](const QString& path) {
    updateDefaultOutputs();
    clearError();
    emit inputChanged(path);
  });
  connect(input_, &PathChooser::editingFinished, this, [this] { loadOriginal(inputPath()); });
  connect(reference_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { updateEnabledState(); });
  connect(referenceFrame_, QOverload<int>::of(&QSpinBox::valueChanged), comparison_,
          &SliceComparisonView::setReferenceFrame);
  connect(estimateOnly_, &QCheckBox::toggled, this, [this] { updateEnabledState(); });
  connect(backend_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { updateEnabledState(); });
  connect(runButton_, &QPushButton::clicked, this, &MotionCorrectionPanel::run);
  connect(cancelButton_, &QPushButton::clicked, this, &MotionCorrectionPanel::cancel);
  for (QComboBox* c : {reference_, backend_, estimationInterpolation_, resliceInterpolation_})
    connect(c, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &MotionCorrectionPanel::parametersChanged);
  for (QSpinBox* sb : {referenceFrame_, ranks_, threads_})
    connect(sb, QOverload<int>::of(&QSpinBox::valueChanged), this, &MotionCorrectionPanel::parametersChanged);
  for (QDoubleSpinBox* sb : {quality_, separation_, fwhm_})
    connect(sb, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this, &MotionCorrectionPanel::parametersChanged);
  for (QCheckBox* cb : {estimateOnly_, mask_}) connect(cb, &QCheckBox::toggled, this, &MotionCorrectionPanel::parametersChanged);
  connect(weight_, &PathChooser::pathChanged, this, &MotionCorrectionPanel::parametersChanged);
}

void MotionCorrectionPanel::setOrientation(Qt::Orientation orientation) {
  splitter_->setOrientation(orientation);
  if (orientation == Qt::Horizontal) splitter_->setSizes({380, 720});
}

// Only the run's files: the Live switch stays (in Slicer the module's logic follows the panel's
// Live task through liveStarted), and in Live mode so does Start.
void MotionCorrectionPanel::setFileSectionVisible(bool visible) {
  fileSectionVisible_ = visible;
  filesGroup_->setVisible(visible && !isLiveMode());
}

void MotionCorrectionPanel::setRunButtonVisible(bool visible) {
  runButtonVisible_ = visible;
  runButton_->setVisible(visible || isLiveMode());
}

QString MotionCorrectionPanel::inputPath() const { return input_->path(); }

void MotionCorrectionPanel::setInputPath(const QString& path) {
  input_->setPath(path);
  loadOriginal(path);
}

void MotionCorrectionPanel::updateDefaultOutputs() {
  const DefaultOutputs d = defaultOutputsFor(inputPath());
  const QMap<QString, QString> defaults = {{QStringLiteral("output"), d.realigned},
                                           {QStringLiteral("mean"), d.mean},
                                           {QStringLiteral("params"), d.parameters},
                                           {QStringLiteral("confounds"), d.confounds}};
  const QMap<QString, PathChooser*> fields = {{QStringLiteral("output"), realigned_},
                                              {QStringLiteral("mean"), mean_},
                                              {QStringLiteral("params"), parameters_},
                                              {QStringLiteral("confounds"), confounds_}};
  // A field the user typed into keeps its text; one still showing the previous default follows the input.
  for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
    const QString current = it.value()->path();
    if (current.isEmpty() || current == lastDefaults_.value(it.key())) it.value()->setPath(defaults.value(it.key()));
  }
  lastDefaults_ = defaults;
}

void MotionCorrectionPanel::updateEnabledState() {
  const bool idle = !isRunning();
  const bool images = !estimateOnly_->isChecked();
  const bool frameReference = reference_->currentData().toString() == QLatin1String("frame");
  const bool mpi = backend_->currentData().toString() == QLatin1String("mpi");
  for (QWidget* w : std::initializer_list<QWidget*>{input_, parameters_, confounds_, transforms_, weight_, reference_,
                                                     estimateOnly_, backend_, ranks_, threads_, quality_, separation_,
                                                     fwhm_, estimationInterpolation_})
    w->setEnabled(idle);
  // Estimate-only writes no images, so the image outputs and their options do not apply.
  for (QWidget* w : std::initializer_list<QWidget*>{realigned_, mean_, resliceInterpolation_, mask_})
    w->setEnabled(idle && images);
  for (QWidget* w : std::initializer_list<QWidget*>{liveMode_, liveFolder_, liveTr_, liveThreshold_, liveFrames_,
                                                     liveTimeout_, liveParameters_, liveConfounds_})
    w->setEnabled(idle);
  referenceFrame_->setVisible(frameReference);
  referenceFrame_->setEnabled(idle && frameReference);
  ranks_->setVisible(mpi);
  runButton_->setEnabled(idle);
  cancelButton_->setEnabled(!idle);
}

void MotionCorrectionPanel::setStatus(const QString& text) {
  status_->setText(text);
  fitLabelHeights();
}

void MotionCorrectionPanel::fitLabelHeights() {
  // Splitters ignore height-for-width: wrapped messages get the lines they need at the current width.
  for (QLabel* label : {status_, error_}) {
    const int width = label->width() > 50 ? label->width() : 300;
    label->setMinimumHeight(label->isHidden() || label->text().isEmpty() ? 0 : label->heightForWidth(width));
  }
}

void MotionCorrectionPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitLabelHeights();
}

QString MotionCorrectionPanel::statusText() const { return status_->text(); }

QString MotionCorrectionPanel::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

void MotionCorrectionPanel::showError(const QString& message) {
  error_->setText(message);
  error_->show();
  fitLabelHeights();
}

void MotionCorrectionPanel::clearError() {
  error_->clear();
  error_->hide();
  fitLabelHeights();
}

}  // namespace mc
