//! Hand-written SVG pieces of the diagram: document, style, arrowheads, header, legend, bands.
//! Styles are CSS classes so each of thousands of arrows costs a few bytes.

use std::fmt::Write;

use super::{Frame, escape};

/// Colours in pairs (a request type dark, its `_ok` reply light), Tableau's 20.
const PALETTE: [&str; 20] = [
    "#1f77b4", "#7fb0dc", "#ff7f0e", "#ffb26e", "#2ca02c", "#82d17c", "#d62728", "#f08a89",
    "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#b7b7b7",
    "#bcbd22", "#dbdb8d", "#17becf", "#9edae5",
];

/// The colour of colour index `i` (wrapping after 20).
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

const STYLE: &str = "text{font-family:sans-serif}\
.m{stroke-width:1.3;fill:none}.m.c{stroke-opacity:.5}\
.m:hover{stroke-width:4;stroke-opacity:1}\
.lost{stroke-dasharray:4 3}\
.lane{stroke:#d0d0d0}.lane.node{stroke:#707070}.lane.service{stroke:#a0a0a0}\
.lbl{font-size:11px;fill:#555}.lbl.node{font-weight:bold;fill:#222}\
.grid{stroke:#000;stroke-opacity:.07}.tick{font-size:11px;text-anchor:end;fill:#555}\
.part{fill:#d62728;fill-opacity:.12}.after{fill:#000;fill-opacity:.07}\
.down{fill:#000;fill-opacity:.35}.paused{fill:#1f5fd6;fill-opacity:.3}\
.band{font-size:11px;fill:#933}\
.title{font-size:18px;font-weight:bold}.sub{font-size:13px;fill:#555}.note{font-size:12px}\
.leg{font-size:12px}\
.cut{fill:#fff}.zig{fill:none;stroke:#999}.cutlbl{font-size:12px;fill:#666;font-style:italic}";

/// `<svg>` with the style sheet, one arrowhead per colour used (`n` colour indices) and a
/// cross for messages never delivered.
pub fn open(width: f64, height: f64, colours: usize) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\">\n<style>{STYLE}"
    );
    for i in 0..colours.min(PALETTE.len()) {
        let _ = write!(out, ".k{i}{{stroke:{};marker-end:url(#a{i})}}", colour(i));
    }
    out.push_str(".lost{marker-end:url(#x)}</style>\n<defs>");
    for i in 0..colours.min(PALETTE.len()) {
        let _ = write!(
            out,
            r#"<marker id="a{i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1L10,5L0,9z" fill="{}"/></marker>"#,
            colour(i)
        );
    }
    out.push_str(
        r##"<marker id="x" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse"><path d="M1,1L9,9M9,1L1,9" stroke="#b00" stroke-width="2"/></marker>"##,
    );
    let _ = writeln!(
        out,
        "</defs>\n<rect width=\"{width:.0}\" height=\"{height:.0}\" fill=\"white\"/>"
    );
    out
}

/// Splits `text` into lines of at most about `width` pixels of 12 px text.
pub fn wrap(text: &str, width: f64) -> Vec<String> {
    let max = ((width / 6.6) as usize).max(20);
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("never empty");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > max {
            lines.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// Title, the run's subtitle and the (wrapped) note; returns the y below them.
pub fn header(out: &mut String, width: f64, title: &str, frame: &Frame, note: &str) -> f64 {
    let _ = writeln!(
        out,
        r#"<text class="title" x="16" y="28">{}</text><text class="sub" x="16" y="50">{}</text>"#,
        escape(title),
        escape(&frame.subtitle)
    );
    let mut y = 72.0;
    for line in wrap(note, width - 32.0) {
        let _ = writeln!(
            out,
            r#"<text class="note" x="16" y="{y}">{}</text>"#,
            escape(&line)
        );
        y += 16.0;
    }
    y + 4.0
}

/// Height of the header for a note of this length at this width.
pub fn header_height(width: f64, note: &str) -> f64 {
    72.0 + 16.0 * wrap(note, width - 32.0).len() as f64 + 4.0
}

/// A shaded band across the lanes from `y0` to `y1`, labelled at its top left.
pub fn hband(out: &mut String, x0: f64, x1: f64, (y0, y1): (f64, f64), class: &str, label: &str) {
    let _ = writeln!(
        out,
        r#"<rect class="{class}" x="{x0:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}"><title>{label}</title></rect><text class="band" x="{:.1}" y="{:.1}">{label}</text>"#,
        x1 - x0,
        y1 - y0,
        x0 + 2.0,
        y0 + 12.0
    );
}

/// A legend: coloured arrows with their labels, wrapped into rows.
#[derive(Debug, Default)]
pub struct Legend {
    /// Colour (empty: the never-delivered sample), label, width.
    items: Vec<(String, String, f64)>,
    rows: Vec<Vec<usize>>,
}

impl Legend {
    /// Adds an arrow of this colour, with this label.
    pub fn swatch(&mut self, colour: &str, label: &str) {
        let w = 34.0 + 6.6 * label.chars().count() as f64 + 18.0;
        self.items.push((colour.to_owned(), label.to_owned(), w));
    }

    /// Adds the sample of a message never delivered (dashed, ending in a cross).
    pub fn lost(&mut self, label: &str) {
        self.swatch("", label);
    }

    /// Lays the items out in rows at most `width` wide.
    pub fn wrap(&mut self, width: f64) {
        self.rows = vec![Vec::new()];
        let mut x = 0.0;
        for (i, item) in self.items.iter().enumerate() {
            let row = self.rows.last_mut().expect("never empty");
            if !row.is_empty() && x + item.2 > width {
                self.rows.push(vec![i]);
                x = item.2;
            } else {
                row.push(i);
                x += item.2;
            }
        }
    }

    /// Its height once wrapped.
    pub fn height(&self) -> f64 {
        20.0 * self.rows.len() as f64
    }

    /// Draws it with its top left at (`x`, `y`).
    pub fn draw(&self, out: &mut String, x: f64, y: f64) {
        for (r, row) in self.rows.iter().enumerate() {
            let cy = y + 10.0 + 20.0 * r as f64;
            let mut cx = x;
            for &i in row {
                let (colour, label, w) = &self.items[i];
                if colour.is_empty() {
                    let _ = writeln!(
                        out,
                        r##"<path d="M{cx:.1},{cy:.1}h26" stroke="#666" stroke-width="1.5" stroke-dasharray="4 3" marker-end="url(#x)"/><text class="leg" x="{:.1}" y="{:.1}">{}</text>"##,
                        cx + 34.0,
                        cy + 4.0,
                        escape(label)
                    );
                    cx += w;
                    continue;
                }
                let _ = writeln!(
                    out,
                    r#"<path d="M{cx:.1},{cy:.1}h22" stroke="{colour}" stroke-width="2.5"/><path d="M{:.1},{:.1}l8,4l-8,4z" fill="{colour}"/><text class="leg" x="{:.1}" y="{:.1}">{}</text>"#,
                    cx + 20.0,
                    cy - 4.0,
                    cx + 34.0,
                    cy + 4.0,
                    escape(label)
                );
                cx += w;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_wrap_at_word_boundaries() {
        let lines = wrap("aaaa bbbb cccc dddd eeee ffff", 6.6 * 20.0);
        assert_eq!(lines, vec!["aaaa bbbb cccc dddd", "eeee ffff"]);
        assert_eq!(wrap("short", 800.0), vec!["short"]);
    }

    #[test]
    fn legends_wrap_into_rows_within_the_width() {
        let mut legend = Legend::default();
        for label in [
            "broadcast (10)",
            "broadcast_ok (10)",
            "gossip (4)",
            "read (3)",
        ] {
            legend.swatch(colour(0), label);
        }
        legend.wrap(300.0);
        assert!(legend.rows.len() >= 2);
        for row in &legend.rows {
            let w: f64 = row.iter().map(|&i| legend.items[i].2).sum();
            assert!(row.len() == 1 || w <= 300.0, "{w}");
        }
        assert_eq!(legend.height(), 20.0 * legend.rows.len() as f64);
    }
}
