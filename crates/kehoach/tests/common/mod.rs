//! Helpers for tests that run the real `kehoach` binary: start it on a free
//! loopback port (reading the setup link it prints) and talk plain HTTP/1.1.

#![allow(dead_code, reason = "each test file uses a different part of the helper")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_kehoach");

pub struct Server {
    pub child: Child,
    pub port: u16,
    pub setup_link: Option<String>,
}

pub fn start(url: &str) -> Server {
    start_with_env(url, &[])
}

/// `start` with these environment variables set for the server.
pub fn start_with_env(url: &str, env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--create",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .env("KEHOACH_LOG", "error")
        .envs(env.iter().copied())
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
        assert!(Instant::now() < deadline);
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    Server {
        child,
        port,
        setup_link,
    }
}

pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String, String)> {
    http_on(&format!("127.0.0.1:{port}"), port, method, path, headers, body)
}

/// `http` to the server on `port`, for the host name `host` (a commune's).
pub fn http_on(
    host: &str,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no response"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("bad status"))?;
    Ok((status, head.to_string(), body.to_string()))
}

pub fn temp_dir(tag: &str) -> PathBuf {
    // A random suffix (no clock): two runs never share a folder.
    let unique = std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), tag);
    let d = std::env::temp_dir().join(format!("kehoach-{tag}-{}-{unique:x}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
