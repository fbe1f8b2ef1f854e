//! A metric's daily rate as a chart: bars in the terminal, or an SVG file.

use std::path::Path;

use plotters::prelude::*;
use sellerhealth_proto::v1 as pb;

use crate::table::{date, percent};

/// One day of a history: the date, the rate, and whether it was BAD.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The rate as a ratio (0.0125 = 1.25%).
    pub rate: f64,
    /// Numerator and denominator.
    pub counts: (i64, i64),
    /// The day's status was BAD.
    pub bad: bool,
    /// The day had nothing to count (NONE).
    pub none: bool,
}

/// The days of a wire history.
pub fn points(history: &pb::MetricHistory) -> Vec<Point> {
    history
        .days
        .iter()
        .map(|day| Point {
            date: date(day.date.as_ref()),
            rate: day.rate.unwrap_or_default(),
            counts: (day.numerator, day.denominator),
            bad: day.status == pb::MetricStatus::Bad as i32,
            none: day.status == pb::MetricStatus::None as i32,
        })
        .collect()
}

/// Width of the bar area in the terminal, in characters.
const BAR_WIDTH: usize = 40;

/// One line per day: date, a bar scaled so the largest of the rates and the
/// target fills 40 cells, a `|` where the target falls, the rate and counts,
/// and `BAD` on BAD days.
pub fn terminal(title: &str, points: &[Point], target: f64) -> String {
    let top = points.iter().map(|p| p.rate).fold(target, f64::max).max(f64::EPSILON);
    let scale = |value: f64| ((value / top) * BAR_WIDTH as f64).round() as usize;
    let target_at = scale(target).min(BAR_WIDTH);
    let bad_days = points.iter().filter(|p| p.bad).count();
    let mut out = format!("{title}: target {} at |, {bad_days} BAD day(s)\n", percent(target));
    for point in points {
        let filled = scale(point.rate).min(BAR_WIDTH + 1);
        let bar: String = (0..=BAR_WIDTH)
            .map(|i| match (i < filled, i == target_at) {
                (_, true) => '|',
                (true, false) => '█',
                (false, false) => ' ',
            })
            .collect();
        let figure = if point.none {
            "  none".to_owned()
        } else {
            format!("{:>7} ({}/{})", percent(point.rate), point.counts.0, point.counts.1)
        };
        let mark = if point.bad { "  BAD" } else { "" };
        out.push_str(&format!("{} {bar} {figure}{mark}\n", point.date));
    }
    out
}

/// Writes the history as an SVG line chart with the target as a dashed line
/// and BAD days as red dots.
pub fn svg(path: &Path, title: &str, points: &[Point], target: f64) -> anyhow::Result<()> {
    let top = points.iter().map(|p| p.rate).fold(target, f64::max).max(0.0001) * 1.2;
    let root = SVGBackend::new(path, (960, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let last_day = i32::try_from(points.len()).unwrap_or(i32::MAX).saturating_sub(1).max(0);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0..last_day, 0.0..top * 100.0)?;
    let labels: Vec<String> = points.iter().map(|p| p.date.clone()).collect();
    chart
        .configure_mesh()
        .x_labels(8)
        .x_label_formatter(&|i| labels.get(*i as usize).cloned().unwrap_or_default())
        .y_desc("rate (%)")
        .draw()?;
    chart
        .draw_series(LineSeries::new(points.iter().enumerate().map(|(i, p)| (i as i32, p.rate * 100.0)), &BLUE))?
        .label("rate")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x.saturating_add(20), y)], BLUE));
    chart
        .draw_series(DashedLineSeries::new(
            [(0, target * 100.0), (last_day, target * 100.0)],
            8,
            4,
            BLACK.stroke_width(1),
        ))?
        .label("target")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x.saturating_add(20), y)], BLACK));
    chart
        .draw_series(
            points
                .iter()
                .enumerate()
                .filter(|(_, p)| p.bad)
                .map(|(i, p)| Circle::new((i as i32, p.rate * 100.0), 4, RED.filled())),
        )?
        .label("BAD day")
        .legend(|(x, y)| Circle::new((x.saturating_add(10), y), 4, RED.filled()));
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(date: &str, rate: f64, bad: bool) -> Point {
        Point { date: date.into(), rate, counts: ((rate * 100.0) as i64, 100), bad, none: false }
    }

    #[test]
    fn bars_scale_to_the_largest_rate_and_mark_the_target_and_bad_days() {
        let chart = terminal("ODR", &[point("2026-05-01", 0.005, false), point("2026-05-02", 0.02, true)], 0.01);
        let lines: Vec<&str> = chart.lines().collect();
        assert_eq!(lines[0], "ODR: target 1.00% at |, 1 BAD day(s)");
        // 0.5% of a 2% top is 10 of 40 cells; the target (1%) sits at cell 20.
        assert_eq!(
            lines[1],
            format!("2026-05-01 {}{}|{} {:>7} (0/100)", "█".repeat(10), " ".repeat(10), " ".repeat(20), "0.50%")
        );
        // 2% fills the 40 cells (the target's cell shows |); the 41st stays blank.
        assert_eq!(lines[2], format!("2026-05-02 {}|{}  {:>7} (2/100)  BAD", "█".repeat(20), "█".repeat(19), "2.00%"));
    }
}
