//! End to end: `glomers-sim serve` on a free port over a store of real runs (made in process
//! by the simulator), opened in a real headless Chromium: the list, a run and a comparison are
//! rendered, screenshotted under the test's temp folder, and checked for what they show.
//!
//! Its own test binary, apart from `processes/`, because it needs a browser: Debian's
//! `chromium` (`.ci/run` installs it). Without it the test says so loudly and
//! passes, except under `CI=true`, where it fails. `GLOMERS_SCREENSHOTS=DIR` keeps copies of
//! the screenshots in DIR.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use glomers_sim::present::results;
use glomers_sim::report::output;
use glomers_sim::serve::fmt_num;
use glomers_sim::{self as sim, SimConfig, Workload};

/// The browser, if installed.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GLOMERS_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// A child process killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a short test in process and writes its results folder into `store`, as
/// `glomers-sim test` does.
fn make_run(store: &Path, cfg: SimConfig) -> PathBuf {
    let report = sim::run(&cfg).expect("the run completes");
    let doc = output::to_json(&report);
    let summary = output::summary(&report);
    let dir = results::default_dir(store, cfg.workload, cfg.seed, chrono::Local::now());
    let dir = results::create_fresh(&dir).expect("results folder");
    results::write_run(&dir, &report, &doc, &summary).expect("results written");
    dir
}

fn config(workload: Workload, seed: u64, latency_ms: u64, partition: bool) -> SimConfig {
    SimConfig {
        workload,
        node_count: 5,
        rate: 20.0,
        time_limit: Duration::from_secs(3),
        latency_ms,
        partition,
        nemesis_interval: Duration::from_secs(1),
        seed,
        // Results folders of `glomers-sim test` are drawn from the message trace.
        trace: true,
        ..SimConfig::default()
    }
}

/// A stand-in spacetime diagram (two node lines, one message arrow with its message as the
/// title), for a run folder written before the simulator drew `messages.svg`.
const STAND_IN_DIAGRAM: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><line class="lane" x1="50" y1="10" x2="50" y2="190" stroke="#000"/><line class="lane" x1="250" y1="10" x2="250" y2="190" stroke="#000"/><line class="m" x1="50" y1="20" x2="250" y2="80" stroke="#1f77b4"><title>{"src":"n0","dest":"n1","body":{"type":"gossip"}}</title></line></svg>"##;

/// Starts `glomers-sim serve --port 0` and returns it with its base URL.
fn serve(store: &Path) -> (Guard, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_glomers-sim"))
        .args(["serve", "--port", "0", "--store"])
        .arg(store)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("glomers-sim serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let guard = Guard(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server prints its URL");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (guard, url)
}

/// Headless Chromium, with a fresh profile for each call, bounded to 90 s.
struct Browser {
    bin: PathBuf,
    tmp: PathBuf,
    calls: usize,
}

impl Browser {
    fn run(&mut self, extra: &[String], url: &str) -> String {
        self.calls += 1;
        let profile = self.tmp.join(format!("profile-{}", self.calls));
        let out_path = self.tmp.join(format!("chromium-{}.out", self.calls));
        let out = std::fs::File::create(&out_path).expect("output file");
        let mut child = Command::new(&self.bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                assert!(status.success(), "chromium {extra:?} {url}: {status}");
                break;
            }
            if started.elapsed() > Duration::from_secs(90) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium {extra:?} {url}: no result within 90 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        std::fs::read_to_string(&out_path).expect("chromium output")
    }

    /// The page's DOM once loaded.
    fn dom(&mut self, url: &str) -> String {
        self.run(&["--dump-dom".to_string()], url)
    }

    /// A 1400×1000 screenshot of the page, checked to be a PNG of some substance.
    fn screenshot(&mut self, url: &str, name: &str) -> PathBuf {
        let file = self.tmp.join(name);
        let args = [
            format!("--screenshot={}", file.display()),
            "--window-size=1400,1000".to_string(),
        ];
        self.run(&args, url);
        let png = std::fs::read(&file).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
        assert!(
            png.len() > 10_000,
            "{name} shows something ({} bytes)",
            png.len()
        );
        if let Some(keep) = std::env::var_os("GLOMERS_SCREENSHOTS") {
            std::fs::create_dir_all(&keep).expect("screenshot folder");
            std::fs::copy(&file, Path::new(&keep).join(name)).expect("copy");
        }
        file
    }
}

/// Arrows of a diagram's DOM: `<line>` elements carrying a message as their `<title>`.
fn arrows(svg_dom: &str) -> usize {
    svg_dom
        .split("<line")
        .skip(1)
        .filter(|l| {
            let tail = l.split_once('>').map_or("", |(_, rest)| rest);
            tail.trim_start().starts_with("<title>") && tail.contains("src")
        })
        .count()
}

#[test]
fn the_browser_shows_the_list_a_run_and_a_comparison() {
    let Some(bin) = chromium() else {
        let msg = "\n\n!!!!! serve_browser: Chromium not found (/usr/bin/chromium): the headless \
                   browser test did NOT run. Install it: apt-get install -y chromium !!!!!\n";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("{msg}");
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = tmp.path().join("store");
    let fast = make_run(&store, config(Workload::BROADCAST, 1, 20, false));
    let slow = make_run(&store, config(Workload::BROADCAST, 2, 200, true));
    let echo = make_run(&store, config(Workload::ECHO, 3, 0, false));
    // An aborted run leaves only its summary.
    let aborted = results::default_dir(&store, Workload::UNIQUE_IDS, 9, chrono::Local::now());
    let aborted = results::create_fresh(&aborted).expect("results folder");
    results::write_failure(
        &aborted,
        "glomers-sim: seed 9: test aborted at 0.500 s: no init_ok",
    )
    .expect("summary written");
    if !fast.join("messages.svg").exists() {
        std::fs::write(fast.join("messages.svg"), STAND_IN_DIAGRAM).expect("diagram");
    }
    let rel = |d: &Path| {
        let r = d.strip_prefix(&store).expect("inside the store");
        r.to_string_lossy().replace('\\', "/")
    };
    let (_server, url) = serve(&store);
    let shots = tmp.path().join("screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let mut browser = Browser {
        bin,
        tmp: shots,
        calls: 0,
    };

    // The list: every run, newest first, coloured by verdict, with checkboxes.
    let list = browser.dom(&url);
    assert!(
        list.contains("<title>glomers-sim results</title>"),
        "{list}"
    );
    assert!(list.contains("4 runs"), "{list}");
    for d in [&fast, &slow, &echo, &aborted] {
        assert!(
            list.contains(&format!("value=\"{}\"", rel(d))),
            "{} listed",
            rel(d)
        );
    }
    let pos = |d: &PathBuf| list.find(&format!("value=\"{}\"", rel(d))).expect("listed");
    assert!(pos(&echo) < pos(&fast), "newest first");
    assert!(list.contains("<tr class=\"valid\">"), "verdicts coloured");
    assert!(
        list.contains("<tr class=\"aborted\">"),
        "the aborted run is marked"
    );
    assert!(list.contains("no results.json: glomers-sim: seed 9: test aborted"));
    assert!(list.contains("Compare selected runs"));
    browser.screenshot(&url, "list.png");

    // A run: its figures, plots and diagram.
    let run_url = format!("{url}runs/{}/", rel(&fast));
    let run = browser.dom(&run_url);
    assert!(
        run.contains("<title>broadcast · seed 1 · glomers-sim</title>"),
        "{run}"
    );
    assert!(run.contains("msgs-per-op (servers)") && run.contains("stable latency"));
    let mpo = |d: &Path| {
        let doc: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(d.join("results.json")).expect("results.json"),
        )
        .expect("JSON");
        let v = doc["net"]["servers"]["msgs_per_op"]
            .as_f64()
            .expect("msgs-per-op");
        format!("<td>{}</td>", fmt_num(v))
    };
    assert!(run.contains(&mpo(&fast)), "the run's msgs-per-op shown");
    assert!(run.contains("throughput.svg"), "plots shown");
    assert!(
        run.contains("<iframe class=\"diagram\""),
        "diagram embedded"
    );
    if fast.join("timeline.html").exists() {
        assert!(run.contains("timeline.html\""), "timeline linked");
    }
    if fast.join("history.txt").exists() {
        assert!(run.contains("<h2>History</h2>"), "history files listed");
    }
    browser.screenshot(&run_url, "run.png");
    let diagram = browser.dom(&format!("{run_url}messages.svg"));
    assert!(
        arrows(&diagram) >= 1,
        "the diagram has arrows: {diagram:.400}"
    );

    // The comparison: one table and curves on shared axes.
    let cmp_url = format!(
        "{url}compare?run={}&run={}&run={}",
        rel(&fast),
        rel(&slow),
        rel(&echo)
    );
    let cmp = browser.dom(&cmp_url);
    assert!(
        cmp.contains("<title>Comparison of 3 runs · glomers-sim</title>"),
        "{cmp}"
    );
    for label in [
        "#1 broadcast seed 1",
        "#2 broadcast seed 2",
        "#3 echo seed 3",
    ] {
        assert!(cmp.contains(label), "{label} in the table and legends");
    }
    for d in [&fast, &slow, &echo] {
        assert!(
            cmp.contains(&mpo(d)),
            "msgs-per-op of {} in the table",
            rel(d)
        );
    }
    let charts = cmp.matches("<svg").count();
    assert!(
        charts >= 3,
        "message rate and stable latency charts: {charts}"
    );
    assert!(cmp.contains("Server messages (node↔node, node↔service) sent per second"));
    assert!(cmp.contains("Stable latency by percentile"));
    browser.screenshot(&cmp_url, "compare.png");

    // A way out of the store is a 404 page.
    let out = browser.dom(&format!("{url}runs/%2e%2e/%2e%2e/%2e%2e/etc/passwd"));
    assert!(
        out.contains("<title>Not found · glomers-sim</title>"),
        "{out}"
    );
    assert!(!out.contains("root:"));
    eprintln!(
        "serve_browser: {} pages rendered by Chromium; screenshots in {}",
        browser.calls,
        browser.tmp.display()
    );
}
