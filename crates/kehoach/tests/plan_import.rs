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

    // Without --json: the draft beside the file, once.
    let (ok, out, err) = run(&["plan", "import", word.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("11 hoạt động") && out.contains("01/06/2026 – 31/08/2026"),
        "{out}"
    );
    let draft = dir.join("ke-hoach.draft.json");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&draft).unwrap()).unwrap(),
        want
    );
    let (ok, _, err) = run(&["plan", "import", word.to_str().unwrap()]);
    assert!(!ok && err.contains("đã tồn tại"), "{err}");
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
