//! Reminders from the board: stored once per id and logged on the unit, an
//! in-app notice for the unit's users until they mark it read, an email per
//! address through a real SMTP conversation (a minimal SMTP server in the
//! test plays the commune's mail relay), the Zalo text, and clear refusals.
//! Runs on SQLite and PostgreSQL.

mod common;

use kehoach_store::testing;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::{Role, UserPatch};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server: accepts every message and keeps (recipients, data).
async fn smtp_sink() -> (String, Inbox) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Inbox = Arc::default();
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink.test ESMTP\r\n").await;
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250-sink.test\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 OK\r\n"
                    } else if cmd.starts_with("DATA") {
                        let _ = w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        store.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                        b"250 queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    if w.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (format!("smtp://{addr}"), got)
}

/// The text of a single-part message, whatever transfer encoding lettre
/// chose for it (base64 or quoted-printable).
fn body_text(data: &str) -> String {
    let (head, body) = data.split_once("\n\n").unwrap_or((data, ""));
    if head.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD.decode(joined).unwrap();
        return String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
    }
    let joined = body.replace("=\n", "");
    let mut out = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&c, tail)) = rest.split_first() {
        let hex = (c == b'=' && tail.len() >= 2)
            .then(|| std::str::from_utf8(&tail[..2]).ok())
            .flatten();
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(b);
                rest = &tail[2..];
            }
            None => {
                out.push(c);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&out).replace("\r\n", "\n")
}

type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

#[tokio::test]
async fn a_reminder_reaches_the_units_users_once_in_app_by_email_and_as_zalo_text() {
    let (smtp_url, inbox) = smtp_sink().await;
    for mut t in TestApp::all().await {
        t.use_mailer(kehoach_web::mail::Mailer::new(&smtp_url, "Xã Vĩnh Thịnh <kehoach@vinhthinh.test>").unwrap());
        let b = t.backend;
        let village = t.unit_by_slug("thon-mau-2").await;
        let other = t.unit_by_slug("thon-mau-1").await;
        let coord = t.coordinator().await;
        let rep = t.user("truongthon", Role::UnitReporter, Some(&village.id)).await;
        let rep2 = t.user("phothon", Role::UnitReporter, Some(&village.id)).await;
        let outsider = t.user("thonkhac", Role::UnitReporter, Some(&other.id)).await;
        // One of the two village users gave an email address (through the API, as a coordinator would).
        let (st, _) = t
            .api(
                "PATCH",
                &format!("/api/v1/users/{}", rep.user_id),
                Some(&coord),
                json!({"email": "truongthon@vinhthinh.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let (st, err) = t
            .api(
                "PATCH",
                &format!("/api/v1/users/{}", rep2.user_id),
                Some(&coord),
                json!({"email": "không phải email"}),
            )
            .await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("email_invalid")),
            "{b}"
        );
        let sent_before = inbox.lock().unwrap().len();

        // The coordinator sends from the board: the standard text names the unit and the target.
        let id = uuid::Uuid::now_v7().to_string();
        let body = json!({"id": id, "unit_id": village.id, "target_id": "T6", "as_of": "2026-07-15"});
        let (st, r) = t.api("POST", "/api/v1/reminders", Some(&coord), body.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{b}: {r}");
        let message = r["message"].as_str().unwrap().to_string();
        assert!(
            message.contains("Thôn mẫu 2") && message.contains("T6") && message.contains("15/07/2026"),
            "{b}: {message}"
        );
        assert_eq!(r["recipients"], 2, "{b}");
        assert_eq!(r["emailed"], 1, "{b}: {r}");
        assert!(
            r["email_note"]
                .as_str()
                .unwrap()
                .contains("1 tài khoản chưa có địa chỉ email"),
            "{b}: {r}"
        );
        let zalo = r["zalo_text"].as_str().unwrap();
        assert!(
            zalo.starts_with("[Nhắc nhở] ") && zalo.contains(&message),
            "{b}: {zalo}"
        );
        assert!(
            zalo.contains("http://kehoach.test/theo-doi?ngay=15/07/2026"),
            "{b}: {zalo}"
        );
        {
            let mails = inbox.lock().unwrap();
            assert_eq!(mails.len(), sent_before + 1, "{b}: one email, to the one address");
            let (to, data) = &mails[sent_before];
            assert_eq!(to, &vec!["truongthon@vinhthinh.test".to_string()], "{b}");
            assert!(
                data.contains("Subject: =?utf-8?") || data.contains("Subject: Nh"),
                "{b}: {data}"
            );
            let text = body_text(data);
            assert!(
                text.contains(&message) && text.contains("http://kehoach.test/theo-doi"),
                "{b}: {text}"
            );
        }

        // Sent again (a retry): stored once, no second email.
        let (st, again) = t.api("POST", "/api/v1/reminders", Some(&coord), body).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert_eq!(again["id"], r["id"]);
        assert_eq!(inbox.lock().unwrap().len(), sent_before + 1, "{b}");
        // The form reloaded and sent again makes a new id with the same text: still one reminder.
        let (st, twin) = t
            .api(
                "POST",
                "/api/v1/reminders",
                Some(&coord),
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "as_of": "2026-07-15", "message": message}),
            )
            .await;
        assert_eq!((st, &twin["id"]), (StatusCode::OK, &r["id"]), "{b}");
        let (_, list) = t
            .api(
                "GET",
                &format!("/api/v1/reminders?unit_id={}", village.id),
                Some(&coord),
                json!(null),
            )
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{b}: {list}");
        let log = t.store.audit(&t.plan_id, Some(&village.id), 50).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|a| a.entity == "reminder" && a.action == "send")
                .count(),
            1,
            "{b}"
        );

        // The village's users see it on their next page until they mark it read; others never do.
        let (_, page) = t.get("/ke-hoach", Some(&rep)).await;
        assert!(
            page.contains("reminder-notice") && page.contains("Nhắc nhở từ Người dùng dieuphoi"),
            "{b}"
        );
        let (_, page) = t.get("/ke-hoach", Some(&outsider)).await;
        assert!(!page.contains("reminder-notice"), "{b}");
        let (_, page) = t.get("/ke-hoach", Some(&coord)).await;
        assert!(!page.contains("reminder-notice"), "{b}");
        let (st, location, _) = t
            .form(&format!("/nhac-nho/{id}/da-doc"), Some(&rep), &[("next", "/ke-hoach")])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
        assert_eq!(location.as_deref(), Some("/ke-hoach?ok=reminder_read"), "{b}");
        let (_, page) = t.get("/ke-hoach", Some(&rep)).await;
        assert!(!page.contains("reminder-notice"), "{b}: read, so gone");
        let (_, page) = t.get("/ke-hoach", Some(&rep2)).await;
        assert!(
            page.contains("reminder-notice"),
            "{b}: the other user has not read it yet"
        );
        // Someone of another village cannot mark it read; the API says so with a code.
        let (st, err) = t
            .api(
                "POST",
                &format!("/api/v1/reminders/{id}/read"),
                Some(&outsider),
                json!(null),
            )
            .await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{b}"
        );
        let (st, _) = t
            .api(
                "POST",
                &format!("/api/v1/reminders/{id}/read"),
                Some(&rep2),
                json!(null),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        assert_eq!(t.store.reminder(&t.plan_id, &id).await.unwrap().read_by, 2, "{b}");

        // The reminder page shows the Zalo text to the coordinator; the unit history lists it.
        let (st, page) = t.get(&format!("/nhac-nho/{id}"), Some(&coord)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(page.contains("id=\"zalo-text\"") && page.contains("[Nhắc nhở]"), "{b}");
        let (_, page) = t.get(&format!("/don-vi/{}/lich-su", village.id), Some(&coord)).await;
        assert!(
            page.contains(&format!("/nhac-nho/{id}")) && page.contains("Nhắc nhở: gửi"),
            "{b}"
        );
        let (st, _) = t.get(&format!("/nhac-nho/{id}"), Some(&outsider)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");

        // The board offers the link beside a lagging unit, to the coordinator only
        // (one turn in the other village: T6 has started, Thôn mẫu 2 is behind).
        let turn = json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": other.id, "service": "asxh-vneid", "day": "2026-07-10"});
        let (st, _) = t.api("POST", "/api/v1/turns", Some(&coord), turn).await;
        assert!(st.is_success(), "{b}");
        let (_, board) = t.get("/theo-doi?ngay=15/07/2026", Some(&coord)).await;
        assert!(board.contains("/nhac-nho/moi?don-vi="), "{b}");
        let (_, board) = t.get("/theo-doi?ngay=15/07/2026", Some(&rep)).await;
        assert!(!board.contains("/nhac-nho/moi?don-vi="), "{b}");
        let (st, form) = t
            .get(
                &format!("/nhac-nho/moi?don-vi={}&chi-tieu=T6&ngay=15/07/2026", village.id),
                Some(&coord),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(form.contains("Kính gửi Thôn mẫu 2"), "{b}");
        // The form names the recipients and whether they have an email, not the address.
        assert!(
            form.contains("Người dùng truongthon · có email") && !form.contains("truongthon@"),
            "{b}"
        );

        // Bad input: a clear code and field, nothing stored.
        for (body, code, field) in [
            (json!({"id": "42", "unit_id": village.id}), "id_invalid", "id"),
            (
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": "khong-co"}),
                "unit_unknown",
                "unit_id",
            ),
            (
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "target_id": "T99"}),
                "target_unknown",
                "target_id",
            ),
            (
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "as_of": "31/02/2026"}),
                "as_of_invalid",
                "as_of",
            ),
            (
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "message": "x".repeat(2001)}),
                "message_invalid",
                "message",
            ),
        ] {
            let (st, err) = t.api("POST", "/api/v1/reminders", Some(&coord), body).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {code}");
            assert_eq!(err["error"]["code"], code, "{b}");
            assert_eq!(err["error"]["field"], field, "{b}");
        }
        assert_eq!(
            t.store.unit_reminders(&t.plan_id, &village.id, 50).await.unwrap().len(),
            1,
            "{b}"
        );
        assert_eq!(inbox.lock().unwrap().len(), sent_before + 1, "{b}");
        t.store.close().await;
    }
}

#[tokio::test]
async fn without_smtp_a_reminder_says_so_and_still_reaches_the_app() {
    for t in TestApp::all().await {
        let village = t.unit_by_slug("thon-mau-1").await;
        let coord = t.coordinator().await;
        let rep = t.user("truongthon", Role::UnitReporter, Some(&village.id)).await;
        t.store
            .update_user(
                &t.plan_id,
                &rep.user_id,
                UserPatch {
                    email: Some(Some("a@vinhthinh.test".into())),
                    ..Default::default()
                },
                t.clock.now(),
            )
            .await
            .unwrap();
        // Sent through the form, with the coordinator's own words.
        let id = uuid::Uuid::now_v7().to_string();
        let (st, location, _) = t
            .form(
                "/nhac-nho",
                Some(&coord),
                &[
                    ("id", &id),
                    ("unit_id", &village.id),
                    ("target_id", ""),
                    ("as_of", "2026-07-20"),
                    ("message", "Đề nghị thôn cập nhật số liệu tuần này.\r\n\r\n\r\nCảm ơn."),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{}", t.backend);
        assert_eq!(location.unwrap(), format!("/nhac-nho/{id}?ok=reminder_sent"));
        let r = t.store.reminder(&t.plan_id, &id).await.unwrap();
        assert_eq!(r.message, "Đề nghị thôn cập nhật số liệu tuần này.\n\nCảm ơn.");
        assert_eq!(r.emailed, 0);
        assert!(r.email_note.unwrap().contains("Chưa cấu hình máy chủ thư (SMTP)"));
        let (_, page) = t.get("/ke-hoach", Some(&rep)).await;
        assert!(
            page.contains("Đề nghị thôn cập nhật số liệu tuần này."),
            "{}",
            t.backend
        );
        t.store.close().await;
    }
}

#[tokio::test]
async fn members_are_emailed_the_day_before_their_shift_once() {
    let (smtp_url, inbox) = smtp_sink().await;
    for t in TestApp::all().await {
        let b = t.backend;
        let village = t.unit_by_slug("thon-mau-1").await;
        let union = t.unit_by_slug("doan-tn").await;
        let coord = t.coordinator().await;
        let vol = t.user("tnv01", Role::Volunteer, Some(&union.id)).await;
        let person = testing::add_person(
            &t.store,
            &t.plan_id,
            "youth_members",
            testing::person("Vũ Văn Ca", 2002, &union.id),
            &coord.user_id,
        )
        .await;
        t.store
            .link_user_person(&t.plan_id, &vol.user_id, Some(&person.id), 0)
            .await
            .unwrap();
        t.store
            .update_user(
                &t.plan_id,
                &vol.user_id,
                UserPatch {
                    email: Some(Some(format!("ca.{b}@vinhthinh.test"))),
                    ..Default::default()
                },
                0,
            )
            .await
            .unwrap();
        let tomorrow = t.clock.today().plus(1);
        let shift = t
            .store
            .create_shift(
                kehoach_store::NewShift {
                    places: 4,
                    ..testing::shift(&t.plan_id, &village.id, tomorrow, &coord.user_id)
                },
                0,
            )
            .await
            .unwrap();
        t.store
            .sign_up(&t.plan_id, &shift.id, &person.id, &vol.user_id, 0)
            .await
            .unwrap();
        let state = |url: &str| {
            t.state()
                .with_mailer(kehoach_web::mail::Mailer::new(url, "kehoach <kehoach@vinhthinh.test>").unwrap())
        };
        // The mail server does not answer: nothing sent, the reminder is tried again later.
        assert_eq!(
            kehoach_web::volunteers::email_shift_reminders(&state("smtp://127.0.0.1:1"), tomorrow)
                .await
                .unwrap(),
            0,
            "{b}"
        );
        // Two server processes run the job at once: one email.
        let (st, other) = (state(&smtp_url), state(&smtp_url));
        let (a, c) = tokio::join!(
            kehoach_web::volunteers::email_shift_reminders(&st, tomorrow),
            kehoach_web::volunteers::email_shift_reminders(&other, tomorrow)
        );
        assert_eq!(a.unwrap() + c.unwrap(), 1, "{b}");
        assert_eq!(
            kehoach_web::volunteers::email_shift_reminders(&st, tomorrow)
                .await
                .unwrap(),
            0,
            "{b}: once"
        );
        let mine: Vec<(Vec<String>, String)> = inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|(to, _)| to == &vec![format!("ca.{b}@vinhthinh.test")])
            .cloned()
            .collect();
        assert_eq!(mine.len(), 1, "{b}");
        let text = body_text(&mine[0].1);
        assert!(
            text.contains(&format!("Ngày {} bạn có ca tình nguyện 08:00–11:00", tomorrow.vn())),
            "{b}: {text}"
        );
        t.store.close().await;
    }
}
