//! The `kehoach` binary: serve the plan, migrate, check and show plan files,
//! back up the database.

mod bench;
mod bench_board;
mod demo;
mod rng;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use kehoach_core::text::vn_int;
use kehoach_core::{SEED_PLAN_TOML, parse_plan};
use kehoach_store::{NewInvite, Role, Store};

const DEFAULT_DB: &str = "sqlite:data/kehoach.sqlite";
const DEMO_DB: &str = "sqlite:data/demo.sqlite";
const SETUP_TTL_SECS: i64 = 7 * 24 * 3600;

#[derive(Parser)]
#[command(
    name = "kehoach",
    version,
    about = "Kế hoạch của xã thành hệ thống sống: chỉ tiêu, tiến độ, báo cáo."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DbArgs {
    /// sqlite:PATH (default data/kehoach.sqlite) or postgres://user@host/db
    #[arg(long, env = "KEHOACH_DATABASE_URL", default_value = DEFAULT_DB)]
    database_url: String,
    /// Create the SQLite file if it does not exist (the default path is always created).
    #[arg(long)]
    create: bool,
}

/// Email for reminders (optional).
#[derive(clap::Args, Clone)]
struct MailArgs {
    /// SMTP server for reminder emails: smtps://user:pass@host:465, smtp://user:pass@host:587?tls=required
    /// or smtp://host:25 (a local relay). Without it reminders are in-app and Zalo text only.
    #[arg(long, env = "KEHOACH_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of reminder emails.
    #[arg(long, env = "KEHOACH_SMTP_FROM", default_value = "kehoach <kehoach@localhost>")]
    smtp_from: String,
}

/// How the server runs: the reverse proxies in front of it, slow clients,
/// and the day it runs on.
#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Addresses or ranges (10.0.0.0/8) of the reverse proxies whose X-Forwarded-For names
    /// the client, so that rate limits count citizens, not the proxy; comma-separated,
    /// "none" to trust none.
    #[arg(
        long,
        env = "KEHOACH_TRUSTED_PROXIES",
        default_value = "127.0.0.1,::1",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,
    /// Seconds a client may take to send a request's headers; slower
    /// connections are closed (slowloris).
    #[arg(long, env = "KEHOACH_HEADER_TIMEOUT_SECS", default_value_t = kehoach_web::serve::HEADER_READ_TIMEOUT.as_secs())]
    header_timeout_secs: u64,
    /// Run as if today were this day (dd/mm/yyyy or YYYY-MM-DD): a demo or a
    /// training on a day of the campaign; the hours still pass. Default: the
    /// machine's clock.
    #[arg(long, env = "KEHOACH_TODAY")]
    today: Option<String>,
    /// A PostgreSQL streaming replica (hot standby) of the database: boards,
    /// the city's roll-up, reports and exports read there, every write and
    /// the reads a write depends on go to the primary. Pages say when the
    /// replica lags behind.
    #[arg(long, env = "KEHOACH_READ_DATABASE_URL", hide_env_values = true)]
    read_database_url: Option<String>,
}

impl ServeArgs {
    fn clock(&self) -> anyhow::Result<kehoach_core::Clock> {
        match self.today.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(kehoach_core::Clock::system()),
            Some(s) => kehoach_core::Day::parse_any(s)
                .map(kehoach_core::Clock::system_on)
                .ok_or_else(|| {
                    anyhow::anyhow!("--today: “{s}” không phải một ngày (viết dd/mm/yyyy, ví dụ 20/07/2026)")
                }),
        }
    }

    fn addresses(&self) -> anyhow::Result<Vec<kehoach_web::http::auth::ProxyRange>> {
        self.trusted_proxies
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty() && *a != "none")
            .map(|a| {
                kehoach_web::http::auth::ProxyRange::parse(a).ok_or_else(|| {
                    anyhow::anyhow!("--trusted-proxies: “{a}” không phải một địa chỉ IP hay một dải (10.0.0.0/8)")
                })
            })
            .collect()
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve pages and the API (SQLite file and the embedded seed plan by default).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "KEHOACH_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Plan file to load into an empty database (default: the embedded Vĩnh Thịnh plan).
        #[arg(long, env = "KEHOACH_PLAN")]
        plan: Option<PathBuf>,
        /// Public base URL for links handed out (invites); https:// marks cookies Secure.
        #[arg(long, env = "KEHOACH_PUBLIC_URL")]
        public_url: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        proxies: ServeArgs,
        /// Serve the sample campaign instead (as `kehoach demo`): a separate database,
        /// data/demo.sqlite unless --database-url names another.
        #[arg(long)]
        demo: bool,
    },
    /// Create or update the database schema.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// The communes of the server: each with its own host name, accounts, units, plans and records.
    Commune {
        #[command(subcommand)]
        command: CommuneCommand,
    },
    /// Cities and provinces: each groups its communes and reads them all live.
    City {
        #[command(subcommand)]
        command: CityCommand,
    },
    /// Plan files.
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Benchmarks (figures next to a floor measured in the same run).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Reports from the records (the same figures as the board).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Consistent copy of the SQLite database while it serves.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// Where to write the copy (must not exist).
        path: PathBuf,
    },
    /// Fill a separate database with a clearly-marked sample campaign (June–August) and serve it.
    Demo {
        /// The demo database (never the real one).
        #[arg(long, default_value = DEMO_DB)]
        database_url: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[arg(long)]
        public_url: Option<String>,
        /// Fill the database, then exit without serving.
        #[arg(long)]
        fill_only: bool,
        /// Also a sample city of twelve sample communes at different paces, on
        /// thanh-pho-mau.localhost (its board: who leads, who lags).
        #[arg(long)]
        city: bool,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        proxies: ServeArgs,
    },
}

#[derive(Subcommand)]
enum CommuneCommand {
    /// Add a commune and print the one-time link for its first coordinator.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Its full name: "xã An Hòa", "phường Hồng Bàng".
        #[arg(long)]
        name: String,
        /// Its city or province.
        #[arg(long, default_value = "")]
        province: String,
        /// The host name it is served on (an-hoa.kehoach.haiphong.gov.vn); needed for
        /// every commune but the server's first.
        #[arg(long)]
        host: Option<String>,
        /// Its plan file (default: a starter plan with its name only; the coordinator
        /// then brings the real plan in from its text).
        #[arg(long)]
        plan: Option<PathBuf>,
        /// The server's public base URL (scheme and port of the link printed).
        #[arg(long, env = "KEHOACH_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
        /// The city or province it reports to (its short name, as `kehoach city list` shows).
        #[arg(long)]
        city: Option<String>,
    },
    /// List the communes with their plans, accounts and records.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum CityCommand {
    /// Add a city (or province) and print the one-time link for its first
    /// coordinator, who then adds its communes in the browser.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Its full name: "thành phố Hải Phòng", "tỉnh Quảng Ninh".
        #[arg(long)]
        name: String,
        /// The host name it is served on (kehoach.haiphong.gov.vn).
        #[arg(long)]
        host: String,
        /// Its plan file (default: a starter plan with its name only).
        #[arg(long)]
        plan: Option<PathBuf>,
        /// The server's public base URL (scheme and port of the link printed).
        #[arg(long, env = "KEHOACH_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// List the cities with their communes.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The board as of random dates over 1,000,000 turns, against a naive scan of every record.
    Board {
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        turns: usize,
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// A city instead: this many communes of 10,000 turns each (or --turns-per-commune)
        /// in one database, one commune's board measured alone, then among them.
        #[arg(long)]
        communes: Option<usize>,
        #[arg(long, default_value_t = 10_000)]
        turns_per_commune: usize,
    },
    /// Support turns through the HTTP API at several concurrencies vs a bare insert loop.
    Ingest {
        /// Database to measure (default: a new temporary SQLite file).
        #[arg(long)]
        database_url: Option<String>,
        /// Seconds per level.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Requests in flight, comma-separated.
        #[arg(long, default_value = "1,16,64", value_delimiter = ',')]
        concurrency: Vec<usize>,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The summary report (báo cáo tổng kết) as of a date: DOCX or PDF (Decree 30/2020 layout), or the data as XLSX.
    Summary {
        #[command(flatten)]
        db: DbArgs,
        /// Figures as of this day, YYYY-MM-DD (default: today, within the plan's period).
        #[arg(long)]
        as_of: Option<String>,
        /// The date printed in the header, YYYY-MM-DD (default: today).
        #[arg(long)]
        signed_on: Option<String>,
        /// Output file; the extension picks the format: .docx or .pdf (the report), .xlsx (the data, a sheet per record kind).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Check a plan file; prints every problem with its line and field.
    Validate { file: PathBuf },
    /// Print a readable summary of a plan file (default: the embedded plan).
    Show { file: Option<PathBuf> },
    /// Read a published plan (.txt or .docx) into a draft: title, issuer,
    /// period, activities, targets, budget sources, duties.
    Import {
        file: PathBuf,
        /// Print the draft as JSON on standard output (nothing written).
        #[arg(long)]
        json: bool,
        /// Where to write the draft plan file (default: beside FILE, ".draft.toml").
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `kehoach plan import`: the text of a .txt or .docx, parsed into a draft.
fn import_plan(file: &PathBuf, json: bool, out: Option<PathBuf>) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("không đọc được tệp {}", file.display()))?;
    let is_docx = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    let text = if is_docx {
        kehoach_report::docx::text(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: tệp Word hỏng hoặc không đọc được ({e})", file.display()))?
    } else {
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: tệp không phải văn bản UTF-8", file.display()))?
    };
    let draft = kehoach_core::read::parse::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let body = serde_json::to_string_pretty(&draft)?;
    if json {
        use std::io::Write as _;
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout().lock(), "{body}");
        return Ok(());
    }
    // Without --json: the draft as a plan file to review (`kehoach plan validate`, then `serve --plan`).
    let file_name = file.file_name().map(|n| n.to_string_lossy().to_string());
    let plan = kehoach_core::read::draft::to_plan(&draft, &text, file_name.as_deref());
    let toml =
        kehoach_core::read::draft::to_toml(&plan).map_err(|e| anyhow::anyhow!("không tạo được tệp kế hoạch: {e}"))?;
    let toml = format!(
        "# Bản nháp đọc từ {} bởi `kehoach plan import`: hãy soát lại từng mục\n# (mã, đơn vị, chỉ tiêu) rồi kiểm tra bằng `kehoach plan validate`.\n\n{toml}",
        file.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    );
    let out = out.unwrap_or_else(|| file.with_extension("draft.toml"));
    if out.exists() {
        bail!("{}: tệp đã tồn tại, hãy chọn tên khác (--out)", out.display());
    }
    let tmp = out.with_extension("toml.tmp");
    std::fs::write(&tmp, toml.as_bytes()).with_context(|| format!("không ghi được {}", tmp.display()))?;
    std::fs::rename(&tmp, &out).with_context(|| format!("không ghi được {}", out.display()))?;
    let vn = |d: &Option<String>| {
        d.as_deref()
            .and_then(kehoach_core::Day::parse_iso)
            .map(|d| d.vn())
            .unwrap_or_else(|| "?".into())
    };
    let fates = kehoach_core::read::draft::target_fates(&draft, &plan);
    println!(
        "Đã đọc {}: {} hoạt động, {} câu chỉ tiêu ({} chỉ tiêu đo được{}{}), {} nguồn kinh phí, {} đơn vị có nhiệm vụ; thời gian {} – {}. Bản nháp kế hoạch: {}",
        file.display(),
        draft.activities.len(),
        draft.targets.len(),
        fates.measured,
        if fates.restated > 0 {
            format!(", {} câu nhắc lại chỉ tiêu mục IV", fates.restated)
        } else {
            String::new()
        },
        if fates.as_text > 0 {
            format!(", {} câu chưa đo được, cần soát lại", fates.as_text)
        } else {
            String::new()
        },
        draft.budget_sources.len(),
        draft.responsibilities.len(),
        vn(&draft.period.from),
        vn(&draft.period.to),
        out.display()
    );
    match parse_plan(&toml) {
        Ok(p) if p.units.iter().any(|u| u.sample) => println!(
            "Bản nháp hợp lệ. Kế hoạch không nêu tên các thôn, tổ dân phố: bản nháp có {} thôn mẫu (dữ liệu mẫu), hãy thay bằng các thôn, tổ dân phố thật trước khi ghi nhận.",
            p.units.iter().filter(|u| u.sample).count()
        ),
        Ok(_) => println!("Bản nháp hợp lệ; hãy soát lại các đơn vị (thôn, trường) trước khi ghi nhận."),
        Err(errors) => {
            println!("Bản nháp còn {} chỗ cần soát lại:", errors.len());
            for e in errors {
                println!("  {e}");
            }
        }
    }
    Ok(())
}

fn read_plan(file: &PathBuf) -> anyhow::Result<(kehoach_core::Plan, String)> {
    let text = std::fs::read_to_string(file).with_context(|| format!("không đọc được tệp {}", file.display()))?;
    match parse_plan(&text) {
        Ok(p) => Ok((p, text)),
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {e}", file.display());
            }
            bail!("{}: {} lỗi", file.display(), errors.len())
        }
    }
}

async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    let create = db.create || db.database_url == DEFAULT_DB;
    let store = Store::open(&db.database_url, create).await?;
    store
        .migrate()
        .await
        .context("không cập nhật được lược đồ cơ sở dữ liệu")?;
    Ok(store)
}

/// The server's first commune and the plan it serves by default (its
/// newest running plan): what `serve` opens and `report` reports on.
async fn served_plan(store: &Store) -> anyhow::Result<(kehoach_store::CommuneRow, kehoach_core::Plan)> {
    let commune = store
        .primary_commune()
        .await?
        .context("cơ sở dữ liệu chưa có xã, kế hoạch nào")?;
    let plan_id = store
        .commune_plan_id(&commune.id)
        .await?
        .with_context(|| format!("{} chưa có kế hoạch", commune.name))?;
    let plan = store.load_plan(&plan_id).await?;
    Ok((commune, plan))
}

async fn serve(
    db: DbArgs,
    listen: SocketAddr,
    plan_file: Option<PathBuf>,
    public_url: Option<String>,
    mail: MailArgs,
    proxies: ServeArgs,
) -> anyhow::Result<()> {
    let trusted = proxies.addresses()?;
    let clock = proxies.clock()?;
    let header_timeout = std::time::Duration::from_secs(proxies.header_timeout_secs.max(1));
    let mailer = match &mail.smtp_url {
        Some(url) => Some(kehoach_web::mail::Mailer::new(url, &mail.smtp_from)?),
        None => None,
    };
    let mut store = open(&db).await?;
    if let Some(url) = &proxies.read_database_url {
        store = store
            .with_read_replica(url)
            .await
            .context("--read-database-url: không dùng được máy chủ bản sao")?;
        tracing::info!("boards, reports and exports read from the replica");
    }
    let now = clock.now();
    let ids = store.plan_ids().await?;
    if ids.is_empty() {
        let (plan, source) = match &plan_file {
            Some(f) => read_plan(f)?,
            None => (kehoach_core::seed_plan(), SEED_PLAN_TOML.to_string()),
        };
        store.import_plan(&plan, &source, now).await?;
        tracing::info!(plan = %plan.plan.id, "plan loaded into the database");
        // The commune's own villages are configuration: no sample ones.
        match store.drop_sample_units(&plan.plan.id).await {
            Ok(0) => {}
            Ok(_) => {
                println!("Các thôn mẫu của kế hoạch không được tạo: hãy thêm các thôn, trường của xã ở trang Đơn vị.")
            }
            Err(e) => tracing::warn!(error = %e, "sample units kept"),
        }
    }
    // Every stored plan's derived rules as this version reads its file.
    for id in &ids {
        store.sync_plan_rules(&store.load_plan(id).await?).await?;
    }
    let (commune, plan) = served_plan(&store).await?;
    let public_url = public_url.unwrap_or_else(|| format!("http://{listen}"));
    if store.count_users(&plan.plan.id).await? == 0 {
        let token = store.create_invite(&plan.plan.id, setup_invite(), now).await?;
        println!("Chưa có người điều phối. Mở liên kết thiết lập (dùng một lần, hết hạn sau 7 ngày):");
        println!("  {}/moi/{token}", public_url.trim_end_matches('/'));
    }
    let others = store.communes().await?.len() - 1;
    let mut state = kehoach_web::AppState::new(store.clone(), commune, plan, public_url.clone(), clock)
        .with_trusted_proxies(trusted);
    state.load_closed_plans().await?;
    if let Some(m) = mailer {
        state = state.with_mailer(m);
        // Tomorrow's shift reminders by email, from 17:00 each day.
        kehoach_web::volunteers::spawn_shift_reminder_job(state.clone());
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("không mở được cổng {listen}"))?;
    println!("kehoach đang chạy tại {public_url}");
    if others > 0 {
        println!("Cùng máy chủ: {others} xã khác, mỗi xã ở tên miền riêng (kehoach commune list).");
    }
    if proxies.today.is_some() {
        println!("Chạy như hôm nay là ngày {} (--today).", state.clock.today().vn());
    }
    kehoach_web::serve::serve(listener, kehoach_web::server_app(state), header_timeout, shutdown()).await?;
    store.close().await;
    Ok(())
}

fn parse_day(raw: &str, what: &str) -> anyhow::Result<kehoach_core::Day> {
    kehoach_core::Day::parse_any(raw)
        .with_context(|| format!("{what}: “{raw}” không phải một ngày (viết YYYY-MM-DD hoặc dd/mm/yyyy)"))
}

async fn report_summary(
    db: DbArgs,
    as_of: Option<String>,
    signed_on: Option<String>,
    out: PathBuf,
) -> anyhow::Result<()> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !matches!(ext.as_str(), "docx" | "pdf" | "xlsx") {
        bail!(
            "{}: chỉ xuất được .docx hoặc .pdf (báo cáo) và .xlsx (dữ liệu)",
            out.display()
        );
    }
    if out.exists() {
        bail!("{}: tệp đã tồn tại, hãy chọn tên khác", out.display());
    }
    let store = Store::open(&db.database_url, false).await?;
    // A database written by an older kehoach gets the newer tables first (as `serve` does).
    store.migrate().await?;
    let (_, plan) = served_plan(&store).await?;
    let today = kehoach_core::Clock::system().today();
    let period = plan.plan.period;
    let as_of = match as_of {
        Some(s) => parse_day(&s, "--as-of")?,
        None => today.min(period.end).max(period.start),
    };
    let signed_on = match signed_on {
        Some(s) => parse_day(&s, "--signed-on")?,
        None => today,
    };
    // A spinner with the current step on a terminal (hidden when stderr is not one).
    let progress = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        progress.set_style(style);
    }
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let mut counts = String::new();
    let bytes = if ext == "xlsx" {
        progress.set_message("Đang đọc số liệu…");
        let sheets =
            kehoach_web::reports::workbook(&store, &plan, &kehoach_store::ExportFilter::default(), as_of).await?;
        let rows: usize = sheets.iter().map(|s| s.rows.len()).sum();
        progress.set_message(format!("Đang ghi {} dòng vào tệp Excel…", vn_int(rows as i64)));
        counts = sheets
            .iter()
            .map(|s| format!("{} ({} dòng)", s.name, vn_int(s.rows.len() as i64)))
            .collect::<Vec<_>>()
            .join(", ");
        kehoach_report::sheets::xlsx(&sheets)?
    } else {
        progress.set_message("Đang tính số liệu…");
        let report = kehoach_web::reports::summary_report(&store, &plan, as_of, signed_on).await?;
        progress.set_message("Đang dàn trang…");
        if ext == "pdf" {
            kehoach_report::pdf::pdf(&report)?
        } else {
            kehoach_report::docx::docx(&report)?
        }
    };
    progress.finish_and_clear();
    // Written beside the target and renamed: never a half-written file.
    let tmp = out.with_extension(format!("{ext}.tmp"));
    std::fs::write(&tmp, &bytes).with_context(|| format!("không ghi được {}", tmp.display()))?;
    std::fs::rename(&tmp, &out).with_context(|| format!("không ghi được {}", out.display()))?;
    store.close().await;
    println!(
        "Đã xuất báo cáo tính đến ngày {} vào {} ({} KB).",
        as_of.vn(),
        out.display(),
        bytes.len().div_ceil(1024)
    );
    if !counts.is_empty() {
        println!("Các trang tính: {counts}.");
    }
    Ok(())
}

/// `kehoach demo` and `kehoach serve --demo`: fill the sample database once, then serve it.
async fn run_demo(
    database_url: String,
    listen: SocketAddr,
    public_url: Option<String>,
    fill_only: bool,
    city: bool,
    mail: MailArgs,
    proxies: ServeArgs,
) -> anyhow::Result<()> {
    let db = DbArgs {
        database_url,
        create: true,
    };
    let store = open(&db).await?;
    if store.plan_ids().await?.is_empty() {
        println!("Đang tạo chiến dịch mẫu (dữ liệu giả lập, không phải số liệu thật của xã)…");
        demo::fill(&store).await?;
    } else {
        println!("Cơ sở dữ liệu mẫu đã có dữ liệu: giữ nguyên.");
    }
    let has_city = store
        .communes()
        .await?
        .iter()
        .any(|c| c.host.as_deref() == Some(demo::DEMO_CITY_HOST));
    if city && !has_city {
        println!("Đang tạo thành phố mẫu: 12 xã mẫu, mỗi xã một nhịp độ (dữ liệu giả lập)…");
        demo::fill_city(&store).await?;
    }
    store.close().await;
    println!(
        "Dữ liệu mẫu: đăng nhập {} / {} (tình nguyện viên tnv01…tnv06, báo cáo viên thôn thon1…thon3, cùng mật khẩu).",
        demo::DEMO_USER,
        demo::DEMO_PASSWORD
    );
    if city || has_city {
        let base = public_url.clone().unwrap_or_else(|| format!("http://{listen}"));
        let base = base.replace("127.0.0.1", "localhost");
        println!(
            "Thành phố mẫu: {} (đăng nhập {} / {}); các xã mẫu: {} … {}.",
            kehoach_web::communes::url_on_host(&base, demo::DEMO_CITY_HOST),
            demo::DEMO_USER,
            demo::DEMO_PASSWORD,
            kehoach_web::communes::url_on_host(&base, "xa-mau-01.localhost"),
            kehoach_web::communes::url_on_host(&base, "xa-mau-12.localhost"),
        );
    }
    if fill_only {
        return Ok(());
    }
    serve(db, listen, None, public_url, mail, proxies).await
}

fn setup_invite() -> NewInvite {
    NewInvite {
        role: Role::Coordinator,
        unit_id: None,
        note: None,
        created_by: None,
        ttl_secs: SETUP_TTL_SECS,
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// `kehoach commune add` and `kehoach city add`.
async fn commune_add(
    db: DbArgs,
    mut new: kehoach_store::NewCommune,
    city_slug: Option<String>,
    plan_file: Option<PathBuf>,
    public_url: String,
) -> anyhow::Result<()> {
    let clock = kehoach_core::Clock::system();
    let now = clock.now();
    // The plan is read before anything is written: a wrong file adds nothing.
    let plan = plan_file.as_ref().map(read_plan).transpose()?;
    let store = open(&db).await?;
    if let Some(slug) = city_slug {
        let city = store
            .communes()
            .await?
            .into_iter()
            .find(|c| c.is_city() && c.slug == slug)
            .ok_or_else(|| anyhow::anyhow!("không có thành phố, tỉnh “{slug}” (xem kehoach city list)"))?;
        if new.province.is_empty() {
            new.province = kehoach_core::plan::starter::split_level(&city.name).1;
        }
        new.city_id = Some(city.id);
    }
    let (commune, plan_id, token) = store
        .found_commune(new, plan, clock.today().0.year(), SETUP_TTL_SECS, now)
        .await
        .map_err(store_refusal)?;
    let base = match &commune.host {
        Some(h) => kehoach_web::communes::url_on_host(&public_url, h),
        None => public_url.trim_end_matches('/').to_string(),
    };
    let title = store.load_plan(&plan_id).await?.plan.title;
    println!(
        "Đã thêm {} (mã {}), {}.",
        commune.name,
        commune.slug,
        match &commune.host {
            Some(h) => format!("tên miền {h}"),
            None => "địa chỉ chung của máy chủ".to_string(),
        }
    );
    println!(
        "Kế hoạch: {title}{}.",
        if plan_file.is_none() {
            " (người điều phối nhập kế hoạch thật ở trang Nhập kế hoạch)"
        } else {
            ""
        }
    );
    println!("Liên kết thiết lập cho người điều phối đầu tiên (dùng một lần, hết hạn sau 7 ngày):");
    println!("  {base}/moi/{token}");
    store.close().await;
    Ok(())
}

/// A store refusal in the words the API would use.
fn store_refusal(e: kehoach_store::StoreError) -> anyhow::Error {
    match e {
        kehoach_store::StoreError::Conflict { code, .. } => anyhow::anyhow!("{}", code.message_vn()),
        e => e.into(),
    }
}

/// `kehoach commune list` (`cities`: `kehoach city list`, each city with its communes).
async fn commune_list(db: DbArgs, cities: bool) -> anyhow::Result<()> {
    let store = Store::open(&db.database_url, false).await?;
    store.migrate().await?;
    let all = store.commune_summaries().await?;
    let line = |c: &kehoach_store::CommuneSummary, indent: &str| {
        let where_ = match &c.commune.host {
            Some(h) => h.clone(),
            None => "mọi tên miền khác (xã đầu tiên)".to_string(),
        };
        println!(
            "{indent}{} — {}{} · {} · {} tài khoản, {} buổi, {} lượt hỗ trợ",
            c.commune.slug,
            c.commune.name,
            if c.commune.province.is_empty() || c.commune.is_city() {
                String::new()
            } else {
                format!(", {}", c.commune.province)
            },
            where_,
            vn_int(c.users),
            vn_int(c.sessions),
            vn_int(c.turns)
        );
        for (id, title) in &c.plans {
            println!("{indent}    kế hoạch {id}: {title}");
        }
    };
    if cities {
        let cities: Vec<_> = all.iter().filter(|c| c.commune.is_city()).collect();
        if cities.is_empty() {
            println!("Máy chủ chưa có thành phố, tỉnh nào (thêm bằng kehoach city add).");
        }
        for city in cities {
            line(city, "");
            let communes: Vec<_> = all
                .iter()
                .filter(|c| c.commune.city_id.as_deref() == Some(city.commune.id.as_str()))
                .collect();
            println!("    {} xã, phường:", communes.len());
            for c in communes {
                line(c, "      ");
            }
        }
    } else {
        if all.is_empty() {
            println!("Máy chủ chưa có xã nào (kehoach serve tạo xã đầu tiên từ kế hoạch).");
        }
        for c in all.iter().filter(|c| !c.commune.is_city()) {
            line(c, "");
        }
    }
    store.close().await;
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            plan,
            public_url,
            mail,
            proxies,
            demo,
        } => {
            if demo {
                let url = if db.database_url == DEFAULT_DB {
                    DEMO_DB.to_string()
                } else {
                    db.database_url
                };
                return run_demo(url, listen, public_url, false, false, mail, proxies).await;
            }
            serve(db, listen, plan, public_url, mail, proxies).await
        }
        Command::Demo {
            database_url,
            listen,
            public_url,
            fill_only,
            city,
            mail,
            proxies,
        } => run_demo(database_url, listen, public_url, fill_only, city, mail, proxies).await,
        Command::Commune {
            command:
                CommuneCommand::Add {
                    db,
                    name,
                    province,
                    host,
                    plan,
                    public_url,
                    city,
                },
        } => {
            let new = kehoach_store::NewCommune {
                name,
                province,
                host,
                ..Default::default()
            };
            commune_add(db, new, city, plan, public_url).await
        }
        Command::City {
            command:
                CityCommand::Add {
                    db,
                    name,
                    host,
                    plan,
                    public_url,
                },
        } => {
            let new = kehoach_store::NewCommune {
                province: kehoach_core::plan::starter::split_level(&name).1,
                name,
                host: Some(host),
                is_city: true,
                ..Default::default()
            };
            commune_add(db, new, None, plan, public_url).await
        }
        Command::City {
            command: CityCommand::List { db },
        } => commune_list(db, true).await,
        Command::Commune {
            command: CommuneCommand::List { db },
        } => commune_list(db, false).await,
        Command::Migrate { db } => {
            open(&db).await?;
            println!("Cơ sở dữ liệu đã cập nhật.");
            Ok(())
        }
        Command::Plan {
            command: PlanCommand::Validate { file },
        } => {
            let (plan, _) = read_plan(&file)?;
            println!(
                "{}: hợp lệ — {} hoạt động, {} chỉ tiêu, {} đơn vị.",
                file.display(),
                plan.lines.len(),
                plan.targets.len(),
                plan.units.len()
            );
            Ok(())
        }
        Command::Plan {
            command: PlanCommand::Import { file, json, out },
        } => import_plan(&file, json, out),
        Command::Plan {
            command: PlanCommand::Show { file },
        } => {
            let plan = match file {
                Some(f) => read_plan(&f)?.0,
                None => kehoach_core::seed_plan(),
            };
            print!("{}", kehoach_core::plan::show::summary(&plan));
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Board {
                    database_url,
                    turns,
                    iterations,
                    communes,
                    turns_per_commune,
                },
        } => match communes {
            Some(n) => bench_board::board_communes(database_url, n.max(1), turns_per_commune, iterations).await,
            None => bench_board::board(database_url, turns, iterations).await,
        },
        Command::Bench {
            command:
                BenchCommand::Ingest {
                    database_url,
                    seconds,
                    concurrency,
                },
        } => bench::ingest(database_url, seconds, &concurrency).await,
        Command::Report {
            command:
                ReportCommand::Summary {
                    db,
                    as_of,
                    signed_on,
                    out,
                },
        } => report_summary(db, as_of, signed_on, out).await,
        Command::Backup { db, path } => {
            let store = Store::open(&db.database_url, false).await?;
            store.backup(&path).await?;
            println!("Đã sao lưu vào {}", path.display());
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEHOACH_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // A one-shot command whose output is piped into `head` ends quietly, as
    // other command-line tools do, instead of panicking on the closed pipe.
    // Not for the server: a client closing its socket must not end it.
    #[cfg(unix)]
    if !matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }) {
        // SAFETY: called once at start, before any other thread exists.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lỗi: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}
