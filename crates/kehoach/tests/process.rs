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
fn a_commune_added_to_a_running_server_is_served_on_its_own_host_only() {
    let dir = temp_dir("communes");
    let url = format!("sqlite:{}", dir.join("k.sqlite").display());
    let mut s = start(&url);
    let port = s.port;
    let add = |name: &str, host: &str| {
        Command::new(BIN)
            .args([
                "commune",
                "add",
                "--database-url",
                &url,
                "--name",
                name,
                "--province",
                "Hải Phòng",
            ])
            .args(["--host", host, "--public-url", &format!("http://127.0.0.1:{port}")])
            .output()
            .unwrap()
    };
    let out = add("xã An Hòa", "an-hoa.localhost");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("Đã thêm xã An Hòa (mã an-hoa), tên miền an-hoa.localhost."),
        "{stdout}"
    );
    let link = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix(&format!("http://an-hoa.localhost:{port}")))
        .unwrap_or_else(|| panic!("no link on the commune's host: {stdout}"))
        .to_string();
    let host = format!("an-hoa.localhost:{port}");
    // The link opens on its commune's host, and nowhere else.
    let (status, _, body) = common::http_on(&host, port, "GET", &link, &[], "").unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Thiết lập") && body.contains("An Hòa"), "{body}");
    let (status, _, _) = http(port, "GET", &link, &[], "");
    assert_eq!(status, 404);
    // Its first coordinator sets up the account and works in An Hòa.
    let form = "full_name=Tr%E1%BA%A7n+V%C4%83n+An&username=dieuphoi&password=mat-khau-dai-2026";
    let (status, head, _) = common::http_on(
        &host,
        port,
        "POST",
        &link,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form,
    )
    .unwrap();
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let (status, _, body) = common::http_on(&host, port, "GET", "/ke-hoach", &[("Cookie", &cookie)], "").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("An Hòa") && !body.contains("Vĩnh Thịnh"), "{body}");
    // The same cookie is no session on the first commune's address.
    let (status, _, _) = http(port, "GET", "/ke-hoach", &[("Cookie", &cookie)], "");
    assert_eq!(status, 303);
    // A host already taken is refused, saying why; the list shows both communes.
    let out = add("xã Bình Minh", "An-Hoa.localhost");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("đã có xã khác dùng tên miền này"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args(["commune", "list", "--database-url", &url])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        list.contains("vinh-thinh — xã Vĩnh Thịnh, Hải Phòng · mọi tên miền khác"),
        "{list}"
    );
    assert!(
        list.contains("an-hoa — xã An Hòa, Hải Phòng · an-hoa.localhost · 1 tài khoản"),
        "{list}"
    );
    s.child.kill().unwrap();
    s.child.wait().unwrap();
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
