//! Hostile and careless uploads: each is refused with a clear Vietnamese
//! message and a stable code, the server keeps answering, its memory stays
//! bounded, and a roster imported before is intact. Roster CSVs as
//! Vietnamese offices save them (UTF-16 "Unicode Text", windows-1258) read
//! right. One test function per binary concern, so the peak-memory reading
//! of this process is not shared with other tests.

mod common;

use std::io::{Read, Write};

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::Role;

/// Resident memory of this process (kB), and its peak since the last reset.
fn rss_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Resets the peak (VmHWM) to the current resident size.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// A zip made of these parts (deflated).
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, bytes) in parts {
            z.start_file(*name, o).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// The parts of a zip, to rewrite one of them.
fn parts_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    zip_of(&refs)
}

/// A real roster workbook written by an XLSX writer: the header and one row,
/// plus `extra` cells (row, col, text).
fn workbook(extra: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Họ và tên", "Năm sinh"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Đỗ Thị Hoa").unwrap();
    ws.write_number(1, 1, 2001).unwrap();
    for (r, c, t) in extra {
        ws.write_string(*r, *c, *t).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// The same workbook with one part's text replaced.
fn with_part(xlsx: &[u8], part: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    let mut parts = parts_of(xlsx);
    let p = parts.iter_mut().find(|(n, _)| n == part).unwrap();
    p.1 = f(std::str::from_utf8(&p.1).unwrap()).into_bytes();
    rezip(&parts)
}

#[tokio::test]
async fn hostile_files_are_refused_and_the_server_stays_up_and_small() {
    let t = TestApp::all().await.into_iter().next().unwrap();
    let village = t.unit_by_slug("thon-mau-1").await;
    let reporter = t.user("baocao", Role::UnitReporter, Some(&village.id)).await;
    let import = format!("/api/v1/rosters/youth_members/import?unit_id={}", village.id);

    // A roster imported before the attacks.
    let good = "Họ và tên,Năm sinh\nNguyễn Văn An,2000\nLê Thị Bình,2002\n";
    let (s, j) = t
        .raw(
            &format!("{import}&save=true"),
            Some(&reporter),
            good.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let before = t
        .store
        .roster_people(&t.plan_id, Some("youth_members"), None)
        .await
        .unwrap();
    assert_eq!(before.len(), 2);

    let xlsx = workbook(&[]);
    let shared_strings_bomb = with_part(&xlsx, "xl/sharedStrings.xml", |x| {
        let i = x.find("<sst").unwrap();
        let j = i + x[i..].find('>').unwrap();
        format!(
            "{}<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"100000000000\" uniqueCount=\"100000000000\"{}",
            &x[..i],
            &x[j..]
        )
    });
    let far_cell = workbook(&[(1_048_575, 16_383, "x")]);
    // A sheet that inflates to 40 MB of XML from well under 1 MB.
    let sheet_bomb = {
        let mut parts = parts_of(&xlsx);
        let sheet = parts.iter_mut().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap();
        let x = String::from_utf8(sheet.1.clone()).unwrap();
        let at = x.find("</sheetData>").unwrap();
        let mut big = x[..at].to_string().into_bytes();
        big.resize(big.len() + 40 * 1024 * 1024, b' ');
        big.extend_from_slice(&x.as_bytes()[at..]);
        sheet.1 = big;
        rezip(&parts)
    };
    let docx_bomb = {
        let mut doc = b"<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>".to_vec();
        let para = b"<w:p><w:r><w:t>K\xe1\xba\xbe HO\xe1\xba\xa0CH</w:t></w:r></w:p>";
        while doc.len() < 30 * 1024 * 1024 {
            doc.extend_from_slice(para);
        }
        doc.extend_from_slice(b"</w:body></w:document>");
        zip_of(&[("word/document.xml", &doc)])
    };
    let laughs = with_part(&xlsx, "xl/worksheets/sheet1.xml", |x| {
        let decl = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>";
        let i = x.find("?>").map_or(0, |i| i + 2);
        format!("{}{decl}{}", &x[..i], &x[i..]).replace("Đỗ Thị Hoa", "&lol3;")
    });
    let wide_csv = format!("Họ và tên,{}\n", vec!["x"; 10_000].join(","));
    let truncated = xlsx[..xlsx.len() / 2].to_vec();

    let baseline = rss_kb("VmRSS:");
    reset_peak();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "shared strings declaring 10^11",
            shared_strings_bomb,
            "file_inflates_too_much",
        ),
        ("cells at A1 and XFD1048576", far_cell, "file_too_many_columns"),
        ("a sheet inflating to 40 MB", sheet_bomb, "file_inflates_too_much"),
        ("a billion laughs", laughs, "file_xml_doctype"),
        ("10.000 columns of CSV", wide_csv.into_bytes(), "file_too_many_columns"),
        ("a truncated workbook", truncated, "file_damaged"),
        ("an empty file", Vec::new(), "file_empty"),
    ];
    for (what, bytes, code) in cases {
        let (s, j) = t.raw(&import, Some(&reporter), bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {j}");
        assert_eq!(j["error"]["code"], code, "{what}: {j}");
        assert_eq!(j["error"]["field"], "file", "{what}: {j}");
        let message = j["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("Tệp: "), "{what}: a Vietnamese message: {message}");
        let (s, _) = t.get("/healthz", None).await;
        assert_eq!(s, StatusCode::OK, "{what}: the server still answers");
    }
    // The plan reader refuses the .docx that inflates to 30 MB, on its page.
    let coordinator = t.coordinator().await;
    let (s, _, page) = t
        .multipart(
            "/ke-hoach/nhap",
            Some(&coordinator),
            &[],
            Some(("ke-hoach.docx", &docx_bomb)),
        )
        .await;
    assert!(page.contains("sau khi giải nén vượt quá 10 MB"), "{s} {page}");

    let growth_mb = (rss_kb("VmHWM:").saturating_sub(baseline)) / 1024;
    println!("peak resident growth over the hostile files: {growth_mb} MB");
    assert!(growth_mb < 100, "peak resident memory grew {growth_mb} MB");

    let after = t
        .store
        .roster_people(&t.plan_id, Some("youth_members"), None)
        .await
        .unwrap();
    assert_eq!(
        after.iter().map(|p| &p.full_name).collect::<Vec<_>>(),
        before.iter().map(|p| &p.full_name).collect::<Vec<_>>(),
        "the roster imported before is intact"
    );
}

#[tokio::test]
async fn roster_csvs_as_vietnamese_offices_save_them_import_with_the_right_names() {
    for t in TestApp::all().await {
        let c = t.coordinator().await;
        let village = t.unit_by_slug("thon-mau-1").await;
        let import = format!("/api/v1/rosters/youth_members/import?save=true&unit_id={}", village.id);
        // Excel's "Unicode Text": UTF-16LE with a BOM, tab-separated.
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "Họ và tên\tNăm sinh\r\nTrần Thị Ngọc Ánh\t1999\r\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let (s, j) = t.raw(&import, Some(&c), utf16).await;
        assert_eq!(s, StatusCode::OK, "{} {j}", t.backend);
        assert_eq!(j["preview"]["accepted_count"], 1, "{j}");
        // windows-1258, semicolon-separated: "Phạm Đức Hưng" with its tone
        // marks as combining characters (0xF2 dot below, 0xEC acute, 0xCC
        // grave) after precomposed letters (0xD0 Đ, 0xFD ư, 0xEA ê, 0xE3 ă).
        let cp1258 = b"Ho\xf2 va\xcc t\xean;N\xe3m sinh\r\nPha\xf2m \xd0\xfd\xecc H\xfdng;1987\r\n".to_vec();
        let (s, j) = t.raw(&import, Some(&c), cp1258).await;
        assert_eq!(s, StatusCode::OK, "{} {j}", t.backend);
        assert_eq!(j["preview"]["accepted_count"], 1, "{j}");
        let names: Vec<String> = t
            .store
            .roster_people(&t.plan_id, Some("youth_members"), None)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.full_name)
            .collect();
        assert!(names.contains(&"Trần Thị Ngọc Ánh".to_string()), "{names:?}");
        assert!(names.contains(&"Phạm Đức Hưng".to_string()), "{names:?}");
        for n in &names {
            use unicode_normalization::UnicodeNormalization;
            assert_eq!(n, &n.nfc().collect::<String>(), "stored in NFC");
        }
    }
}

#[tokio::test]
async fn a_file_full_of_bad_rows_lists_the_first_hundred_and_counts_the_rest() {
    let t = TestApp::all().await.into_iter().next().unwrap();
    let c = t.coordinator().await;
    let village = t.unit_by_slug("thon-mau-1").await;
    let mut csv = String::from("Họ và tên,Năm sinh\n");
    for i in 0..5_000 {
        csv.push_str(&format!("Người {i},19x{i}\n"));
    }
    let (s, j) = t
        .raw(
            &format!("/api/v1/rosters/youth_members/import?unit_id={}", village.id),
            Some(&c),
            csv.into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["preview"]["errors"].as_array().unwrap().len(), 100);
    assert_eq!(j["preview"]["error_count"], 5_000);
    assert_eq!(j["preview"]["accepted_count"], 0);
}
