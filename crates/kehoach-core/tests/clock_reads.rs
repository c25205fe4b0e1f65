//! The clock is a parameter: no source file of the workspace reads the
//! system clock or spells Vietnam's offset except `kehoach-core/src/day.rs`,
//! and only the binary (`crates/kehoach/src`) picks the system clock.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Code without `//` comments (a comment may name what it must not do).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn only_the_clock_module_reads_the_clock() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for c in [
        "kehoach-core",
        "kehoach-store",
        "kehoach-report",
        "kehoach-web",
        "kehoach",
    ] {
        for sub in ["src", "tests"] {
            let d = crates.join(c).join(sub);
            if d.is_dir() {
                rust_files(&d, &mut files);
            }
        }
    }
    assert!(files.len() > 50, "only {} files found: the scan is broken", files.len());
    let clock_module = crates.join("kehoach-core/src/day.rs");
    // This file spells the patterns it looks for.
    let this_file = crates.join("kehoach-core/tests/clock_reads.rs");
    let reads = [
        "now_utc(",
        "now_local(",
        "SystemTime::now",
        "Utc::now",
        "Local::now",
        "from_hms(7",
        "7 * 3600",
        "now_unix(",
        "today_vn(",
    ];
    let mut found = Vec::new();
    for f in &files {
        if *f == clock_module || *f == this_file {
            continue;
        }
        let text = code(&std::fs::read_to_string(f).expect("readable source"));
        for r in reads {
            if text.contains(r) {
                found.push(format!("{}: {r}", f.display()));
            }
        }
        let in_binary = f.starts_with(crates.join("kehoach/src"));
        if !in_binary && text.contains("Clock::system()") {
            found.push(format!("{}: Clock::system() outside the binary", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "clock read outside the clock module:\n{}",
        found.join("\n")
    );
}
