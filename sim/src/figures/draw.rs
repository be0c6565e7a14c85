//! The plots' common style (feature `present`): plotters' SVG backend (text is left to the
//! viewer's fonts, so no font library is needed), one palette, a title block naming the run,
//! axes, legends, and the shading of partitions and of the time after the time limit. The
//! results folder's generic plots and every workload's own are drawn with these.
//!
//! Times are seconds since the run started (virtual or real, as the report's).

use std::error::Error;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotInput;

/// A chart of the plots: two f64 axes on an SVG.
pub type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// What drawing returns.
pub type Res<T = ()> = Result<T, Box<dyn Error>>;

/// The plots' font family.
pub const FONT: &str = "sans-serif";
/// The ten category colours (d3's and matplotlib's `category10`): the one palette of the
/// results folder's plots and the results browser's comparison charts.
pub const CATEGORY10: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// The colour of points (blue).
pub const POINT: RGBColor = CATEGORY10[0];
/// A second series' colour (orange).
pub const SECOND: RGBColor = CATEGORY10[1];
/// Partitions' colour (red).
pub const PARTITION: RGBColor = CATEGORY10[3];

/// Draws the title block and returns the area left for charts.
pub fn titled<'b>(
    root: &DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    run: &PlotInput<'_>,
) -> Res<DrawingArea<SVGBackend<'b>, plotters::coord::Shift>> {
    root.fill(&WHITE)?;
    let (top, rest) = root.split_vertically(62);
    let (w, _) = top.dim_in_pixel();
    let centre = (w / 2) as i32;
    let style = |size: i32| {
        TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top))
    };
    top.draw_text(title, &style(22), (centre, 8))?;
    top.draw_text(
        &run.subtitle,
        &style(14).color(&RGBColor(90, 90, 90)),
        (centre, 38),
    )?;
    Ok(rest)
}

/// Shades partitions (red) and the time after the time limit (grey), with legend entries.
pub fn shade(chart: &mut Chart<'_, '_>, run: &PlotInput<'_>, y_max: f64) -> Res {
    let (_, limit) = run.window;
    let x_max = chart.x_range().end;
    // From the chart's bottom, not 0: a pn-counter's values go below zero.
    let y_min = chart.y_range().start.min(0.0);
    if limit < x_max {
        chart
            .draw_series([Rectangle::new(
                [(limit, y_min), (x_max, y_max)],
                BLACK.mix(0.07).filled(),
            )])?
            .label("after the time limit")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], BLACK.mix(0.15).filled())
            });
    }
    let parts = run.partitions.clone();
    if !parts.is_empty() {
        let rects = parts.into_iter().map(|(a, b)| {
            Rectangle::new(
                [(a, y_min), (b.min(x_max), y_max)],
                PARTITION.mix(0.13).filled(),
            )
        });
        chart
            .draw_series(rects)?
            .label("partition in force")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], PARTITION.mix(0.25).filled())
            });
    }
    Ok(())
}

/// Draws the grid and both axes of `chart` in the plots' common style, with these titles.
pub fn axes(chart: &mut Chart<'_, '_>, x_desc: &str, y_desc: &str) -> Res {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    Ok(())
}

/// Draws the legend in the upper right corner.
pub fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>) -> Res {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}

/// Axis labels without a pointless `.0`.
pub fn tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').to_string()
    }
}

/// Some headroom above the largest value, never an empty range.
pub fn top(max: f64) -> f64 {
    if max > 0.0 { max * 1.08 } else { 1.0 }
}

/// Runs `draw` on an empty SVG document and returns it as a [`Plot`](super::Plot) named
/// `file_name` that shows `what`; an error names the file.
pub fn plot(
    file_name: &str,
    what: &str,
    draw: impl FnOnce(&mut String) -> Res,
) -> Result<super::Plot, String> {
    let mut svg = String::new();
    draw(&mut svg).map_err(|e| format!("{file_name}: {e}"))?;
    Ok(super::Plot {
        file_name: file_name.to_owned(),
        what: what.to_owned(),
        svg,
    })
}
