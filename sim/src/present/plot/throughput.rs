//! Rates over the run: server messages (node↔node, node↔service) sent and client operations started per second.

use plotters::prelude::*;

use crate::figures::draw::{FONT, POINT, Res, SECOND, axes, legend, shade, titled, top};
use crate::history::OpType;
use crate::report::Report;

/// Client operations invoked during each second since the run started.
fn ops_per_second(report: &Report) -> Vec<u64> {
    let mut out = Vec::new();
    for op in report.history.ops() {
        if op.kind == OpType::Invoke && op.is_client() {
            let s = usize::try_from(op.time_ns / 1_000_000_000).unwrap_or(usize::MAX);
            if out.len() <= s {
                out.resize(s + 1, 0);
            }
            out[s] += 1;
        }
    }
    out
}

/// One bar per second: `(second, count)` drawn from `s` to `s + 1`.
fn per_second_panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    report: &Report,
    counts: &[u64],
    (caption, y_desc, colour): (&str, &str, RGBColor),
    x_max: f64,
) -> Res {
    let y_max = top(counts.iter().copied().max().unwrap_or(0) as f64);
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .caption(caption, (FONT, 16))
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    axes(&mut chart, "time (s since the run started)", y_desc)?;
    shade(&mut chart, &report.plot_input(), y_max)?;
    let mut steps = Vec::with_capacity(2 * counts.len() + 1);
    for (s, &n) in counts.iter().enumerate() {
        steps.push((s as f64, n as f64));
        steps.push(((s + 1) as f64, n as f64));
    }
    chart.draw_series(
        AreaSeries::new(steps, 0.0, colour.mix(0.25)).border_style(colour.stroke_width(2)),
    )?;
    legend(&mut chart)
}

/// Server messages (node↔node and node↔service, as `:net :servers` counts them) and client
/// operations per second, in two panels.
pub(crate) fn per_second(report: &Report, svg: &mut String) -> Res {
    let root = SVGBackend::with_string(svg, (1100, 760)).into_drawing_area();
    let area = titled(
        &root,
        "Messages and operations per second",
        &report.plot_input(),
    )?;
    let (upper, lower) = area.split_vertically(349);
    let x_max = (report.end.as_micros() as f64 / 1e6).ceil().max(1.0);
    let servers = &report.server_sends_per_second;
    let what = (
        "server messages (node↔node, node↔service) sent per second",
        "messages / s",
        POINT,
    );
    per_second_panel(&upper, report, servers, what, x_max)?;
    let what = (
        "client operations started per second",
        "operations / s",
        SECOND,
    );
    per_second_panel(&lower, report, &ops_per_second(report), what, x_max)?;
    root.present()?;
    Ok(())
}
