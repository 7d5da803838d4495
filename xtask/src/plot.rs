//! SVG figures: one or more panels side by side, each with lines, shaded spreads, points and
//! dashed reference lines, on linear or log axes.
//!
//! The font is rp-design's embedded DejaVu Sans (registered through
//! `rp_design::output::ensure_font`), so rendering never depends on the machine's fonts. Zeros on a log axis cannot be drawn:
//! they are lifted to the axis floor (a decade below the smallest positive value), and each
//! figure's caption or index says so.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

use crate::error::XtaskError;

/// A palette that stays distinguishable in grey scale order.
pub const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(90, 90, 90),
];

/// How a series is drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Style {
    /// A solid line through the points.
    Line,
    /// A dashed line through the points.
    Dashed,
    /// Markers only.
    Points,
    /// A shaded band between `lower` and `upper` (the points are `(x, lower)` and the band's
    /// upper edge is in [`Series::upper`]).
    Band,
}

/// One series of a panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend label (empty: not in the legend).
    pub label: String,
    /// Colour index into [`COLORS`].
    pub color: usize,
    /// How it is drawn.
    pub style: Style,
    /// The points `(x, y)` (for a band: `(x, lower)`).
    pub points: Vec<(f64, f64)>,
    /// For a band: the upper edge, one value per point.
    pub upper: Vec<f64>,
}

impl Series {
    /// A series of `style` with no band.
    pub fn new(label: &str, color: usize, style: Style, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.to_string(),
            color,
            style,
            points,
            upper: Vec::new(),
        }
    }

    /// A shaded band between `lower` and `upper` at the `x` values.
    pub fn band(label: &str, color: usize, x: &[f64], lower: &[f64], upper: &[f64]) -> Self {
        Self {
            label: label.to_string(),
            color,
            style: Style::Band,
            points: x.iter().copied().zip(lower.iter().copied()).collect(),
            upper: upper.to_vec(),
        }
    }

    /// Every y value the series draws.
    fn ys(&self) -> impl Iterator<Item = f64> + '_ {
        self.points
            .iter()
            .map(|p| p.1)
            .chain(self.upper.iter().copied())
    }
}

/// Where a panel's legend goes (chosen per figure so it covers no curve).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Legend {
    /// Top right (default).
    #[default]
    UpperRight,
    /// Bottom left.
    LowerLeft,
    /// Bottom right.
    LowerRight,
}

impl Legend {
    fn position(self) -> SeriesLabelPosition {
        match self {
            Legend::UpperRight => SeriesLabelPosition::UpperRight,
            Legend::LowerLeft => SeriesLabelPosition::LowerLeft,
            Legend::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// One panel: axes, labels and series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panel {
    /// Title above the panel.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// Log-scale x axis.
    pub x_log: bool,
    /// Log-scale y axis.
    pub y_log: bool,
    /// Fixed y range (otherwise from the data).
    pub y_range: Option<(f64, f64)>,
    /// The series, drawn in order.
    pub series: Vec<Series>,
    /// Legend position.
    pub legend: Legend,
    /// A panel with no series shows this text instead (e.g. why a panel is missing).
    pub note: Option<String>,
}

/// The drawn range `[lo, hi]` of `values` on a linear or log axis. Log: from a decade below
/// the smallest positive value to twice the largest (positive values only); linear: the
/// extremes padded by 5% (or by 1e-3 of the magnitude when constant). Empty or non-finite
/// input gives `(0, 1)` (log: `(0.1, 1)`).
pub fn axis_range(values: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let finite: Vec<f64> = values
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if finite.is_empty() {
        return if log { (0.1, 1.0) } else { (0.0, 1.0) };
    }
    if log {
        let top = if hi > lo { hi * 2.0 } else { hi * 10.0 };
        (lo / 10.0, top)
    } else {
        let pad = if hi > lo {
            0.05 * (hi - lo)
        } else {
            1e-3 * hi.abs().max(1.0)
        };
        (lo - pad, hi + pad)
    }
}

/// Registers rp-design's embedded font (DejaVu Sans) as `"sans-serif"`, once.
fn ensure_font() -> Result<(), XtaskError> {
    rp_design::output::ensure_font().map_err(|e| XtaskError::Plot(e.to_string()))
}

fn plot_err(e: impl std::fmt::Display) -> XtaskError {
    XtaskError::Plot(e.to_string())
}

/// Renders `panels` side by side under `caption` into the SVG at `path` (each panel 560 x 480
/// pixels); with `png`, also a PNG preview next to it (same drawing, bitmap backend).
pub fn render(path: &Path, caption: &str, panels: &[Panel], png: bool) -> Result<(), XtaskError> {
    ensure_font()?;
    let size = (560 * panels.len().max(1) as u32, 480);
    draw(
        &SVGBackend::new(path, size).into_drawing_area(),
        caption,
        panels,
    )?;
    if png {
        let png_path = path.with_extension("png");
        draw(
            &BitMapBackend::new(&png_path, size).into_drawing_area(),
            caption,
            panels,
        )?;
    }
    Ok(())
}

/// The figure on any backend.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    caption: &str,
    panels: &[Panel],
) -> Result<(), XtaskError> {
    root.fill(&WHITE).map_err(plot_err)?;
    let body = root.titled(caption, ("sans-serif", 18)).map_err(plot_err)?;
    let areas = body.split_evenly((1, panels.len().max(1)));
    for (panel, area) in panels.iter().zip(&areas) {
        draw_panel(area, panel)?;
    }
    root.present().map_err(plot_err)
}

/// One panel in its area: picks the axes (log or linear on each side) and draws.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), XtaskError> {
    if let (true, Some(note)) = (panel.series.is_empty(), &panel.note) {
        return draw_note(area, &panel.title, note);
    }
    let xs = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0));
    let (x0, x1) = axis_range(xs, panel.x_log);
    let (x0, x1) = if panel.x_log {
        (x0 * 5.0, x1 / 1.5)
    } else {
        (x0, x1)
    };
    let ys = panel.series.iter().flat_map(Series::ys);
    let (y0, y1) = panel.y_range.unwrap_or_else(|| axis_range(ys, panel.y_log));
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&panel.title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70);
    match (panel.x_log, panel.y_log) {
        (false, false) => {
            let chart = builder
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(plot_err)?;
            finish(chart, panel, y0)
        }
        (false, true) => {
            let chart = builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(plot_err)?;
            finish(chart, panel, y0)
        }
        (true, false) => {
            let x = (x0..x1).log_scale().with_key_points(x_ticks(panel));
            let chart = builder.build_cartesian_2d(x, y0..y1).map_err(plot_err)?;
            finish(chart, panel, y0)
        }
        (true, true) => {
            let x = (x0..x1).log_scale().with_key_points(x_ticks(panel));
            let chart = builder
                .build_cartesian_2d(x, (y0..y1).log_scale())
                .map_err(plot_err)?;
            finish(chart, panel, y0)
        }
    }
}

/// The tick positions of a log x axis: the distinct x values of the data (plotters' own log
/// ticks label only whole decades, or every sub-decade and then collide).
fn x_ticks(panel: &Panel) -> Vec<f64> {
    let mut xs: Vec<f64> = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs
}

/// A framed panel with a title and a few lines of text instead of a chart.
fn draw_note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
) -> Result<(), XtaskError> {
    let inner = area.margin(40, 40, 20, 20);
    let (w, h) = inner.dim_in_pixel();
    inner
        .draw(&Rectangle::new(
            [(0, 0), (w as i32 - 1, h as i32 - 1)],
            RGBColor(150, 150, 150),
        ))
        .map_err(plot_err)?;
    let style = ("sans-serif", 15).into_font().color(&COLORS[1]);
    inner
        .draw(&Text::new(title.to_string(), (12, 14), style.clone()))
        .map_err(plot_err)?;
    // Wrap at about 60 characters (the panel is 560 pixels wide).
    let mut lines = vec![String::new()];
    for word in note.split_whitespace() {
        if lines.last().is_some_and(|l| l.len() + word.len() > 60) {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    let text = ("sans-serif", 13).into_font().color(&BLACK);
    for (i, line) in lines.iter().enumerate() {
        inner
            .draw(&Text::new(
                line.clone(),
                (12, 50 + 20 * i as i32),
                text.clone(),
            ))
            .map_err(plot_err)?;
    }
    Ok(())
}

/// Mesh, series and legend on a built chart; y values below `floor` are drawn at it.
fn finish<'a, DB: DrawingBackend + 'a, X, Y>(
    mut chart: ChartContext<'a, DB, Cartesian2d<X, Y>>,
    panel: &Panel,
    floor: f64,
) -> Result<(), XtaskError>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(&panel.x_label)
        .y_desc(&panel.y_label)
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .draw()
        .map_err(plot_err)?;
    let lift = |y: f64| if y.is_finite() && y > floor { y } else { floor };
    let mut labelled = false;
    for s in &panel.series {
        let color = COLORS[s.color % COLORS.len()];
        let points: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|p| p.0.is_finite())
            .map(|&(x, y)| (x, lift(y)))
            .collect();
        let anno = match s.style {
            Style::Line => chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(plot_err)?,
            Style::Dashed => chart
                .draw_series(DashedLineSeries::new(points, 6, 4, color.stroke_width(2)))
                .map_err(plot_err)?,
            Style::Points => chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, color.mix(0.7).filled())),
                )
                .map_err(plot_err)?,
            Style::Band => {
                let mut polygon = points.clone();
                polygon.extend(
                    s.points
                        .iter()
                        .zip(&s.upper)
                        .rev()
                        .map(|(p, &u)| (p.0, lift(u))),
                );
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        polygon,
                        color.mix(0.2).filled(),
                    )))
                    .map_err(plot_err)?
            }
        };
        if !s.label.is_empty() {
            labelled = true;
            let style = s.style.clone();
            anno.label(s.label.clone())
                .legend(move |(x, y)| match style {
                    Style::Band => {
                        Rectangle::new([(x, y - 5), (x + 20, y + 5)], color.mix(0.2).filled())
                            .into_dyn()
                    }
                    Style::Points => Circle::new((x + 10, y), 3, color.filled()).into_dyn(),
                    _ => PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                        .into_dyn(),
                });
        }
    }
    if labelled {
        chart
            .configure_series_labels()
            .position(panel.legend.position())
            .border_style(BLACK)
            .background_style(WHITE.mix(0.85))
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(plot_err)?;
    }
    Ok(())
}

/// Axis tick text: plain for moderate magnitudes, scientific otherwise.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.0e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_range_spans_a_decade_below_the_smallest_positive() {
        // Positive values 1e-4 .. 1e-2 (the zero and the NaN are dropped): [1e-5, 2e-2].
        let (lo, hi) = axis_range([0.0, 1e-4, 1e-2, f64::NAN].into_iter(), true);
        assert!((lo - 1e-5).abs() < 1e-20 && (hi - 2e-2).abs() < 1e-15);
        assert_eq!(axis_range(std::iter::empty(), true), (0.1, 1.0));
    }

    #[test]
    fn linear_range_pads_five_percent() {
        // 0 .. 10: pad 0.5 each side.
        assert_eq!(
            axis_range([0.0, 10.0, 4.0].into_iter(), false),
            (-0.5, 10.5)
        );
        // Constant 2: pad 1e-3 * max(|2|, 1) = 2e-3.
        let (lo, hi) = axis_range([2.0, 2.0].into_iter(), false);
        assert!((lo - 1.998).abs() < 1e-12 && (hi - 2.002).abs() < 1e-12);
    }

    #[test]
    fn tick_text() {
        assert_eq!(short(0.0), "0");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(1e-6), "1e-6");
        assert_eq!(short(250.0), "250");
    }

    #[test]
    fn renders_a_two_panel_svg_with_embedded_font() {
        let dir = std::env::temp_dir().join(format!("xtask-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("t.svg");
        let x = [1.0, 2.0, 3.0];
        let panel = Panel {
            title: "left".into(),
            x_label: "t".into(),
            y_label: "gap".into(),
            y_log: true,
            series: vec![
                Series::band("spread", 0, &x, &[0.0, 1e-3, 1e-4], &[1e-2, 2e-3, 1e-3]),
                Series::new(
                    "mean",
                    0,
                    Style::Line,
                    vec![(1.0, 5e-3), (2.0, 1e-3), (3.0, 0.0)],
                ),
            ],
            ..Panel::default()
        };
        let note = Panel {
            title: "missing".into(),
            note: Some("this panel needs data that does not exist yet".into()),
            ..Panel::default()
        };
        let right = Panel {
            title: "right".into(),
            legend: Legend::LowerLeft,
            series: vec![Series::new(
                "pts",
                1,
                Style::Points,
                vec![(0.0, 1.0), (1.0, 2.0)],
            )],
            ..Panel::default()
        };
        render(&path, "caption", &[panel, right, note], true).expect("renders");
        assert!(dir.join("t.png").exists(), "the PNG preview");
        let svg = std::fs::read_to_string(&path).expect("written");
        assert!(svg.starts_with("<svg") && svg.contains("caption") && svg.contains("mean"));
        assert!(
            svg.contains("does not exist yet"),
            "the note of an empty panel is drawn"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
