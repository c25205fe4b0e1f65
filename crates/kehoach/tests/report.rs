//! `kehoach report summary` on the sample campaign: the DOCX carries the
//! decree's page setup and header, its targets table says exactly what the
//! board's engine says for the same date, LibreOffice opens and converts it
//! to PDF, and the PDF's text has the title, the figures and "Vĩnh Thịnh".
//! Bad requests fail with a Vietnamese reason and write nothing.

use std::io::Read;
use std::process::Command;

mod common;
use common::{BIN, temp_dir};

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The text of each cell of the table whose caption id is `id`, row by row.
fn table_cells(xml: &str, id: &str) -> Vec<Vec<String>> {
    let marker = format!("<w:tblCaption w:val=\"{id}\"/>");
    let start = xml.find(&marker).expect("table present");
    let end = start + xml[start..].find("</w:tbl>").unwrap();
    xml[start..end]
        .split("<w:tr>")
        .skip(1)
        .map(|row| {
            row.split("<w:tc>")
                .skip(1)
                .map(|cell| {
                    cell.split("<w:t xml:space=\"preserve\">")
                        .skip(1)
                        .map(|t| t.split("</w:t>").next().unwrap_or(""))
                        .collect::<String>()
                })
                .collect()
        })
        .collect()
}

use kehoach_core::text::xml_unescape as unescape;

#[test]
fn summary_report_docx_matches_the_board_and_libreoffice_reads_it() {
    let dir = temp_dir("report");
    let url = format!("sqlite:{}", dir.join("demo.sqlite").display());
    let (ok, text) = run(&["demo", "--database-url", &url, "--fill-only"]);
    assert!(ok, "{text}");
    let out = dir.join("bao-cao.docx");
    let out_s = out.to_str().unwrap();
    let (ok, text) = run(&[
        "report",
        "summary",
        "--database-url",
        &url,
        "--as-of",
        "2026-08-25",
        "--signed-on",
        "2026-08-05",
        "--out",
        out_s,
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("25/08/2026"), "{text}");

    // Bad requests: a reason in Vietnamese, non-zero exit, nothing written.
    for (args, reason) in [
        (vec!["--as-of", "2026-08-25", "--out", out_s], "đã tồn tại"),
        (vec!["--as-of", "31/02/2026", "--out", "x.docx"], "không phải một ngày"),
        (vec!["--as-of", "2026-08-25", "--out", "x.odt"], "chỉ xuất được"),
    ] {
        let mut all = vec!["report", "summary", "--database-url", &url];
        all.extend(args);
        let (ok, text) = run(&all);
        assert!(!ok && text.contains(reason), "{text}");
    }
    assert!(!std::path::Path::new("x.docx").exists());

    // The DOCX parts: the decree's page, fonts, header and first-page rule.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut styles = String::new();
    zip.by_name("word/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("w:ascii=\"Times New Roman\""));
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"), "A4 portrait");
    assert!(
        xml.contains("w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1701\""),
        "margins 20/15/20/30 mm"
    );
    assert!(xml.contains("<w:titlePg/>"), "no page number on page 1");
    for s in [
        "ỦY BAN NHÂN DÂN",
        "XÃ VĨNH THỊNH",
        "/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Thịnh, ngày 05 tháng 8 năm 2026",
        "BÁO CÁO",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "Đoàn Thị Nhung",
        "Trên đây là báo cáo",
        "báo cáo có đơn vị và số liệu mẫu",
        "Biểu đồ 1. Lượt người dân được hỗ trợ theo thôn",
        "<w:tblCaption w:val=\"village-turns\"/>",
        "Biểu đồ 2. Lớp có buổi trải nghiệm tại phòng học thông minh mỗi tuần (R6)",
        "<w:tblCaption w:val=\"grid-r6\"/>",
        "Đề xuất biểu dương các đoàn viên thanh niên tình nguyện tích cực nhất",
        "Đề xuất khen thưởng các cá nhân, tập thể đạt giải 7.1.",
    ] {
        assert!(xml.contains(s), "document lacks “{s}”");
    }

    // Every figure of the targets table is the engine's, as of the same date.
    let (plan, standings) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = kehoach_store::Store::open(&url, false).await.unwrap();
        let id = store.plan_ids().await.unwrap().remove(0);
        let plan = kehoach_core::parse_plan(&store.plan_source(&id).await.unwrap()).unwrap();
        let as_of = kehoach_core::Day::parse_iso("2026-08-25").unwrap();
        let facts = store.facts(&plan, as_of).await.unwrap();
        let standings = kehoach_core::engine::board(&plan, &facts, as_of);
        store.close().await;
        (plan, standings)
    });
    let rows = table_cells(&xml, "targets");
    assert_eq!(rows[0][1], "Nội dung chỉ tiêu");
    assert_eq!(
        rows.len(),
        plan.targets.len() + 1,
        "a header row and one row per target"
    );
    let mut figures = Vec::new();
    for ((t, s), row) in plan.targets.iter().zip(&standings).zip(&rows[1..]) {
        let row: Vec<String> = row.iter().map(|c| unescape(c)).collect();
        assert!(row[1].contains(&format!("({})", t.id)), "{row:?}");
        let value = kehoach_core::report::figure(t, s.value.value);
        assert!(row[4].contains(&value), "{}: {row:?} lacks {value}", t.id);
        let share = kehoach_core::report::share_of_goal(t, s.value.value).unwrap();
        assert_eq!(row[5], kehoach_core::text::vn_num(share, 1), "{}", t.id);
        assert_eq!(row[6], kehoach_core::report::verdict(s), "{}", t.id);
        figures.push(value);
    }
    // The sample campaign as of 25/08: some targets met, some not (the table is not uniform).
    let verdicts: std::collections::BTreeSet<&str> = standings.iter().map(kehoach_core::report::verdict).collect();
    assert!(verdicts.contains("Đạt") && verdicts.len() > 1, "{verdicts:?}");

    // LibreOffice opens it and converts it to PDF; the PDF's text has the same strings.
    let lo_profile = format!("-env:UserInstallation=file://{}", dir.join("lo").display());
    let status = Command::new("soffice")
        .args([
            lo_profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            dir.to_str().unwrap(),
            out_s,
        ])
        .output()
        .expect("LibreOffice (soffice) is installed by scripts/test");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let pdf = dir.join("bao-cao.pdf");
    assert!(pdf.exists(), "LibreOffice wrote no PDF");
    let text = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    let text = String::from_utf8(text.stdout).unwrap();
    for s in [
        "BÁO CÁO",
        "Vĩnh Thịnh",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Nơi nhận:",
        "Biểu đồ 1. Lượt người dân được hỗ trợ theo thôn",
    ] {
        assert!(text.contains(s), "PDF text lacks “{s}”");
    }
    for f in &figures {
        assert!(text.contains(f.as_str()), "PDF text lacks the figure {f}");
    }

    // As LibreOffice lays it out: each chart on one page with its caption
    // and legend, bars with their values beside them, weeks as "Tuần 1…",
    // never "T1" (a target's code). The chart pages, rendered to PNG.
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    let page_text = |n: usize| {
        let out = Command::new("pdftotext")
            .args([
                "-layout",
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
                pdf.to_str().unwrap(),
                "-",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let mut charts = 0;
    for n in 1..=pages {
        let p = page_text(n);
        if p.contains("Biểu đồ 1.") {
            charts += 1;
            assert!(p.contains("Vạch đỏ: chỉ tiêu"), "chart 1's legend on its page:\n{p}");
            let bar_lines = p
                .lines()
                .filter(|l| l.contains("Thôn") && l.trim_end().ends_with("lượt"))
                .count();
            assert!(bar_lines >= 3, "each village's bar with its value on one line:\n{p}");
        }
        if p.contains("Biểu đồ 2.") {
            charts += 1;
            assert!(
                p.contains("Tuần") && p.contains("Ô xanh: tuần lớp có buổi"),
                "chart 2 on its caption's page:\n{p}"
            );
            let weeks = p
                .lines()
                .find(|l| l.trim_start().starts_with("Tuần"))
                .unwrap_or_else(|| panic!("the weeks' header row:\n{p}"));
            assert!(
                weeks.contains(" 1 ") && weeks.contains(" 2 ") && !weeks.contains("T1"),
                "weeks are numbered under “Tuần”, not T1…: {weeks}"
            );
        }
        if p.contains("Biểu đồ") {
            let png = dir.join(format!("chart-page-{n}"));
            let r = Command::new("pdftoppm")
                .args([
                    "-r",
                    "80",
                    "-png",
                    "-f",
                    &n.to_string(),
                    "-l",
                    &n.to_string(),
                    "-singlefile",
                ])
                .arg(&pdf)
                .arg(&png)
                .status()
                .unwrap();
            assert!(r.success());
            let png = dir.join(format!("chart-page-{n}.png"));
            assert!(std::fs::metadata(&png).unwrap().len() > 10_000, "page {n} rendered");
            if let Ok(shots) = std::env::var("SCREENSHOT_DIR") {
                std::fs::copy(
                    &png,
                    std::path::Path::new(&shots).join(format!("report-docx-chart-{charts}.png")),
                )
                .unwrap();
            }
        }
    }
    assert_eq!(charts, 2, "both charts found, each with its caption on its page");
}

/// The demo campaign in a new database and its summary report as a PDF:
/// (the folder, the database URL, the PDF).
fn demo_report_pdf(name: &str, as_of: &str, signed_on: &str) -> (std::path::PathBuf, String, std::path::PathBuf) {
    let dir = temp_dir(name);
    let url = format!("sqlite:{}", dir.join("demo.sqlite").display());
    let (ok, text) = run(&["demo", "--database-url", &url, "--fill-only"]);
    assert!(ok, "{text}");
    let pdf = dir.join("bao-cao.pdf");
    let (ok, text) = run(&[
        "report",
        "summary",
        "--database-url",
        &url,
        "--as-of",
        as_of,
        "--signed-on",
        signed_on,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    (dir, url, pdf)
}

#[test]
fn summary_report_pdf_is_our_own_a4_with_exact_vietnamese_text() {
    let (dir, url, pdf) = demo_report_pdf("report-pdf", "2026-08-25", "2026-08-05");
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    let fonts = Command::new("pdffonts")
        .arg(&pdf)
        .output()
        .expect("pdffonts (poppler-utils)");
    let fonts = String::from_utf8_lossy(&fonts.stdout).to_string();
    assert!(
        fonts.contains("LiberationSerif") && !fonts.contains(" no "),
        "embedded, subset: {fonts}"
    );

    let text = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    use unicode_normalization::UnicodeNormalization;
    assert_eq!(text.nfc().collect::<String>(), text, "the extracted text is NFC");
    for s in [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Thịnh, ngày 05 tháng 8 năm 2026",
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch Tổ chức các hoạt động “Mùa hè sôi động cùng",
        "Bảng 1. Kết quả thực hiện chỉ tiêu (tính đến ngày 25/08/2026)",
        "Nơi nhận:",
        "PHÓ CHỦ TỊCH",
        "Đoàn Thị Nhung",
        "Biểu đồ 1. Lượt người dân được hỗ trợ theo thôn",
        "Vạch đỏ: chỉ tiêu 200 lượt mỗi thôn.",
        "Ô xanh: tuần lớp có buổi; ô hồng: tuần chưa có buổi.",
    ] {
        assert!(text.contains(s), "PDF text lacks “{s}”:\n{text}");
    }
    // The targets' figures, as the engine gives them.
    let (plan, standings) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = kehoach_store::Store::open(&url, false).await.unwrap();
        let id = store.plan_ids().await.unwrap().remove(0);
        let plan = kehoach_core::parse_plan(&store.plan_source(&id).await.unwrap()).unwrap();
        let as_of = kehoach_core::Day::parse_iso("2026-08-25").unwrap();
        let standings = kehoach_core::engine::board(&plan, &store.facts(&plan, as_of).await.unwrap(), as_of);
        store.close().await;
        (plan, standings)
    });
    for (t, s) in plan.targets.iter().zip(&standings) {
        let f = kehoach_core::report::figure(t, s.value.value);
        assert!(text.contains(&f), "PDF lacks {} = {f}", t.id);
    }
    // Page numbers from page 2 only: page 2 starts with "2".
    let p2 = Command::new("pdftotext")
        .args(["-f", "2", "-l", "2", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&p2.stdout).trim_start().starts_with('2'));
    assert!(!text.trim_start().starts_with('1'));

    // Page 1 rendered (kept as the screenshot when SCREENSHOT_DIR is set).
    let png = dir.join("page1");
    let r = Command::new("pdftoppm")
        .args(["-r", "110", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .status()
        .unwrap();
    assert!(r.success());
    let png = dir.join("page1.png");
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
    if let Ok(shots) = std::env::var("SCREENSHOT_DIR") {
        std::fs::copy(&png, std::path::Path::new(&shots).join("report-page1.png")).unwrap();
    }
}

/// The workbook (written by our own XLSX writer) opens in LibreOffice Calc:
/// every sheet converts to CSV with the database's row counts, dates shown
/// dd/mm/yyyy, times in Vietnam time and the Vietnamese text intact.
#[test]
fn the_workbook_opens_in_libreoffice_with_every_sheet() {
    let dir = temp_dir("workbook");
    let url = format!("sqlite:{}", dir.join("demo.sqlite").display());
    let (ok, text) = run(&["demo", "--database-url", &url, "--fill-only"]);
    assert!(ok, "{text}");
    let out = dir.join("du-lieu.xlsx");
    let (ok, text) = run(&[
        "report",
        "summary",
        "--database-url",
        &url,
        "--as-of",
        "2026-08-25",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let lo_profile = format!("-env:UserInstallation=file://{}", dir.join("lo").display());
    // Every sheet to its own CSV (the last option, -1), cells as shown.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";
    let status = Command::new("soffice")
        .args([
            lo_profile.as_str(),
            "--headless",
            "--convert-to",
            filter,
            "--outdir",
            dir.to_str().unwrap(),
            out.to_str().unwrap(),
        ])
        .output()
        .expect("LibreOffice (soffice, with Calc) is installed by scripts/test");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let read = |sheet: &str| {
        let path = dir.join(format!("du-lieu-{sheet}.csv"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let (turns, attendances, entries) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = kehoach_store::Store::open(&url, false).await.unwrap();
        let id = store.plan_ids().await.unwrap().remove(0);
        let turns = store.count_turns(&id).await.unwrap();
        let attendances: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attendances WHERE deleted_at IS NULL")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let entries = store.entries(&id, "l7-1-ideas").await.unwrap().len()
            + store.entries(&id, "l7-2-videos").await.unwrap().len();
        store.close().await;
        (turns as usize, attendances.0 as usize, entries)
    });
    let csv = read("Lượt hỗ trợ");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Ngày,Hoạt động,Thôn,Dịch vụ,Người cao tuổi,Người ghi,Ghi lúc");
    assert_eq!(lines.len() - 1, turns);
    for l in &lines[1..] {
        let day = kehoach_core::Day::parse_vn(&l[..10]).unwrap_or_else(|| panic!("not dd/mm/yyyy: {l}"));
        assert!(
            day.iso().as_str() >= "2026-06-01" && day.iso().as_str() <= "2026-08-31",
            "{l}"
        );
        assert!(l.contains("Thôn mẫu"), "{l}");
    }
    assert_eq!(read("Điểm danh").lines().count() - 1, attendances);
    let entries_csv = read("Bài dự thi");
    assert_eq!(entries_csv.lines().count() - 1, entries);
    assert!(
        entries_csv.contains("Giải Nhất") && entries_csv.contains("02/08/2026 09:00"),
        "{entries_csv}"
    );
    assert!(read("Chỉ tiêu 25-08-2026").contains("(T1)"));
    let coverage = read("Bao phủ danh sách");
    assert!(coverage.starts_with("Chỉ tiêu,Đơn vị,Danh sách,"), "{coverage}");
    assert!(
        coverage.contains(
            "Đoàn viên thanh niên tham gia hoạt động hỗ trợ chuyển đổi số cộng đồng (T2),Đoàn Thanh niên xã,"
        ),
        "{coverage}"
    );
}

/// A report signed after the campaign says what was achieved: every
/// target đạt or không đạt, never a forecast ("có nguy cơ", "đúng tiến độ").
#[test]
fn a_report_signed_after_the_end_says_what_was_achieved() {
    let (_, _, pdf) = demo_report_pdf("report-final", "2026-08-31", "2026-12-03");
    let text = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    for forecast in ["nguy cơ", "đúng tiến độ", "chậm tiến độ", "Chưa thực hiện"] {
        assert!(!text.contains(forecast), "a final report says “{forecast}”:\n{text}");
    }
    assert!(text.contains("Không đạt") || text.contains("Đạt"), "{text}");
}
