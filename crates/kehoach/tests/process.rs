//! The real binary: first start prints a setup link, a killed server loses
//! nothing it acknowledged, sessions survive the restart, and the CLI
//! commands report plainly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kehoach");

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "kehoach-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    port: u16,
    setup_link: Option<String>,
}

fn start(db: &Path) -> Server {
    let port = free_port();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--create",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &format!("sqlite:{}", db.display()),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut setup_link = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "server exited early");
        if let Some(i) = line.find("/moi/") {
            setup_link = Some(line[i..].trim().to_string());
        }
        if line.contains("đang chạy") {
            break;
        }
        assert!(Instant::now() < deadline, "server did not start");
    }
    Server {
        child,
        port,
        setup_link,
    }
}

/// A minimal HTTP/1.1 exchange; returns (status, headers, body).
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

#[test]
fn killed_server_keeps_every_acknowledged_write_and_the_session() {
    let dir = temp_dir("kill");
    let db = dir.join("kehoach.sqlite");
    let mut s = start(&db);
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

    let mut s2 = start(&db);
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
        s.contains("T6 Lượt người dân được hỗ trợ mỗi thôn — ≥ 200 lượt mỗi thôn"),
        "{s}"
    );
}
