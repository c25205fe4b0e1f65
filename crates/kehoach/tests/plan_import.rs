//! `kehoach plan import`: the seed's text (and the same text in a .docx)
//! gives the corpus's expected draft; bad files get a Vietnamese reason, a
//! non-zero exit and nothing written.

use std::io::Write;
use std::process::Command;

mod common;
use common::{BIN, temp_dir};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A minimal Word document with one paragraph per line of `text`.
fn docx(text: &str) -> Vec<u8> {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body: String = text
        .lines()
        .map(|l| format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", esc(l)))
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", o).unwrap();
        z.write_all(
            b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
        )
        .unwrap();
        z.start_file("word/document.xml", o).unwrap();
        z.write_all(document.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// The seed as Word writes a plan whose numbers are automatic: the Roman
/// sections and the numbers under sections I, II and VI are a two-level
/// list (the numbers are not in the text), "- " items a bullet list;
/// section III keeps its typed numbers (its two "6" are not a list's).
fn docx_with_lists(text: &str) -> Vec<u8> {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut section = String::new();
    let mut body = String::new();
    for line in text.lines() {
        let roman = line
            .split_once(". ")
            .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| "IVX".contains(c)));
        let numbered = line
            .split_once(". ")
            .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let (list, rest) = if let Some((n, rest)) = roman {
            section = n.to_string();
            (Some((1, 0)), rest)
        } else if let Some((_, rest)) = numbered.filter(|_| ["I", "II", "VI"].contains(&section.as_str())) {
            (Some((1, 1)), rest)
        } else if let Some(rest) = line.strip_prefix("- ").filter(|r| !r.starts_with('+')) {
            (Some((2, 0)), rest)
        } else {
            (None, line)
        };
        let ppr = list
            .map(|(id, lvl)| {
                format!("<w:pPr><w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"{id}\"/></w:numPr></w:pPr>")
            })
            .unwrap_or_default();
        body.push_str(&format!(
            "<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            esc(rest)
        ));
    }
    let w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
    let document =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {w}><w:body>{body}</w:body></w:document>");
    let numbering = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:numbering {w}>\
         <w:abstractNum w:abstractNumId=\"10\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"upperRoman\"/><w:lvlText w:val=\"%1.\"/></w:lvl>\
         <w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%2.\"/></w:lvl></w:abstractNum>\
         <w:abstractNum w:abstractNumId=\"20\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\u{f0b7}\"/></w:lvl></w:abstractNum>\
         <w:num w:numId=\"1\"><w:abstractNumId w:val=\"10\"/></w:num><w:num w:numId=\"2\"><w:abstractNumId w:val=\"20\"/></w:num></w:numbering>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        for (name, xml) in [
            ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".to_string()),
            ("word/document.xml", document),
            ("word/numbering.xml", numbering),
        ] {
            z.start_file(name, o).unwrap();
            z.write_all(xml.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// A plan typed in Word with automatic numbering: the numbers are not in the
/// paragraphs' text, the reader writes them out and reads the same draft.
#[test]
fn a_word_plan_with_automatic_numbering_reads_to_the_expected_draft() {
    let seed = std::fs::read_to_string(root().join("plans/vinh-thinh-mua-he-so-2026.txt")).unwrap();
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("plans/corpus/vinh-thinh-mua-he-so-2026.json")).unwrap(),
    )
    .unwrap();
    let dir = temp_dir("plan-import-lists");
    let word = dir.join("ke-hoach-danh-so-tu-dong.docx");
    let bytes = docx_with_lists(&seed);
    // The numbers really are missing from the text Word stores.
    assert!(!String::from_utf8_lossy(&bytes).contains("VI. TỔ CHỨC"));
    std::fs::write(&word, bytes).unwrap();
    let (ok, out, err) = run(&["plan", "import", word.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), want);
}

#[test]
fn the_seed_text_and_its_docx_read_to_the_expected_draft() {
    let seed = root().join("plans/vinh-thinh-mua-he-so-2026.txt");
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("plans/corpus/vinh-thinh-mua-he-so-2026.json")).unwrap(),
    )
    .unwrap();
    let (ok, out, err) = run(&["plan", "import", seed.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(got, want);

    let dir = temp_dir("plan-import");
    let word = dir.join("ke-hoach.docx");
    std::fs::write(&word, docx(&std::fs::read_to_string(&seed).unwrap())).unwrap();
    let (ok, out, err) = run(&["plan", "import", word.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), want);

    // Without --json: a draft plan file beside the file, once, that the validator accepts.
    let (ok, out, err) = run(&["plan", "import", word.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("11 hoạt động") && out.contains("01/06/2026 – 31/08/2026"),
        "{out}"
    );
    assert!(out.contains("Bản nháp hợp lệ"), "{out}");
    let draft = dir.join("ke-hoach.draft.toml");
    let (ok, out, err) = run(&["plan", "validate", draft.to_str().unwrap()]);
    assert!(
        ok && out.contains("hợp lệ — 11 hoạt động, 9 chỉ tiêu, 17 đơn vị"),
        "{out}{err}"
    );
    // The Word copy gives the embedded plan too, under the id its file name gives.
    let mut plan = kehoach_core::parse_plan(&std::fs::read_to_string(&draft).unwrap()).unwrap();
    assert_eq!(plan.plan.id, "ke-hoach");
    plan.plan.id = kehoach_core::seed_plan().plan.id;
    assert!(
        plan == kehoach_core::seed_plan(),
        "the .docx import differs from the embedded plan"
    );
    let (ok, _, err) = run(&["plan", "import", word.to_str().unwrap()]);
    assert!(!ok && err.contains("đã tồn tại"), "{err}");
}

/// The must-show: `kehoach plan import` of the seed's text writes a plan
/// file equal to the embedded default plan: every field, ids, units (the
/// three sample villages included), lines with their steps, channels and
/// services, targets with how each is counted, budget, duties.
#[test]
fn importing_the_seed_text_gives_the_embedded_plan() {
    let dir = temp_dir("plan-import-equal");
    let src = dir.join("vinh-thinh-mua-he-so-2026.txt");
    std::fs::copy(root().join("plans/vinh-thinh-mua-he-so-2026.txt"), &src).unwrap();
    let out_file = dir.join("imported.toml");
    let (ok, out, err) = run(&[
        "plan",
        "import",
        src.to_str().unwrap(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("3 thôn mẫu"), "{out}");
    assert!(
        out.contains("11 câu chỉ tiêu (9 chỉ tiêu đo được, 2 câu nhắc lại chỉ tiêu mục IV)"),
        "{out}"
    );
    let plan = kehoach_core::parse_plan(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let seed = kehoach_core::seed_plan();
    // Part by part first, for a readable difference when one appears.
    assert_eq!(plan.plan, seed.plan);
    assert_eq!(plan.units, seed.units);
    for (a, b) in plan.lines.iter().zip(&seed.lines) {
        assert_eq!(a, b, "line {}", b.number);
    }
    for (a, b) in plan.targets.iter().zip(&seed.targets) {
        assert_eq!(a, b, "target {}", b.id);
    }
    assert_eq!(plan.budget_sources, seed.budget_sources);
    assert_eq!(plan.duties, seed.duties);
    assert_eq!((&plan.signer, &plan.recipients), (&seed.signer, &seed.recipients));
    assert_eq!(plan, seed);
}

#[test]
fn another_communes_plan_becomes_a_plan_the_server_accepts() {
    let dir = temp_dir("plan-import-other");
    let src = dir.join("an-hoa.txt");
    std::fs::copy(root().join("plans/corpus/an-hoa-2027.txt"), &src).unwrap();
    let (ok, out, err) = run(&["plan", "import", src.to_str().unwrap()]);
    assert!(ok && out.contains("Bản nháp hợp lệ"), "{out}{err}");
    assert!(
        out.contains("4 câu chỉ tiêu (2 chỉ tiêu đo được, 2 câu chưa đo được, cần soát lại)"),
        "households and the elderly have no roster: {out}"
    );
    let toml = std::fs::read_to_string(dir.join("an-hoa.draft.toml")).unwrap();
    let plan = kehoach_core::parse_plan(&toml).unwrap();
    assert_eq!(plan.plan.issuer, "Ủy ban nhân dân xã An Hòa");
    assert_eq!(plan.plan.number.as_deref(), Some("45/KH-UBND"));
    assert_eq!(plan.plan.issued_on.map(|d| d.iso()).as_deref(), Some("2027-05-24"));
    assert_eq!(
        (plan.signer.position.as_str(), plan.signer.name.as_str()),
        ("CHỦ TỊCH", "Nguyễn Văn Bình")
    );
    assert_eq!(plan.lines.len(), 5);
    assert_eq!(
        plan.plan.purposes,
        [
            "Nâng cao kỹ năng số cho người dân, nhất là người cao tuổi.",
            "Chào mừng kỷ niệm 82 năm Quốc khánh (02/9/1945 - 02/9/2027)."
        ],
        "bullets straight under “I. MỤC ĐÍCH, YÊU CẦU”"
    );
    assert_eq!(
        plan.lines[2].parent.as_deref(),
        Some(plan.lines[1].id.as_str()),
        "2.1 under 2"
    );
    // The per-village minimum became a target the board measures.
    let t = plan.targets.iter().find(|t| t.text.starts_with("Mỗi thôn")).unwrap();
    assert_eq!((t.measure, t.threshold), (kehoach_core::Measure::MinPerUnit, 150.0));
    // A database takes it, with its units.
    let url = format!("sqlite:{}", dir.join("an-hoa.sqlite").display());
    let stored = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = kehoach_store::Store::open(&url, true).await.unwrap();
        store.migrate().await.unwrap();
        let stored = store.import_plan(&plan, &toml, 0).await.unwrap();
        let units = store.list_units(&plan.plan.id).await.unwrap();
        store.close().await;
        stored && units.iter().any(|u| u.name == "Đoàn Thanh niên xã")
    });
    assert!(stored);
}

#[test]
fn bad_files_get_a_reason_and_nothing_is_written() {
    let dir = temp_dir("plan-import-bad");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("rong.txt", b"  \n\n".to_vec(), "không có nội dung"),
        (
            "nhi-phan.txt",
            vec![0x7f, b'E', b'L', b'F', 0, 1, 2, 3],
            "không phải văn bản",
        ),
        (
            "thu.txt",
            "Kính gửi anh chị,\nHẹn gặp lại.\n".as_bytes().to_vec(),
            "không phải một kế hoạch",
        ),
        ("hong.docx", b"PK\x03\x04 this is not a zip".to_vec(), "tệp Word hỏng"),
    ];
    for (name, bytes, reason) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let (ok, _, err) = run(&["plan", "import", path.to_str().unwrap()]);
        assert!(!ok, "{name} was accepted");
        assert!(err.contains(reason), "{name}: {err}");
        assert!(
            !path.with_extension("draft.json").exists(),
            "{name}: a draft was written"
        );
    }
    let (ok, _, err) = run(&["plan", "import", dir.join("khong-co.txt").to_str().unwrap()]);
    assert!(!ok && err.contains("không đọc được tệp"), "{err}");
}
