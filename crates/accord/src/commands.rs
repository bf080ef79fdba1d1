//! What each command does: open the store, call one application service, print the outcome.

use crate::cli::{
    AdminCommand, ApplicationsCommand, AuditCommand, AuthorityCommand, CasesCommand, Cli, Command, ConfigCommand,
    KeyCommand, ListsCommand, LogFormat, OrgCommand, ServeArgs, ShipmentsCommand, UserCommand,
};
use crate::config::{DEFAULT_FILE, FileConfig};
use crate::output;
use accord_app::{App, NewKey};
use accord_core::ErrorCode;
use accord_core::listed::SyncOutcome;
use accord_core::principal::Principal;
use accord_store::{DbUrl, SqlStore, Store};
use anyhow::{Context, Result, anyhow};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;

/// Runs one command.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    crate::output::set_json(cli.json);
    let file = FileConfig::load(cli.config.as_deref())?;
    let db = match cli.db.clone().or(file.db.clone()) {
        Some(s) => DbUrl::parse(&s).map_err(|e| anyhow!(e.message))?,
        None => DbUrl::default_sqlite(),
    };
    let federation_config = file.federation.clone().unwrap_or_default();
    let key_path = cli
        .node_key
        .clone()
        .or_else(|| federation_config.key_file.as_ref().map(std::path::PathBuf::from))
        .unwrap_or_else(crate::federation::default_key_path);
    let operator = Principal::Operator {
        name: std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "operator".into()),
    };
    let engine_flags = (cli.duckdb.clone(), cli.columnar_dir.clone());
    match cli.command {
        Command::Config(ConfigCommand::Default) => {
            print!("{DEFAULT_FILE}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Policies(crate::cli::PoliciesCommand::Generate { us_ecfr, output, check }) => {
            crate::determine::generate(&us_ecfr, &output, check)
        }
        Command::Serve(args) => {
            let variants = name_variants(cli.name_variants.as_deref(), &file)?;
            let engine = columnar(&engine_flags, &file, &db)?;
            serve(args, file, db, (variants, engine), &key_path).await
        }
        command => {
            init_logging(LogFormat::Text, file.log_level.as_deref().unwrap_or("warn"))?;
            let store = open(&db, file.max_connections.unwrap_or(4)).await?;
            let mut app = App::new(store.clone());
            if let Some(engine) = columnar(&engine_flags, &file, &db)? {
                app = app.with_columnar(engine);
            }
            if let Some(f) = crate::federation::load(&app, &key_path, &federation_config).await? {
                app = app.with_federation(f);
            }
            if matches!(
                command,
                Command::Screen(_)
                    | Command::Determine(_)
                    | Command::Apply(_)
                    | Command::Applications(_)
                    | Command::Licences(_)
            ) && let Some(v) = name_variants(cli.name_variants.as_deref(), &file)?
            {
                app = app.with_name_variants(v);
            }
            // With a key, the command acts as its holder; without one, as the operator of the node.
            let operator = match &cli.api_key {
                Some(token) => service(app.authenticate(token).await)?,
                None => operator,
            };
            let outcome = match command {
                Command::Node(c) => {
                    crate::federation::node(&app, &operator, &key_path, c).await.map(|()| ExitCode::SUCCESS)
                }
                Command::Peers(c) => crate::federation::peers(&app, &operator, c).await.map(|()| ExitCode::SUCCESS),
                Command::Federation(c) => {
                    crate::federation::federation(&app, &operator, c).await.map(|()| ExitCode::SUCCESS)
                }
                Command::Lists(ListsCommand::Sync { lists }) => sync_now(&app, &file, &lists).await,
                Command::Screen(args) => crate::screen::run(&app, &operator, args).await,
                command => admin(&app, &operator, command).await,
            };
            store.close().await;
            outcome
        }
    }
}

/// The columnar engine, when a DuckDB library is named by the flag, the environment or the file.
fn columnar(
    (duckdb, dir): &(Option<std::path::PathBuf>, Option<std::path::PathBuf>),
    file: &FileConfig,
    db: &DbUrl,
) -> Result<Option<accord_columnar::Columnar>> {
    let Some(library) = duckdb.clone().or(file.duckdb.as_ref().map(Into::into)) else { return Ok(None) };
    let dir = match (dir.clone().or(file.columnar_dir.as_ref().map(Into::into)), db) {
        (Some(dir), _) => dir,
        (None, DbUrl::Sqlite(path)) => path.parent().unwrap_or(std::path::Path::new(".")).join("columnar"),
        (None, DbUrl::Postgres(_)) => std::path::PathBuf::from("accord-data/columnar"),
    };
    let engine = accord_columnar::Columnar::open(&library, &dir).map_err(|e| anyhow!(e.message))?;
    Ok(Some(engine))
}

/// Loads the name-variant table named by the flag, the environment or the file, if any.
fn name_variants(
    flag: Option<&std::path::Path>,
    file: &FileConfig,
) -> Result<Option<Arc<accord_screen::NameVariants>>> {
    let Some(path) = flag.map(|p| p.to_path_buf()).or(file.name_variants.as_ref().map(Into::into)) else {
        return Ok(None);
    };
    let f =
        std::fs::File::open(&path).with_context(|| format!("cannot read the name-variant table {}", path.display()))?;
    let table = accord_screen::NameVariants::load(std::io::BufReader::new(f))
        .map_err(|e| anyhow!("invalid name-variant table {}: {}", path.display(), e.message))?;
    Ok(Some(Arc::new(table)))
}

async fn sync_now(app: &App, file: &FileConfig, lists: &[String]) -> Result<ExitCode> {
    let outcomes = crate::sync::sync_all(app, &file.sync.clone().unwrap_or_default(), lists).await?;
    let mut failed = false;
    for o in &outcomes {
        println!("{}: {}: {}", o.list_id, o.outcome.as_str(), o.message);
        failed |= o.outcome == SyncOutcome::Failed;
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

async fn open(db: &DbUrl, max_connections: u32) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(service(SqlStore::open(db, max_connections).await)?))
}

/// A domain error as the command line prints it (message, code and details); its code sets the exit status.
#[derive(Debug)]
pub(crate) struct Failure(pub accord_core::Error);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = &self.0;
        match &e.details {
            Some(d) => write!(f, "{} ({}; {d})", e.message, e.code),
            None => write!(f, "{} ({})", e.message, e.code),
        }
    }
}

impl std::error::Error for Failure {}

pub(crate) fn service<T>(r: accord_core::Result<T>) -> Result<T> {
    r.map_err(|e| anyhow::Error::new(Failure(e)))
}

pub(crate) use crate::output::print_json;

/// Builds a request type from JSON so that the CLI parses input exactly as the API does.
fn request<T: DeserializeOwned>(v: serde_json::Value) -> Result<T> {
    serde_json::from_value(v).context("invalid arguments")
}

async fn admin(app: &App, p: &Principal, command: Command) -> Result<ExitCode> {
    match command {
        Command::Admin(AdminCommand::Bootstrap { name, email }) => {
            let (user, issued) = service(app.bootstrap(p, &name, &email).await)?;
            println!("Created admin {} <{}> ({})", user.name, user.email, user.id);
            println!("API key (shown only now; store it safely):");
            println!("{}", issued.token);
        }
        Command::Authority(AuthorityCommand::Add { id, name, jurisdiction, country, time_zone, weekend, holidays }) => {
            let mut calendar = json!({ "holidays": holidays });
            if let Some(w) = weekend {
                calendar["weekend"] = json!(w.iter().map(|d| d.trim().to_lowercase()).collect::<Vec<_>>());
            }
            let input = request(
                json!({ "id": id, "name": name, "jurisdiction": jurisdiction, "country": country, "time_zone": time_zone, "calendar": calendar }),
            )?;
            print_json(&service(app.create_authority(p, input).await)?)?;
        }
        Command::Authority(AuthorityCommand::List) => output::list(
            &service(app.authorities().await)?,
            &["id", "name", "jurisdiction", "country", "time zone"],
            |a| vec![a.id.to_string(), a.name.clone(), a.jurisdiction.clone(), a.country.clone(), a.time_zone.clone()],
        )?,
        Command::Org(OrgCommand::Add { name, country, size, authority, registrations }) => {
            let mut ids = serde_json::Map::new();
            for r in registrations {
                let (scheme, value) =
                    r.split_once('=').ok_or_else(|| anyhow!("--reg expects SCHEME=VALUE, got '{r}'"))?;
                ids.insert(scheme.to_owned(), json!(value));
            }
            let input = request(
                json!({ "name": name, "country": country, "size_class": size, "authority_id": authority, "registration_ids": ids }),
            )?;
            print_json(&service(app.create_organisation(p, input).await)?)?;
        }
        Command::Org(OrgCommand::List) => {
            output::list(&service(app.organisations(p).await)?, &["id", "name", "country", "size", "authority"], |o| {
                let size = o.size_class.as_str().to_owned();
                vec![o.id.to_string(), o.name.clone(), o.country.clone(), size, o.authority_id.to_string()]
            })?
        }
        Command::User(UserCommand::Add { name, email, role, authority, org }) => {
            let input = request(
                json!({ "name": name, "email": email, "role": role, "authority_id": authority, "organisation_id": org }),
            )?;
            print_json(&service(app.create_user(p, input).await)?)?;
        }
        Command::User(UserCommand::List) => output::list(
            &service(app.users(p).await)?,
            &["id", "email", "role", "authority", "organisation", "disabled"],
            |u| {
                vec![
                    u.id.to_string(),
                    u.email.clone(),
                    u.role.as_str().to_owned(),
                    output::cell(u.authority_id.as_ref()),
                    output::cell(u.organisation_id.as_ref()),
                    if u.disabled { "yes" } else { "" }.to_owned(),
                ]
            },
        )?,
        Command::User(UserCommand::Disable { user }) => {
            print_json(&service(app.set_user_disabled(p, &user, true).await)?)?
        }
        Command::User(UserCommand::Enable { user }) => {
            print_json(&service(app.set_user_disabled(p, &user, false).await)?)?
        }
        Command::User(UserCommand::Invite { user, url }) => {
            let invitation = service(app.invite(p, &user).await)?;
            println!(
                "Invitation for {} (works once, until {}; shown only now):",
                invitation.user_id, invitation.expires_at
            );
            println!("{}/invitations/{}", url.trim_end_matches('/'), invitation.token);
        }
        Command::User(UserCommand::ResetSecondFactor { user }) => {
            service(app.reset_second_factor(p, &user).await)?;
            println!("The second factor of {user} is removed; the password alone signs in until a new one is set up.");
        }
        Command::Key(KeyCommand::Create { user, label, expires_at }) => {
            let issued = service(app.create_key(p, &user, NewKey { label, expires_at }).await)?;
            println!("Created API key {} for {} (shown only now; store it safely):", issued.key.id, issued.key.user_id);
            println!("{}", issued.token);
        }
        Command::Key(KeyCommand::Revoke { key }) => {
            let k = service(app.revoke_key(p, &key).await)?;
            println!("Revoked API key {} at {}", k.id, output::cell(k.revoked_at.as_ref()));
        }
        Command::Key(KeyCommand::List { user }) => {
            output::list(&service(app.keys(p, &user).await)?, &["id", "label", "created", "expires", "revoked"], |k| {
                vec![
                    k.id.to_string(),
                    k.label.clone(),
                    k.created_at.to_string(),
                    output::cell(k.expires_at.as_ref()),
                    output::cell(k.revoked_at.as_ref()),
                ]
            })?
        }
        Command::Audit(AuditCommand::Verify { peers, state }) => {
            let report = service(app.verify_audit(p).await)?;
            if let Some(b) = &report.first_break {
                eprintln!("audit chain BROKEN at event {} (sequence {}): {}", b.event_id, b.seq, b.reason);
                eprintln!("{} events walked", report.events);
                return Ok(ExitCode::from(ErrorCode::AuditChainBroken.exit_code()));
            }
            println!("audit chain OK: {} events, head {}", report.events, report.head_hash);
            if state {
                let states = service(app.verify_states(p).await)?;
                println!(
                    "{} records reconciled with the chain; {} not attested (made before states were recorded)",
                    states.records,
                    states.unattested.len()
                );
                if !states.edited.is_empty() {
                    for e in &states.edited {
                        eprintln!("record EDITED: {e}");
                    }
                    return Ok(ExitCode::from(ErrorCode::AuditChainBroken.exit_code()));
                }
            }
            return verify_checkpoints(app, p, peers).await;
        }
        Command::Audit(AuditCommand::Checkpoint) => match service(app.checkpoint(p).await)? {
            Some(c) => println!("checkpoint signed at sequence {}: {}", c.seq, c.head_hash),
            None => println!("nothing new since the last checkpoint"),
        },
        Command::Audit(AuditCommand::Events { after, limit }) => {
            for e in service(app.audit_events(p, after, limit).await)? {
                println!("{}", serde_json::to_string(&e)?);
            }
        }
        Command::Lists(command) => return crate::lists::run(app, p, command).await,
        Command::Controls(command) => return crate::controls::run(app, p, command).await,
        Command::Policies(command) => return crate::determine::policies(app, p, command).await,
        Command::Determine(args) => return crate::determine::determine(app, p, args).await,
        Command::Apply(args) => {
            let text = std::fs::read_to_string(&args.input)
                .with_context(|| format!("cannot read {}", args.input.display()))?;
            let input: accord_core::cases::NewApplication = serde_json::from_str(&text).map_err(|e| {
                anyhow!("{}: not an application: {e} (line {}, column {})", args.input.display(), e.line(), e.column())
            })?;
            service(app.ensure_policies(p).await)?;
            let applied =
                service(app.create_application(p, input, args.idempotency_key.as_deref(), args.submit).await)?;
            if !applied.created {
                eprintln!("this idempotency key already created {}; nothing new was stored", applied.application.id);
            }
            print_json(&applied.application)?;
        }
        Command::Applications(ApplicationsCommand::List) => output::list(
            &service(app.applications(p).await)?,
            &["id", "organisation", "status", "destination", "created"],
            |a| {
                vec![
                    a.id.to_string(),
                    a.organisation_id.to_string(),
                    a.status.as_str().to_owned(),
                    a.transaction.destination.clone(),
                    a.created_at.to_string(),
                ]
            },
        )?,
        Command::Applications(ApplicationsCommand::Show { id }) => {
            print_json(&service(app.application(p, &id).await)?)?
        }
        Command::Applications(ApplicationsCommand::Submit { id }) => {
            print_json(&service(app.submit_application(p, &id).await)?)?
        }
        Command::Cases(CasesCommand::List) => output::list(
            &service(app.cases(p).await)?,
            &["id", "authority", "risk", "review", "due", "application"],
            |c| {
                vec![
                    c.id.to_string(),
                    c.authority_id.to_string(),
                    c.risk_score.to_string(),
                    c.review_path.as_str().to_owned(),
                    c.due_date.to_string(),
                    c.application_id.to_string(),
                ]
            },
        )?,
        Command::Cases(CasesCommand::Show { id }) => print_json(&service(app.case_view(p, &id).await)?)?,
        Command::Cases(CasesCommand::History { id }) => {
            output::list(&service(app.case_history(p, &id).await)?, &["at", "event", "subject", "actor"], |e| {
                vec![e.at.to_string(), e.kind.clone(), e.subject.clone(), e.actor.clone()]
            })?
        }
        Command::Cases(CasesCommand::Assign { id, version, officer }) => {
            print_json(&service(app.assign_case(p, &id, version, Some(&officer)).await)?)?
        }
        Command::Cases(CasesCommand::Ask { id, version, question }) => {
            print_json(&service(app.request_information(p, &id, version, &question).await)?)?
        }
        Command::Cases(CasesCommand::Advise { id, version, text }) => {
            print_json(&service(app.advise(p, &id, version, &text).await)?)?
        }
        Command::Cases(CasesCommand::Decide { id, input }) => {
            let text = std::fs::read_to_string(&input).with_context(|| format!("cannot read {}", input.display()))?;
            let decision =
                serde_json::from_str(&text).map_err(|e| anyhow!("{}: not a decision: {e}", input.display()))?;
            print_json(&service(app.decide(p, &id, decision).await)?)?
        }
        Command::Licences(command) => crate::licences::licences(app, p, command).await?,
        Command::Denials(command) => crate::licences::denials(app, p, command).await?,
        Command::Proposals(command) => crate::governance::proposals(app, p, command).await?,
        Command::Feedback(command) => crate::governance::feedback(app, p, command).await?,
        Command::Reviews(command) => crate::governance::reviews(app, p, command).await?,
        Command::Watch(command) => crate::governance::watch(app, p, command).await?,
        Command::Trade(command) => crate::warnings::trade(app, p, command).await?,
        Command::Warnings(command) => crate::warnings::warnings(app, p, command).await?,
        Command::Alerts(command) => crate::warnings::alerts(app, p, command).await?,
        Command::Relations(command) => crate::warnings::relations(app, p, command).await?,
        Command::Ownership { at } => crate::warnings::ownership(app, p, at).await?,
        Command::Declarations(command) => crate::warnings::declarations(app, p, command).await?,
        Command::Dashboard { csv } => {
            let d = service(app.dashboard(p).await)?;
            if csv { print!("{}", d.to_csv()) } else { print_json(&d)? }
        }
        Command::Transparency { min_cell, period, csv } => {
            let period = accord_core::stats::ReportPeriod::parse(&period)
                .ok_or_else(|| anyhow::anyhow!("--period is year or quarter, not '{period}'"))?;
            let r = service(app.transparency_report_by(min_cell, period).await)?;
            if csv { print!("{}", r.to_csv()) } else { print_json(&r)? }
        }
        Command::Applications(
            command @ (ApplicationsCommand::Documents { .. }
            | ApplicationsCommand::Attach { .. }
            | ApplicationsCommand::Download { .. }),
        ) => crate::licences::documents(app, p, command).await?,
        Command::Shipments(ShipmentsCommand::Report { licence, input }) => {
            let text = std::fs::read_to_string(&input).with_context(|| format!("cannot read {}", input.display()))?;
            let shipment =
                serde_json::from_str(&text).map_err(|e| anyhow!("{}: not a shipment: {e}", input.display()))?;
            let (recorded, after) = service(app.report_shipment(p, &licence, shipment).await)?;
            eprintln!("licence {} is {} after this shipment", after.id, after.status.as_str());
            print_json(&recorded)?
        }
        Command::Shipments(ShipmentsCommand::List { licence }) => output::list(
            &service(app.shipments(p, &licence).await)?,
            &["id", "date", "consignee", "transport document", "reported"],
            |s| {
                vec![
                    s.id.to_string(),
                    s.shipment.date.to_string(),
                    s.shipment.consignee.clone(),
                    s.shipment.transport_document.clone(),
                    s.reported_at.to_string(),
                ]
            },
        )?,
        Command::Cases(CasesCommand::Countersign { id, version }) => {
            print_json(&service(app.countersign(p, &id, version).await)?)?
        }
        Command::Serve(_)
        | Command::Config(_)
        | Command::Screen(_)
        | Command::Node(_)
        | Command::Peers(_)
        | Command::Federation(_) => unreachable!("handled by run"),
    }
    Ok(ExitCode::SUCCESS)
}

fn init_logging(format: LogFormat, filter: &str) -> Result<()> {
    let filter = std::env::var("ACCORD_LOG").unwrap_or_else(|_| filter.to_owned());
    let filter =
        tracing_subscriber::EnvFilter::try_new(&filter).with_context(|| format!("invalid log filter '{filter}'"))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    result.map_err(|e| anyhow!("cannot start logging: {e}"))
}

async fn serve(
    args: ServeArgs,
    file: FileConfig,
    db: DbUrl,
    (variants, engine): (Option<Arc<accord_screen::NameVariants>>, Option<accord_columnar::Columnar>),
    key_path: &std::path::Path,
) -> Result<ExitCode> {
    let format = match args.log_format {
        Some(f) => f,
        None => match file.log_format.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(anyhow!("log_format must be \"text\" or \"json\", not \"{other}\"")),
        },
    };
    init_logging(format, file.log_level.as_deref().unwrap_or("info"))?;
    let bind = args.bind.or(file.bind).unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let body_limit = args.body_limit.or(file.body_limit).unwrap_or(accord_server::DEFAULT_BODY_LIMIT);
    let max_connections = args.max_connections.or(file.max_connections).unwrap_or(10);
    let mut limits = accord_server::Limits { body: body_limit, ..accord_server::Limits::default() };
    if let Some(t) = &file.request_timeout {
        limits.request_timeout = crate::sync::parse_duration(t)?;
    }
    if let Some(t) = &file.header_timeout {
        limits.header_timeout = crate::sync::parse_duration(t)?;
    }
    if let Some(n) = file.max_in_flight {
        if n == 0 {
            return Err(anyhow!("max_in_flight is at least 1"));
        }
        limits.max_in_flight = n;
    }

    let store = open(&db, max_connections).await?;
    tracing::info!(database = %db, "database ready");
    let listener = tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "accord node listening");
    let sync_config = file.sync.clone().unwrap_or_default();
    let interval = crate::sync::parse_interval(sync_config.interval.as_deref().unwrap_or("24h"))?;
    let mut app = App::new(store.clone())
        .with_document_quota(file.document_quota.unwrap_or(accord_app::DEFAULT_DOCUMENT_QUOTA))
        .with_certifier_trust(file.trusted_certifiers.clone().unwrap_or_default());
    let governance = file.governance.clone().unwrap_or_default();
    for (i, s) in governance.reviews.iter().enumerate() {
        s.check(i).map_err(|e| anyhow::anyhow!("[[governance.reviews]] number {}: {}", i + 1, e.message))?;
    }
    if let Some(rules) = governance.decision_rules.clone() {
        app = app.with_decision_rules(rules);
    }
    if let Some(v) = variants {
        app = app.with_name_variants(v);
    }
    if let Some(engine) = engine {
        tracing::info!(engine = %engine.describe(), "declaration indicators computed by the columnar engine");
        app = app.with_columnar(engine);
    }
    if args.demo {
        crate::demo::seed(&app, &args.demo_data, addr).await?;
    }
    match app.ensure_policies(&Principal::Operator { name: "node".into() }).await {
        Ok(true) => tracing::info!("no policy set was stored: the built-in policies are now version 1"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "could not store the built-in policies"),
    }
    let federation_config = file.federation.clone().unwrap_or_default();
    let federation_interval = match args.federation_interval.as_ref().or(federation_config.interval.as_ref()) {
        Some(i) => crate::sync::parse_duration(i)?,
        None => accord_federation::DEFAULT_INTERVAL,
    };
    let federated = match crate::federation::load(&app, key_path, &federation_config).await? {
        Some(f) => {
            tracing::info!(authority = %f.authority_id, "federation on: replicating with the registered peers");
            app = app.with_federation(f);
            true
        }
        None => false,
    };
    let policy_dir = args.policies.clone().or_else(|| file.policies.as_ref().map(std::path::PathBuf::from));
    let mut background = vec![
        tokio::spawn(refresh_screening_forever(app.clone())),
        tokio::spawn(sync_forever(app.clone(), sync_config, interval)),
        tokio::spawn(follow_policies_forever(app.clone(), policy_dir)),
        tokio::spawn(statistics_forever(app.clone())),
    ];
    if federated {
        background.push(tokio::spawn(accord_federation::run(app.clone(), federation_interval, std::future::pending())));
        background.push(tokio::spawn(checkpoint_forever(app.clone())));
        background.push(tokio::spawn(governance_forever(app.clone(), governance.reviews)));
    }
    let router = accord_server::router_with(app, limits);
    accord_server::serve_with(listener, router, limits.header_timeout, shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    for task in background {
        task.abort();
    }
    store.close().await;
    tracing::info!("stopped: in-flight requests finished, database pool closed");
    Ok(ExitCode::SUCCESS)
}

/// Every five seconds: computes the dashboards and the transparency report again when anything changed, so the
/// pages serve them at once.
async fn statistics_forever(app: App) {
    loop {
        if let Err(e) = app.refresh_statistics().await {
            tracing::warn!(error = %e, "could not compute the dashboards");
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

/// Every hour: opens the review cycles that fell due, runs the technology watch and logs what falls due for this
/// node's authority (each reminder once per run of the node).
async fn governance_forever(app: App, reviews: Vec<accord_core::governance::ReviewSchedule>) {
    let node = Principal::Operator { name: "node".into() };
    let mut reminded = std::collections::BTreeSet::new();
    loop {
        match app.run_review_schedule_as_node(&reviews).await {
            Ok(opened) => {
                opened.iter().for_each(|c| tracing::info!(cycle = %c.id, title = %c.title, "review cycle opened"))
            }
            Err(e) => tracing::warn!(error = %e, "could not run the review schedule"),
        }
        match app.run_technology_watch_as_node().await {
            Ok(readings) => readings.iter().filter(|r| r.crossed).for_each(|r| {
                tracing::info!(technology = %r.technology, metric = r.indicator.metric.as_str(), value = r.value,
                    proposal = r.proposal.as_deref().unwrap_or("-"), "technology watch indicator crossed")
            }),
            Err(e) => tracing::warn!(error = %e, "could not run the technology watch"),
        }
        let own = app.federation().map(|f| f.authority_id.to_string());
        match app.reminders(&node).await {
            Ok(all) => {
                for r in all.into_iter().filter(|r| Some(&r.authority_id) == own.as_ref()) {
                    if reminded.insert((r.subject.clone(), r.what.clone())) {
                        tracing::info!(subject = %r.subject, role = %r.role, due = %r.due, "reminder: {}", r.what);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not list the reminders"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// Keeps the screening index in step with the lists in force, also when another process imports.
async fn refresh_screening_forever(app: App) {
    loop {
        if let Err(e) = app.refresh_screening().await {
            tracing::warn!(error = %e, "could not refresh the screening index");
        }
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
}

/// Imports the policy folder whenever its files change; a folder with an error is logged and the version in force stays.
async fn follow_policies_forever(app: App, dir: Option<std::path::PathBuf>) {
    let Some(dir) = dir else { return };
    let node = Principal::Operator { name: "node".into() };
    let mut last_seen: Option<Vec<accord_controls::PolicySource>> = None;
    loop {
        match crate::determine::read_policy_dir(&dir) {
            Ok(files) if last_seen.as_ref() != Some(&files) => {
                let how = accord_app::PolicyImport {
                    rationale: format!("policy files changed in {}", dir.display()),
                    source: dir.display().to_string(),
                    ..accord_app::PolicyImport::default()
                };
                match app.import_policies(&node, &files, how).await {
                    Ok(o) if o.unchanged => {}
                    Ok(o) => tracing::info!(version = o.version.seq, label = %o.version.label, "policy version stored"),
                    Err(e) => {
                        tracing::error!(error = %e, dir = %dir.display(), "policy files refused; the version in force stays")
                    }
                }
                last_seen = Some(files);
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot read the policy folder; the version in force stays"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
}

/// Downloads the lists from their publishers every `interval`.
async fn sync_forever(app: App, config: crate::sync::SyncConfig, interval: std::time::Duration) {
    loop {
        tokio::time::sleep(interval).await;
        if let Err(e) = crate::sync::sync_all(&app, &config, &[]).await {
            tracing::warn!(error = %e, "list sync failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// Signs a checkpoint of the audit chain every minute when it grew, and sends it to the allies.
async fn checkpoint_forever(app: App) {
    let node = Principal::Operator { name: "node".into() };
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        match app.checkpoint(&node).await {
            Ok(Some(c)) => tracing::info!(seq = c.seq, "audit checkpoint signed"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not sign an audit checkpoint"),
        }
    }
}

/// Compares the chain with this node's signed checkpoints and, with `peers`, with those each ally holds.
async fn verify_checkpoints(app: &App, p: &Principal, peers: bool) -> Result<ExitCode> {
    let key = app.federation().and_then(|f| accord_core::federation::PublicKey::parse(&f.key.public_base64()).ok());
    let mut problems = Vec::new();
    let mine = service(app.verify_checkpoints(p, key.as_ref()).await)?;
    println!("{} signed checkpoints compared", mine.checked);
    problems.extend(mine.problems);
    let mut unreachable = false;
    if peers {
        for peer in service(app.peers().await)? {
            match accord_federation::peer_checkpoints(app, &peer).await {
                Ok(held) => {
                    let report = service(app.compare_checkpoints(p, &peer.authority_id, &held, key.as_ref()).await)?;
                    println!("{}: {} checkpoints compared", peer.authority_id, report.checked);
                    problems.extend(report.problems);
                }
                Err(e) => {
                    eprintln!("{}: could not compare: {e}", peer.authority_id);
                    unreachable = true;
                }
            }
        }
    }
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("audit checkpoints DISAGREE: {problem}");
        }
        return Ok(ExitCode::from(ErrorCode::AuditChainBroken.exit_code()));
    }
    Ok(if unreachable { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
