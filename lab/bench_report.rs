//! The benchmark's record: samples per operation and size, the markdown
//! table and the SVG plot (time against table size, one panel per
//! operation: ipvsadm 1.31, ours, and the floor or reference).

use std::collections::BTreeMap;

use plotters::prelude::*;

use crate::bench_run::median;

/// What an operation is compared with besides ipvsadm, and its goal.
pub struct OpInfo {
    pub key: &'static str,
    pub label: &'static str,
    /// The reference column's meaning ("" when ipvsadm is the reference).
    pub reference: &'static str,
    /// The goal: ours ÷ reference (or ÷ ipvsadm when no reference) ≤ this.
    pub goal: f64,
}

pub const OPS: &[OpInfo] = &[
    OpInfo {
        key: "restore",
        label: "`-R` (restore)",
        reference: "kernel floor",
        goal: 1.2,
    },
    OpInfo {
        key: "list",
        label: "`-L -n`",
        reference: "dump floor",
        goal: 1.1,
    },
    OpInfo {
        key: "save",
        label: "`-S -n`",
        reference: "dump floor",
        goal: 1.1,
    },
    OpInfo {
        key: "apply-empty",
        label: "`apply`, empty table",
        reference: "our `-R`",
        goal: 1.1,
    },
    OpInfo {
        key: "apply-noop",
        label: "`apply`, no change",
        reference: "our `-S -n`",
        goal: 1.2,
    },
    OpInfo {
        key: "apply-1pct",
        label: "`apply`, 1 % of servers changed",
        reference: "our `-S -n`",
        goal: 1.3,
    },
    OpInfo {
        key: "apply-dry",
        label: "`apply --dry-run`, 1 %",
        reference: "our `-S -n`",
        goal: 1.3,
    },
    OpInfo {
        key: "conn",
        label: "`-L -c`",
        reference: "",
        goal: 1.0,
    },
    OpInfo {
        key: "conn-n",
        label: "`-L -c -n`",
        reference: "",
        goal: 1.0,
    },
    OpInfo {
        key: "single-a",
        label: "single `-a`",
        reference: "",
        goal: 0.5,
    },
    OpInfo {
        key: "single-e",
        label: "single `-e`",
        reference: "",
        goal: 0.5,
    },
];

/// The samples of one operation at one size.
#[derive(Default)]
pub struct Cell {
    pub real: Vec<f64>,
    pub ours: Vec<f64>,
    pub refr: Vec<f64>,
    pub rss_real: i64,
    pub rss_ours: i64,
    /// What was measured ("1000 svc / 4000 obj", "100000 entries").
    pub what: String,
}

impl Cell {
    pub fn rss(&mut self, real: bool, kib: i64) {
        let r = if real {
            &mut self.rss_real
        } else {
            &mut self.rss_ours
        };
        *r = (*r).max(kib);
    }
}

/// All cells: operation key → services → cell.
#[derive(Default)]
pub struct Record {
    pub cells: BTreeMap<&'static str, BTreeMap<usize, Cell>>,
    /// Repeats per size.
    pub reps: BTreeMap<usize, usize>,
}

impl Record {
    /// The apply rows' references are our own `-R` and `-S -n` of the
    /// same size, where the run measured them.
    pub fn fill_refs(&mut self) {
        let sizes: Vec<usize> = self.reps.keys().copied().collect();
        for n in sizes {
            for (key, from) in [
                ("apply-empty", "restore"),
                ("apply-noop", "save"),
                ("apply-1pct", "save"),
                ("apply-dry", "save"),
            ] {
                let src = self
                    .cells
                    .get(from)
                    .and_then(|m| m.get(&n))
                    .map(|c| c.ours.clone());
                if let (Some(src), Some(c)) =
                    (src, self.cells.get_mut(key).and_then(|m| m.get_mut(&n)))
                {
                    if c.refr.is_empty() {
                        c.refr = src;
                    }
                }
            }
        }
    }

    pub fn cell(&mut self, key: &'static str, n: usize) -> &mut Cell {
        self.cells.entry(key).or_default().entry(n).or_default()
    }
}

fn secs(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else {
        format!("{v:.3}")
    }
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_nan() || b.is_nan() {
        "—".into()
    } else {
        format!("{:.2}", a / b)
    }
}

/// One markdown row.
fn row(op: &OpInfo, c: &Cell, reps: usize) -> String {
    let (real, ours, refr) = (median(&c.real), median(&c.ours), median(&c.refr));
    let base = if op.reference.is_empty() { real } else { refr };
    let met = if (ours / base) <= op.goal {
        "yes"
    } else {
        "**no**"
    };
    let goal = if op.reference.is_empty() {
        format!("≤ {} × 1.31: {met}", op.goal)
    } else {
        format!("≤ {} × {}: {met}", op.goal, op.reference)
    };
    let rss = match (c.rss_real, c.rss_ours) {
        (-1 | 0, -1 | 0) => "—".to_string(),
        (a, b) if a <= 0 => format!("— / {b}"),
        (a, b) => format!("{a} / {b}"),
    };
    format!(
        "| {} | {} ({}×) | {} | {} | {} | {} | {} | {} | {} |",
        op.label,
        c.what,
        reps,
        secs(real),
        secs(ours),
        ratio(ours, real),
        secs(refr),
        ratio(ours, refr),
        goal,
        rss
    )
}

/// The markdown table, size by size.
pub fn markdown(rec: &Record, header: &str) -> String {
    let mut t = format!("{header}\n\n");
    t += "| operation | table (runs) | ipvsadm 1.31 (s) | ipvsadm-rs (s) | rs ÷ 1.31 \
          | floor / reference (s) | rs ÷ ref | goal | peak RSS KiB (1.31 / rs) |\n";
    t += "|---|---|---:|---:|---:|---:|---:|---|---:|\n";
    for (&n, &reps) in &rec.reps {
        for op in OPS {
            if let Some(c) = rec.cells.get(op.key).and_then(|m| m.get(&n)) {
                t += &row(op, c, reps);
                t.push('\n');
            }
        }
    }
    t
}

/// The three series of a panel: (name, colour, points).
type Series = Vec<(String, RGBColor, Vec<(f64, f64)>)>;

fn series(op: &OpInfo, cells: &BTreeMap<usize, Cell>) -> Series {
    let pts = |f: &dyn Fn(&Cell) -> f64| -> Vec<(f64, f64)> {
        cells
            .iter()
            .map(|(&n, c)| (n as f64, f(c)))
            .filter(|(_, v)| v.is_finite() && *v > 0.0)
            .collect()
    };
    let (real, ours) = (RGBColor(200, 60, 40), RGBColor(30, 100, 200));
    vec![
        ("ipvsadm 1.31".into(), real, pts(&|c| median(&c.real))),
        ("ipvsadm-rs".into(), ours, pts(&|c| median(&c.ours))),
        (
            op.reference.replace('`', ""),
            GREY,
            pts(&|c| median(&c.refr)),
        ),
    ]
}

const GREY: RGBColor = RGBColor(90, 90, 90);

/// Bounds of a panel's values (log axes need positive ones).
fn bounds(s: &Series) -> (f64, f64, f64, f64) {
    let all = s.iter().flat_map(|(_, _, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, 0f64, f64::MAX, 0f64);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    (x0 * 0.8, x1 * 1.25, y0 * 0.7, y1 * 1.4)
}

/// Draw one panel onto `area`.
fn panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    op: &OpInfo,
    s: &Series,
) -> Result<(), Box<dyn std::error::Error>> {
    let (x0, x1, y0, y1) = bounds(s);
    let title = op.label.replace('`', "");
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("services")
        .y_desc("seconds")
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| format!("{}k", (v / 1000.0).round()))
        .y_label_formatter(&|v| format!("{v:.3}"))
        .label_style(("sans-serif", 11))
        .draw()?;
    for (name, colour, pts) in s.iter().filter(|(_, _, p)| !p.is_empty()) {
        let c = *colour;
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
        chart.draw_series(PointSeries::of_element(pts.clone(), 3, c, &|p, s, st| {
            Circle::new(p, s, st.filled())
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 11))
        .draw()?;
    Ok(())
}

/// The plot: one panel per operation measured at two sizes or more.
pub fn svg(rec: &Record, path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let panels: Vec<(&OpInfo, Series)> = OPS
        .iter()
        .filter_map(|op| rec.cells.get(op.key).map(|c| (op, series(op, c))))
        .filter(|(_, s)| s.iter().any(|(_, _, p)| !p.is_empty()))
        .collect();
    if panels.is_empty() {
        return Ok(());
    }
    let cols = 3usize;
    let rows = panels.len().div_ceil(cols);
    let root = SVGBackend::new(path, (cols as u32 * 360, rows as u32 * 270)).into_drawing_area();
    root.fill(&WHITE)?;
    let areas = root.split_evenly((rows, cols));
    for ((op, s), area) in panels.iter().zip(areas.iter()) {
        panel(area, op, s)?;
    }
    root.present()?;
    Ok(())
}
