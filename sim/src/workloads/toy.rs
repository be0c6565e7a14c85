//! A test-only toy workload, `toy-echo`: proof that a workload, figures and plot included, is
//! one module plus one line in [`super::REGISTRY`]. It speaks echo's protocol (so glomers
//! nodes answer it) with integer payloads; its checker counts the replies that came back
//! equal; it shows that count as its own figure, keeps it in its JSON section and draws its
//! own plot, `toy-echoes.svg`.

use serde_json::{Map, Value, json};

use crate::checkers::{Validity, Verdict, WorkloadResult};
use crate::figures::{Figure, Series};
use crate::history::{Op, OpF, OpType, OpValue};
use crate::workloads::boundary::{Entry, Setup, WorkloadRun};
use crate::workloads::rpc::{self, Reply};
use crate::world::rng::Rng;

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "toy-echo",
    about: "(tests only) echoes of integers, counted",
    options: &[],
    build: |_: &Setup<'_>| Ok(Box::new(Toy)),
};

#[derive(Debug)]
struct Toy;

impl WorkloadRun for Toy {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        (OpF::ECHO, OpValue::Int(rng.below(100) as i64))
    }

    fn request(&self, _f: OpF, value: &OpValue) -> String {
        let v = match value {
            OpValue::Int(v) => *v,
            _ => 0,
        };
        format!("{{\"type\":\"echo\",\"echo\":{v}}}")
    }

    fn reply(&self, _f: OpF, body: &Map<String, Value>) -> Reply {
        rpc::check_reply("echo_ok", Some("echo"), body)
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        let echoes: Vec<(u64, i64)> = ops
            .iter()
            .filter(|o| o.is_client() && o.kind == OpType::Ok)
            .filter_map(|o| match &o.value {
                OpValue::Json(Value::Number(n)) => Some((o.time_ns, n.as_i64()?)),
                OpValue::Int(v) => Some((o.time_ns, *v)),
                _ => None,
            })
            .collect();
        WorkloadResult::new(ToyResult { echoes })
    }
}

/// The toy checker's result: each echo that came back (time ns, value).
#[derive(Debug)]
pub struct ToyResult {
    echoes: Vec<(u64, i64)>,
}

impl Verdict for ToyResult {
    fn valid(&self) -> Validity {
        if self.echoes.is_empty() {
            Validity::Unknown
        } else {
            Validity::True
        }
    }

    fn summary(&self, out: &mut String) {
        out.push_str(&format!(
            " :workload {{:valid? {}, :echoes {}}},\n",
            self.valid(),
            self.echoes.len()
        ));
    }

    fn json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("toy_echo_count".into(), json!(self.echoes.len()));
        m
    }

    fn figures(&self) -> Vec<Figure> {
        vec![Figure::new(
            "toy_echo_count",
            "toy echoes",
            self.echoes.len(),
        )]
    }

    fn series(&self) -> Vec<Series> {
        vec![Series {
            key: "toy_value".into(),
            label: "toy value".into(),
            time_label: "time echoed".into(),
            samples: self.echoes.iter().map(|&(t, v)| (t, v as u64)).collect(),
        }]
    }

    #[cfg(feature = "present")]
    fn plots(
        &self,
        run: &crate::figures::PlotInput<'_>,
    ) -> Result<Vec<crate::figures::Plot>, String> {
        use crate::figures::draw::{POINT, axes, plot, shade, titled, top};
        use plotters::prelude::*;
        let p = plot("toy-echoes.svg", "each echoed value over time", |svg| {
            let root = SVGBackend::with_string(svg, (600, 400)).into_drawing_area();
            let area = titled(&root, "Toy echoes", run)?;
            let y_max = top(100.0);
            let mut chart = ChartBuilder::on(&area)
                .x_label_area_size(40)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..run.end_s.max(1.0), 0.0..y_max)?;
            axes(&mut chart, "time (s)", "value")?;
            shade(&mut chart, run, y_max)?;
            chart.draw_series(
                self.echoes
                    .iter()
                    .map(|&(t, v)| Circle::new((t as f64 / 1e9, v as f64), 2, POINT.filled())),
            )?;
            root.present()?;
            Ok(())
        })?;
        Ok(vec![p])
    }
}

#[cfg(test)]
mod tests {
    use crate::{SimConfig, Validity, Workload};

    #[test]
    fn a_registered_workload_runs_and_shows_its_own_figure_curve_and_plot() {
        let workload: Workload = "toy-echo".parse().expect("registered by one line");
        let cfg = SimConfig {
            workload,
            node_count: 2,
            rate: 50.0,
            time_limit: std::time::Duration::from_secs(2),
            seed: 3,
            ..SimConfig::default()
        };
        let report = crate::run(&cfg).expect("the test runs");
        assert_eq!(report.valid, Validity::True);
        let doc = crate::report::output::to_json(&report);
        let echoes = &doc.figures[0];
        assert_eq!(
            (echoes.key.as_str(), echoes.label.as_str()),
            ("toy_echo_count", "toy echoes")
        );
        assert!(echoes.value.parse::<u64>().expect("a count") > 50);
        assert_eq!(
            doc.workload_fields["toy_echo_count"].to_string(),
            echoes.value
        );
        let curve = &doc.series.as_ref().expect("series").workload[0];
        assert_eq!(curve.key, "toy_value");
        assert_eq!(curve.percentiles.as_ref().map(Vec::len), Some(101));

        #[cfg(feature = "present")]
        {
            use crate::report::document::ResultsJson;
            let dir = tempfile::tempdir().expect("temp dir");
            let summary = crate::report::output::summary(&report);
            assert!(summary.contains(":workload {:valid? true, :echoes "));
            crate::present::results::write_run(dir.path(), &report, &doc, &summary)
                .expect("written");
            let svg = std::fs::read_to_string(dir.path().join("toy-echoes.svg")).expect("plot");
            assert!(svg.contains("Toy echoes"));
            let text = std::fs::read_to_string(dir.path().join("results.json")).expect("read");
            let back = ResultsJson::parse(&text).expect("a results document");
            assert_eq!(back.figures, doc.figures);
            let listed = back.artifacts.iter().find(|a| a.file == "toy-echoes.svg");
            assert_eq!(
                listed.map(|a| a.what.as_str()),
                Some("each echoed value over time")
            );
        }
    }
}
