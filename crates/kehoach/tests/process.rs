//! The real binary: first start prints a setup link, a killed server loses
//! nothing it acknowledged, sessions survive the restart, and the CLI
//! commands report plainly.

use std::process::Command;

mod common;
use common::{BIN, start, temp_dir};

fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    common::http(port, method, path, headers, body).unwrap()
}

#[test]
fn killed_server_keeps_every_acknowledged_write_and_the_session() {
    let dir = temp_dir("kill");
    let db = dir.join("kehoach.sqlite");
    let mut s = start(&format!("sqlite:{}", db.display()));
    let link = s.setup_link.clone().expect("first start prints a setup link");
    let form = "full_name=Nguy%E1%BB%85n+Th%E1%BB%8B+Hoa&username=hoa.vhxh&password=mat-khau-dai-2026";
    let (status, head, _) = http(
        s.port,
        "POST",
        &link,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form,
    );
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, _, me) = http(s.port, "GET", "/api/v1/me", &[("Cookie", &cookie)], "");
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    let csrf = me["csrf_token"].as_str().unwrap().to_string();

    let mut acknowledged = Vec::new();
    for i in 0..25 {
        let name = format!("Thôn số {i}");
        let body = serde_json::json!({"name": name, "kind": "village"}).to_string();
        let (status, _, _) = http(
            s.port,
            "POST",
            "/api/v1/units",
            &[
                ("Cookie", &cookie),
                ("X-CSRF-Token", &csrf),
                ("Content-Type", "application/json"),
            ],
            &body,
        );
        assert_eq!(status, 201);
        acknowledged.push(name);
    }
    // SIGKILL: no graceful shutdown, no checkpoint.
    s.child.kill().unwrap();
    s.child.wait().unwrap();

    let mut s2 = start(&format!("sqlite:{}", db.display()));
    assert!(s2.setup_link.is_none(), "a coordinator exists: no new setup link");
    let (status, _, units) = http(s2.port, "GET", "/api/v1/units", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200, "the session survived the restart");
    let units: serde_json::Value = serde_json::from_str(&units).unwrap();
    let names: Vec<&str> = units["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    for n in &acknowledged {
        assert!(names.contains(&n.as_str()), "{n} was acknowledged and lost");
    }
    // A real install never had the default plan's sample villages: only
    // the commune's own units and the plan's named bodies.
    assert!(
        units["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| !u["name"].as_str().unwrap().contains("mẫu")),
        "no sample unit on a fresh install: {names:?}"
    );
    assert_eq!(
        units["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["kind"] == "village")
            .count(),
        acknowledged.len(),
        "the villages are the ones the commune added"
    );
    // A consistent backup while it serves.
    let backup = dir.join("sao-luu.sqlite");
    let out = Command::new(BIN)
        .args(["backup", "--database-url", &format!("sqlite:{}", db.display())])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(backup.metadata().unwrap().len() > 10_000);
    s2.child.kill().unwrap();
    s2.child.wait().unwrap();
}

#[test]
fn mistyped_database_path_is_refused() {
    let dir = temp_dir("typo");
    let out = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &format!("sqlite:{}", dir.join("kehoch.sqlite").display()),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("không có tệp cơ sở dữ liệu") && err.contains("--create"),
        "{err}"
    );
    assert!(!dir.join("kehoch.sqlite").exists());
}

#[test]
fn a_proxy_that_is_not_an_address_is_refused_before_anything_is_created() {
    let dir = temp_dir("proxy");
    let db = dir.join("k.sqlite");
    let out = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--create",
            "--database-url",
            &format!("sqlite:{}", db.display()),
            "--trusted-proxies",
            "127.0.0.1,proxy.local",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("“proxy.local” không phải một địa chỉ IP"), "{err}");
    assert!(!db.exists());
}

#[test]
fn a_server_run_on_a_day_of_the_campaign_says_so_and_shows_that_week() {
    let dir = temp_dir("today");
    let url = format!("sqlite:{}", dir.join("k.sqlite").display());
    let s = common::start_with_env(&url, &[("KEHOACH_TODAY", "20/07/2026")]);
    let (status, _, body) = http(s.port, "GET", "/cong-khai", &[], "");
    assert_eq!(status, 200);
    let mut s = s;
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    assert!(body.contains("Lịch tuần 20/07/2026 – 26/07/2026"), "{body}");
    // A day that is not one is refused before anything is created.
    let db = dir.join("other.sqlite");
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--create", "--today", "31/02/2026"])
        .args(["--database-url", &format!("sqlite:{}", db.display())])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--today: “31/02/2026” không phải một ngày"), "{err}");
    assert!(!db.exists());
}

#[test]
fn plan_validate_reports_each_problem_with_line_and_field() {
    let dir = temp_dir("plan");
    let good = dir.join("good.toml");
    std::fs::write(&good, kehoach_core::SEED_PLAN_TOML).unwrap();
    let out = Command::new(BIN)
        .args(["plan", "validate"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("hợp lệ — 11 hoạt động, 9 chỉ tiêu"));

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        kehoach_core::SEED_PLAN_TOML.replacen("lead = [\"doan-tn\"]", "lead = [\"doan-thanh-nien\"]", 1),
    )
    .unwrap();
    let out = Command::new(BIN).args(["plan", "validate"]).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("dòng ") && err.contains("lines[2].lead[0]") && err.contains("doan-thanh-nien"),
        "{err}"
    );

    let out = Command::new(BIN).args(["plan", "show"]).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("T6 Lượt người dân tiếp cận và sử dụng các dịch vụ số — ≥ 200 lượt mỗi thôn"),
        "{s}"
    );
}
