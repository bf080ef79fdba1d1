//! The command-line grammar.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Accord: coalition export controls — run a node, administer it, verify its audit trail.
#[derive(Debug, Parser)]
#[command(name = "accord", version)]
pub struct Cli {
    /// Configuration file (default: ./accord.toml when present).
    #[arg(long, global = true, env = "ACCORD_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Database: a SQLite file path or postgres://… (default: ./accord-data/accord.db).
    #[arg(long, global = true, env = "ACCORD_DATABASE_URL", value_name = "URL")]
    pub db: Option<String>,
    /// Name-variant table for screening (lines `form, form, … => group`), e.g. names/persons.txt.
    #[arg(long, global = true, env = "ACCORD_NAME_VARIANTS", value_name = "PATH")]
    pub name_variants: Option<PathBuf>,
    /// The DuckDB library (libduckdb.so; `scripts/install-duckdb.sh` installs one): with it, the declaration
    /// indicators are computed by the columnar engine over Parquet copies of the imports.
    #[arg(long, global = true, env = "ACCORD_DUCKDB", value_name = "PATH")]
    pub duckdb: Option<PathBuf>,
    /// Folder of the columnar engine's Parquet copies (default: `columnar` beside the SQLite file, else
    /// ./accord-data/columnar).
    #[arg(long, global = true, env = "ACCORD_COLUMNAR_DIR", value_name = "PATH")]
    pub columnar_dir: Option<PathBuf>,
    /// This node's federation key file (default: ./accord-data/node.key).
    #[arg(long, global = true, env = "ACCORD_NODE_KEY", value_name = "PATH")]
    pub node_key: Option<PathBuf>,
    /// Print JSON (for scripts) instead of tables and text (for people); every command takes it.
    #[arg(long, global = true)]
    pub json: bool,
    /// Act as the holder of this API key (an officer deciding or countersigning, an exporter applying) instead of
    /// as the node operator; the key's role and authority decide what is allowed, as over the API.
    #[arg(long, global = true, env = "ACCORD_KEY", value_name = "TOKEN", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a node: migrate the database, then serve the HTTP API until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Node administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// National licensing authorities.
    #[command(subcommand)]
    Authority(AuthorityCommand),
    /// Organisations (exporters, universities, forwarders).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Users and their roles.
    #[command(subcommand)]
    User(UserCommand),
    /// API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Restricted-party lists: import versions, see what changed, see what is in force.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Screen names against every restricted-party list in force.
    Screen(ScreenArgs),
    /// The harmonized control list: import versions, show entries on any day, search.
    #[command(subcommand)]
    Controls(ControlsCommand),
    /// Policies as data: check, import and show the rules every determination applies.
    #[command(subcommand)]
    Policies(PoliciesCommand),
    /// Determine what every jurisdiction requires for a transaction.
    Determine(DetermineArgs),
    /// Draft (and with --submit, submit) a licence application from a JSON file.
    Apply(ApplyArgs),
    /// Licence applications.
    #[command(subcommand)]
    Applications(ApplicationsCommand),
    /// Cases: one authority's review of an application.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Licences and their drawdown.
    #[command(subcommand)]
    Licences(LicencesCommand),
    /// Shipments reported against licences.
    #[command(subcommand)]
    Shipments(ShipmentsCommand),
    /// Denial notifications recorded by refusals.
    #[command(subcommand)]
    Denials(DenialsCommand),
    /// Proposals that change the control list: public comment, the allies' votes, adoption.
    #[command(subcommand)]
    Proposals(ProposalsCommand),
    /// Industry feedback on the controls.
    #[command(subcommand)]
    Feedback(FeedbackCommand),
    /// Review cycles of the control list and of denials, and what falls due.
    #[command(subcommand)]
    Reviews(ReviewsCommand),
    /// The technology watch: technologies mapped to control entries, and indicators that open proposals.
    #[command(subcommand)]
    Watch(WatchCommand),
    /// Official trade statistics, stored as versions.
    #[command(subcommand)]
    Trade(TradeCommand),
    /// Early-warning indicators over the trade statistics, thresholds, and raising alerts.
    #[command(subcommand)]
    Warnings(WarningsCommand),
    /// Early-warning alerts: assign, share with the allies, close with an outcome.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Export declarations: the indicators over a file, and a generator of files with known patterns.
    #[command(subcommand)]
    Declarations(DeclarationsCommand),
    /// Relations between parties (ownership, control, shared attributes), shared with the allies.
    #[command(subcommand)]
    Relations(RelationsCommand),
    /// What the ownership rules of the policies conclude from the relations and the lists in force, with paths.
    Ownership {
        /// The day (YYYY-MM-DD; default today).
        #[arg(long)]
        at: Option<String>,
    },
    /// The dashboard of your authority's cases (every authority's for the operator): SLA, outcomes, cost by size.
    Dashboard {
        /// As CSV instead of JSON.
        #[arg(long)]
        csv: bool,
    },
    /// The public transparency report: decisions by year, jurisdiction, size and outcome, small counts hidden.
    Transparency {
        /// The smallest count published (5 to 1000, default 5).
        #[arg(long)]
        min_cell: Option<u64>,
        /// `year` (the default) or `quarter`.
        #[arg(long, default_value = "year")]
        period: String,
        /// As CSV instead of JSON.
        #[arg(long)]
        csv: bool,
    },
    /// This node's federation identity.
    #[command(subcommand)]
    Node(NodeCommand),
    /// The allied nodes this node replicates with.
    #[command(subcommand)]
    Peers(PeersCommand),
    /// Replication state, and a pull on demand.
    #[command(subcommand)]
    Federation(FederationCommand),
}

/// `accord reviews …`
#[derive(Debug, Subcommand)]
pub enum ReviewsCommand {
    /// The review cycles, newest first.
    List,
    /// Open the cycles of a schedule (a JSON list of {"title", "category", "every_months", "first_opens_on",
    /// "proposals_within_days", "closes_within_days"}) that are due; run it daily, it opens nothing twice.
    Run {
        /// The schedule as JSON.
        #[arg(long)]
        schedule: PathBuf,
    },
    /// Close a cycle, with its report.
    Close {
        /// The cycle (rvc-…).
        id: String,
    },
    /// What your authority must do soon: proposals due, cycles to close, votes to cast, proposals waiting.
    Reminders,
}

/// `accord trade …`
#[derive(Debug, Subcommand)]
pub enum TradeCommand {
    /// Store a folder of trade-statistics CSV files (or one file) as the next version; one bad row refuses them all.
    Import {
        /// A folder (its .csv files) or one file.
        path: PathBuf,
        /// The version label.
        #[arg(long)]
        label: Option<String>,
    },
    /// The stored versions, oldest first.
    Versions,
}

/// `accord warnings …`
#[derive(Debug, Subcommand)]
pub enum WarningsCommand {
    /// Every indicator over the latest statistics with your thresholds (signals only, unless --points).
    Indicators {
        /// One partner (ISO alpha-2).
        #[arg(long)]
        partner: Option<String>,
        /// Print every series in full, as JSON.
        #[arg(long)]
        points: bool,
    },
    /// Your authority's thresholds; with --set, replace them from a JSON file.
    Thresholds {
        /// The thresholds as JSON.
        #[arg(long)]
        set: Option<PathBuf>,
    },
    /// Compute the indicators and raise an alert for each new signal.
    Run,
}

/// `accord declarations …`
#[derive(Debug, Subcommand)]
pub enum DeclarationsCommand {
    /// Store a file of declarations (Accord's CSV format, or Parquet) as your authority's next import (analysts).
    Import {
        /// The declarations file.
        file: PathBuf,
        /// The import's label (default `declarations-` and the day).
        #[arg(long)]
        label: Option<String>,
    },
    /// Your authority's imports of declarations.
    Imports,
    /// Compute the declaration indicators over a file in Accord's CSV format (nothing is stored).
    Analyse {
        /// The declarations file.
        file: PathBuf,
        /// The indicators' settings as JSON (value cap, windows, high-priority HS prefixes).
        #[arg(long)]
        settings: Option<PathBuf>,
    },
    /// Write a file of generated declarations with known diversion patterns injected (not real data).
    Generate {
        /// How many ordinary declarations.
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// How many patterns of each kind to inject.
        #[arg(long, default_value_t = 25)]
        patterns: usize,
        /// The generator's seed: the same seed makes the same file.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write it (as Parquet when the name ends in `.parquet`, else CSV).
        #[arg(long)]
        output: PathBuf,
    },
}

/// `accord relations …`
#[derive(Debug, Subcommand)]
pub enum RelationsCommand {
    /// Every relation this node holds (its authorities' and the allies'), newest first.
    List,
    /// Record a relation for your authority: `--from-list us_ofac_sdn --from-id 12345` names a listed party,
    /// `--from-name "…" [--from-country AE]` any other (the same for `--to-…`).
    Add(Box<NewRelationArgs>),
    /// Revoke a relation your authority recorded.
    Revoke {
        /// The relation (rel_…).
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// A relation to record, from the command line.
#[derive(Debug, Args)]
pub struct NewRelationArgs {
    /// owns, controls, director_of, linked_to, shares_address, shares_identifier or shares_phone.
    #[arg(long)]
    pub kind: String,
    /// The first party's list, when it is listed.
    #[arg(long)]
    pub from_list: Option<String>,
    /// The first party's id on that list.
    #[arg(long)]
    pub from_id: Option<String>,
    /// The first party's name (for a listed party: taken from the list when left out).
    #[arg(long)]
    pub from_name: Option<String>,
    /// The first party's country.
    #[arg(long)]
    pub from_country: Option<String>,
    /// The second party's list, when it is listed.
    #[arg(long)]
    pub to_list: Option<String>,
    /// The second party's id on that list.
    #[arg(long)]
    pub to_id: Option<String>,
    /// The second party's name.
    #[arg(long)]
    pub to_name: Option<String>,
    /// The second party's country.
    #[arg(long)]
    pub to_country: Option<String>,
    /// For `owns`: the share in percent (leave it out when unknown).
    #[arg(long)]
    pub share: Option<f64>,
    /// The first day it holds (YYYY-MM-DD).
    #[arg(long)]
    pub valid_from: Option<String>,
    /// The day it ended (YYYY-MM-DD, exclusive).
    #[arg(long)]
    pub valid_until: Option<String>,
    /// Where the fact comes from.
    #[arg(long)]
    pub source: String,
}

/// `accord alerts …`
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Your authority's alerts and those the allies shared, newest first.
    List,
    /// Assign an alert to an analyst or officer of your authority (yourself by default).
    Assign {
        /// The alert (alr-…).
        id: String,
        /// The analyst's user id.
        #[arg(long)]
        analyst: Option<String>,
    },
    /// Share an alert with the allies.
    Share {
        /// The alert (alr-…).
        id: String,
    },
    /// Open a draft proposal from an alert (a JSON file like `proposals propose`).
    Propose {
        /// The alert (alr-…).
        id: String,
        /// The proposal as JSON.
        #[arg(long)]
        input: PathBuf,
    },
    /// Open a verification task from an alert on the case of the application it names, or on the case given.
    Verify {
        /// The alert (alr-…).
        id: String,
        /// pre_licence_check, on_site_verification or third_party_audit.
        #[arg(long)]
        kind: String,
        /// Who carries it out.
        #[arg(long)]
        assignee: String,
        /// When it is due (YYYY-MM-DD).
        #[arg(long)]
        due: String,
        /// The case (default: that of the application the alert names).
        #[arg(long)]
        case: Option<String>,
    },
    /// Close an alert: confirmed, no_concern or referred.
    Close {
        /// The alert (alr-…).
        id: String,
        /// confirmed, no_concern or referred.
        outcome: String,
        /// Why.
        #[arg(long)]
        note: String,
    },
}

/// `accord watch …`
#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// The register: every authority's technologies this node holds.
    List,
    /// Add a technology to your authority's register, or replace the one with its id (a JSON file with id, name,
    /// description, capability_thresholds, milestones, chokepoints, codes and indicators).
    Keep {
        /// The technology as JSON.
        #[arg(long)]
        input: PathBuf,
    },
    /// Count every indicator of your authority's technologies; each crossed one opens a draft proposal with a panel.
    Run,
}

/// `accord feedback …`
#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// The feedback you may see, newest first.
    List,
    /// Report on a control entry, a rule or a general authorisation (exporters).
    Give {
        /// A control code (3A001), a rule or a general authorisation (EU001).
        subject: String,
        /// difficulty, unintended_consequence, cost or suggested_change.
        kind: String,
        /// In your words.
        #[arg(long)]
        text: String,
        /// The estimated yearly cost, in euros.
        #[arg(long)]
        cost: Option<u64>,
    },
    /// Triage feedback of your authority: a theme, or --dismiss.
    Triage {
        /// The feedback (fbk_…).
        id: String,
        /// Its theme.
        #[arg(long)]
        theme: Option<String>,
        /// Dismiss it instead.
        #[arg(long)]
        dismiss: bool,
    },
    /// Feedback counted by subject, most reported first.
    Summary,
    /// Turn a piece of your authority's feedback into a draft proposal (a JSON file like `proposals propose`).
    Propose {
        /// The feedback (fbk_…).
        id: String,
        /// The proposal as JSON.
        #[arg(long)]
        input: PathBuf,
    },
}

/// `accord proposals …`
#[derive(Debug, Subcommand)]
pub enum ProposalsCommand {
    /// The proposals this node knows, newest first.
    List,
    /// One proposal with its changes, steps, response to comments and tally.
    Show {
        /// AUTHORITY:prp_… (or the bare id).
        key: String,
    },
    /// Propose changes to the control list in force, from a JSON file: {"title", "rationale", "changes": [{"op":
    /// "add|amend|remove|rethreshold", "code", "title", "text"}], "effective_date", "rule", "quorum_percent"}.
    Propose {
        /// The proposal as JSON.
        #[arg(long)]
        input: PathBuf,
    },
    /// Take a step: to_panel, open_comment (--comment-until), open_vote (--response, --vote-until), withdraw.
    Step {
        /// AUTHORITY:prp_….
        key: String,
        /// The step.
        step: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
        /// open_comment: the first day of the window (default today).
        #[arg(long)]
        comment_from: Option<String>,
        /// open_comment: the last day of the window.
        #[arg(long)]
        comment_until: Option<String>,
        /// open_vote: the response to the comments.
        #[arg(long)]
        response: Option<String>,
        /// open_vote: the last day of the vote.
        #[arg(long)]
        vote_until: Option<String>,
    },
    /// The comments on a proposal (published ones; the moderating authority's officials see all).
    Comments {
        /// AUTHORITY:prp_….
        key: String,
    },
    /// Publish or refuse a comment waiting for moderation.
    Moderate {
        /// The comment (cmt_…).
        id: String,
        /// Refuse it instead of publishing it.
        #[arg(long)]
        refuse: bool,
    },
    /// Cast the authority's vote: for, against or abstain.
    Vote {
        /// AUTHORITY:prp_….
        key: String,
        /// for, against or abstain.
        choice: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The recent applications whose answers the proposed list would change.
    Impact {
        /// AUTHORITY:prp_….
        key: String,
        /// At most this many of the most recent applications.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// The expert panel opinions on a proposal.
    Opinions {
        /// AUTHORITY:prp_….
        key: String,
    },
    /// Give an expert panel opinion (panel members): support, oppose or amend.
    Opine {
        /// AUTHORITY:prp_….
        key: String,
        /// support, oppose or amend.
        stance: String,
        /// industry, academia, defence, civil_society or government.
        #[arg(long)]
        affiliation: String,
        /// Your declaration of interests ("none" when you have none).
        #[arg(long)]
        interests: String,
        /// The opinion; for amend, the amended text.
        #[arg(long)]
        text: String,
    },
    /// Close the vote: adopted (the next control-list version) or rejected, with the tally.
    Close {
        /// AUTHORITY:prp_….
        key: String,
    },
}

/// `accord node …`
#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Create the node's Ed25519 key pair (key file with 0600 permissions) for the authority it speaks for.
    Init {
        /// The authority (registered on this node).
        #[arg(long)]
        authority: String,
    },
    /// Show the node's authority and public key (what peers register).
    Show,
}

/// `accord peers …`
#[derive(Debug, Subcommand)]
pub enum PeersCommand {
    /// Register an allied node (its key exchanged out of band).
    Add {
        /// Its authority, e.g. FR-SBDU.
        #[arg(long)]
        authority: String,
        /// Base URL of its node.
        #[arg(long)]
        url: String,
        /// Its public key, base64.
        #[arg(long)]
        key: String,
        /// Accept a plain http:// URL on another host than loopback (only on a network protected otherwise).
        #[arg(long)]
        allow_http: bool,
    },
    /// List the peers.
    List,
    /// Remove a peer (what was received from it stays).
    Remove {
        /// Its authority.
        authority: String,
    },
}

/// `accord federation …`
#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// Per peer: last sequence received, lag, last error; and the latest rejected envelopes.
    Status,
    /// Pull every peer once now.
    Pull,
}

/// `accord denials …`
#[derive(Debug, Subcommand)]
pub enum DenialsCommand {
    /// List the denial notifications, newest first.
    List,
    /// Show one denial notification.
    Show {
        /// The denial id (den_…).
        id: String,
    },
}

/// `accord licences participants …`
#[derive(Debug, Subcommand)]
pub enum ParticipantsCommand {
    /// Add a participant to a joint-development project (screened; the transfer to their country is determined).
    Add {
        /// The licence id.
        licence: String,
        /// Name of the organisation or person.
        #[arg(long)]
        name: String,
        /// ISO country: nationality of a person, country of incorporation of an organisation.
        #[arg(long)]
        nationality: String,
        /// Role in the project.
        #[arg(long)]
        role: String,
        /// `organization` (default) or `person`.
        #[arg(long = "type")]
        kind: Option<String>,
        /// A person's employer.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Take a participant off the roster.
    Remove {
        /// The licence id.
        licence: String,
        /// Index in the roster.
        index: usize,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// `accord licences …`
#[derive(Debug, Subcommand)]
pub enum LicencesCommand {
    /// List the licences as they stand today.
    List,
    /// A joint-development project's roster.
    #[command(subcommand)]
    Participants(ParticipantsCommand),
    /// Amend a licence (officers): a new last day, new conditions, new quantities and values.
    Amend {
        /// The licence id.
        licence: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// New last day of validity.
        #[arg(long)]
        valid_until: Option<String>,
        /// A condition (repeat for several; replaces all conditions).
        #[arg(long = "condition")]
        conditions: Vec<String>,
        /// New limits of an item, `ITEM:QUANTITY:VALUE` (repeat for several).
        #[arg(long = "item")]
        items: Vec<String>,
    },
    /// Approve or refuse an amendment waiting for review (officers).
    Review {
        /// The licence id.
        licence: String,
        /// The amendment's number.
        number: usize,
        /// `approve` or `refuse`.
        decision: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Show one licence with its drawdown.
    Show {
        /// The licence id (lic_…).
        id: String,
    },
    /// Suspend, reinstate or revoke a licence.
    Status {
        /// The licence id.
        id: String,
        /// `suspend`, `reinstate` or `revoke`.
        action: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// `accord shipments …`
#[derive(Debug, Subcommand)]
pub enum ShipmentsCommand {
    /// Report a shipment from a JSON file: {"date", "items": [{"item", "quantity", "value"}], "consignee", "transport_document"}.
    Report {
        /// The licence id.
        #[arg(long)]
        licence: String,
        /// The shipment as JSON.
        #[arg(long)]
        input: PathBuf,
    },
    /// List the shipments of a licence.
    List {
        /// The licence id.
        #[arg(long)]
        licence: String,
    },
}

/// `accord apply --input application.json`
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The application as JSON: organisation_id, transaction, end_use_statement, declarations, documents.
    #[arg(long)]
    pub input: PathBuf,
    /// Submit at once: screen, determine and open the cases.
    #[arg(long)]
    pub submit: bool,
    /// A key that makes a repeated command return the application it created instead of a second one.
    #[arg(long)]
    pub idempotency_key: Option<String>,
}

/// `accord applications …`
#[derive(Debug, Subcommand)]
pub enum ApplicationsCommand {
    /// List the applications, newest first.
    List,
    /// Show one application with its determination and outcomes.
    Show {
        /// The application id (app_…).
        id: String,
    },
    /// Submit a draft.
    Submit {
        /// The application id (app_…).
        id: String,
    },
    /// The declared documents, and which files are uploaded.
    Documents {
        /// The application id (app_…).
        id: String,
    },
    /// Upload the file of a declared document.
    Attach {
        /// The application id (app_…).
        id: String,
        /// Index of the declared document.
        #[arg(long)]
        document: usize,
        /// Media type (default: from the file's extension).
        #[arg(long)]
        content_type: Option<String>,
        /// The file.
        file: PathBuf,
    },
    /// Write an uploaded document's file.
    Download {
        /// The application id (app_…).
        id: String,
        /// Index of the document.
        #[arg(long)]
        document: usize,
        /// Where to write it.
        #[arg(long)]
        output: PathBuf,
    },
}

/// `accord cases …`
#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// The queue: highest risk first, then the earliest due.
    List,
    /// Show one case with its risk factors and SLA clock.
    Show {
        /// The case id (case_…).
        id: String,
    },
    /// What happened to a case, its application and its licence, oldest first.
    History {
        /// The case id (case_…).
        id: String,
    },
    /// Assign a case to an officer.
    Assign {
        /// The case id.
        id: String,
        /// The case version you saw.
        #[arg(long)]
        version: i64,
        /// The officer's user id.
        #[arg(long)]
        officer: String,
    },
    /// Ask the exporter for information (the SLA clock pauses).
    Ask {
        /// The case id.
        id: String,
        /// The case version you saw.
        #[arg(long)]
        version: i64,
        /// The question.
        #[arg(long)]
        question: String,
    },
    /// Record advice on a case.
    Advise {
        /// The case id.
        id: String,
        /// The case version you saw.
        #[arg(long)]
        version: i64,
        /// The advice.
        #[arg(long)]
        text: String,
    },
    /// Decide a case from a JSON file: {"kind": "approve|refuse|return", "reason", "version", …}.
    Decide {
        /// The case id.
        id: String,
        /// The decision as JSON.
        #[arg(long)]
        input: PathBuf,
    },
    /// Countersign a refusal or an enhanced-due-diligence approval.
    Countersign {
        /// The case id.
        id: String,
        /// The case version you saw.
        #[arg(long)]
        version: i64,
    },
}

/// `accord policies …`
#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// Parse and cross-check a folder of policy files without storing anything; exit 1 on the first error.
    Check {
        /// The folder (the repository's `policies/` by default; the built-in set when it does not exist).
        dir: Option<PathBuf>,
    },
    /// Store a new policy-set version from a folder (refused, keeping the version in force, when a file has an error).
    Import {
        /// The folder (the repository's `policies/` by default; the built-in set when it does not exist).
        dir: Option<PathBuf>,
        /// Version label (default: `policies-` and the effective date).
        #[arg(long)]
        label: Option<String>,
        /// Day the version takes effect, YYYY-MM-DD (default: the latest effective date of its files).
        #[arg(long)]
        effective_date: Option<String>,
        /// Why it is published.
        #[arg(long, default_value = "")]
        rationale: String,
    },
    /// Show the policy set in force on a day (today by default).
    Show {
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        at: Option<String>,
    },
    /// List the stored versions.
    Versions,
    /// Regenerate the US fact files from the eCFR-derived JSON (country chart, country groups, CCL) into the policy
    /// folder; nothing is written when an input is malformed or the result does not check with the other files.
    Generate {
        /// The folder holding country-chart.json, country-groups.json and ccl.json.
        #[arg(long)]
        us_ecfr: PathBuf,
        /// The policy folder to write into (the repository's `policies/` by default).
        #[arg(long, default_value = "policies")]
        output: PathBuf,
        /// Only compare: exit 1 and name the files whose text would change.
        #[arg(long)]
        check: bool,
    },
}

/// `accord determine --input tx.json`
#[derive(Debug, Args)]
pub struct DetermineArgs {
    /// The transaction as JSON (`-` for standard input).
    #[arg(long)]
    pub input: PathBuf,
    /// Use the control list and policies in force on this day instead of the transaction date.
    #[arg(long)]
    pub at: Option<String>,
    /// Screening threshold for the party checks.
    #[arg(long)]
    pub threshold: Option<f64>,
}

/// `accord controls …`
#[derive(Debug, Subcommand)]
pub enum ControlsCommand {
    /// Store a new version: one file in Accord's list format, or the EU and US sources harmonized.
    Import {
        /// A list in Accord's format (accord-control-list JSON).
        file: Option<PathBuf>,
        /// EU Annex I JSON.
        #[arg(long)]
        eu: Option<PathBuf>,
        /// US CCL headings JSON.
        #[arg(long)]
        us: Option<PathBuf>,
        /// US reasons for control JSON.
        #[arg(long)]
        us_reasons: Option<PathBuf>,
        /// Folder of regime CSVs.
        #[arg(long)]
        regimes: Option<PathBuf>,
        /// Version label, e.g. 2025-11 (sources only).
        #[arg(long)]
        label: Option<String>,
        /// Day the version takes effect, YYYY-MM-DD (sources only).
        #[arg(long)]
        effective_date: Option<String>,
        /// Why it is published (sources only).
        #[arg(long)]
        rationale: Option<String>,
    },
    /// Show one entry as it stood on a day (today by default).
    Show {
        /// The code, e.g. 3A001 or 3A001.a.1.
        code: String,
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        at: Option<String>,
    },
    /// Ranked full-text search over titles and texts.
    Search {
        /// Words or a code.
        query: String,
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        at: Option<String>,
        /// Most results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// List the entries of a category (0-9), optionally of one group (A-E).
    Browse {
        /// Category digit.
        category: String,
        /// Group letter.
        group: Option<String>,
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        at: Option<String>,
    },
    /// Write the list in force on a day in Accord's list format.
    Export {
        /// Output file.
        #[arg(long)]
        output: PathBuf,
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        at: Option<String>,
    },
    /// List the stored versions.
    Versions,
}

/// `accord screen [NAME] …`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ScreenArgs {
    /// The name to screen, in any script.
    pub name: Option<String>,
    /// person, organization, vessel, aircraft or any.
    #[arg(long = "type", value_name = "TYPE")]
    pub r#type: Option<String>,
    /// ISO country code linked to the party.
    #[arg(long)]
    pub country: Option<String>,
    /// Year of birth or incorporation.
    #[arg(long)]
    pub birth_year: Option<i32>,
    /// The party's street address: a listed party's street address found in it is reported as a connection.
    #[arg(long)]
    pub address: Option<String>,
    /// An identifier of the party (registration, tax, vessel number); repeat for several.
    #[arg(long)]
    pub identifier: Vec<String>,
    /// The party's telephone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// Lowest score reported, 0..1 (default: the engine's tuned threshold).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Most hits shown.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Batch, compare and inspection subcommands.
    #[command(subcommand)]
    pub command: Option<ScreenCommand>,
}

/// `accord screen batch|compare|info|latency`
#[derive(Debug, Subcommand)]
pub enum ScreenCommand {
    /// Screen a CSV (header id,name and optional type,country,birth_year) on every core.
    Batch {
        /// Input CSV.
        #[arg(long)]
        input: PathBuf,
        /// Output CSV: id,rank,score,list,entity_id,matched_name,explanation (best first).
        #[arg(long)]
        output: PathBuf,
        /// Lowest score reported, 0..1.
        #[arg(long)]
        threshold: Option<f64>,
        /// Most hits per name.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Score pairs of names (header id,left,right and optional type), for tuning and audit.
    Compare {
        /// Input CSV.
        #[arg(long)]
        input: PathBuf,
        /// Output CSV: id,score,explanation.
        #[arg(long)]
        output: PathBuf,
    },
    /// Show the default threshold, the lists in force and the index size.
    Info,
    /// Measure single-query latency over the names of a batch CSV (one thread).
    Latency {
        /// Input CSV with id,name.
        #[arg(long)]
        input: PathBuf,
    },
}

/// `accord lists …`
#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Import lists: each PATH is a file, or a folder holding one list's files. A new version is
    /// stored only when the content changed; the whole import is one transaction.
    Import {
        /// Format (detected from the file when omitted): ofac_sdn, ofac_cons, un_xml, eu_journal, bis_dpl, csl, ftm.
        #[arg(long)]
        format: Option<String>,
        /// Abort on the first malformed row instead of skipping and reporting it.
        #[arg(long)]
        strict: bool,
        /// Print every skipped row (by default the first 20).
        #[arg(long)]
        verbose: bool,
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Show what a version of a list changed (the latest version by default).
    Diff {
        /// The list id, e.g. us_ofac_sdn.
        list: String,
        /// The version (default: the latest).
        #[arg(long)]
        version: Option<i64>,
    },
    /// Download lists from their publishers (or the URLs in accord.toml's [sync.sources]) and
    /// import those that changed; a failed download keeps the version in force and exits 1.
    Sync {
        /// Only these lists (default: every configured list).
        lists: Vec<String>,
    },
    /// Write the entities in force of a list as FollowTheMoney JSON lines (re-importable).
    Export {
        /// The list id.
        list: String,
        /// Output file.
        #[arg(long)]
        output: PathBuf,
    },
    /// Show the version in force of every list, how old it is, and how its last sync went.
    Status,
}

/// Options of `accord serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen address (default 127.0.0.1:8080).
    #[arg(long, env = "ACCORD_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Log format (default text).
    #[arg(long, env = "ACCORD_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Largest accepted request body in bytes (default 1 MiB).
    #[arg(long, env = "ACCORD_BODY_LIMIT", value_name = "BYTES")]
    pub body_limit: Option<usize>,
    /// How often to pull every peer, e.g. `10s`, `1m` (default 10s; a peer's notification pulls at once).
    #[arg(long, env = "ACCORD_FEDERATION_INTERVAL", value_name = "INTERVAL")]
    pub federation_interval: Option<String>,
    /// Largest number of pooled database connections (default 10).
    #[arg(long, env = "ACCORD_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<u32>,
    /// Folder of policy files to follow: imported when they change; a file with an error keeps the version in force.
    #[arg(long, env = "ACCORD_POLICIES", value_name = "DIR")]
    pub policies: Option<std::path::PathBuf>,
    /// Seed a demo coalition on a fresh node (authorities, exporters, officials, cases in every state) and print
    /// who can sign in. Uses the real control data in `--demo-data` when it is there, a small list otherwise.
    #[arg(long)]
    pub demo: bool,
    /// Where the public data sits for the demo (default ../shared/data).
    #[arg(long, value_name = "DIR", default_value = "../shared/data")]
    pub demo_data: std::path::PathBuf,
}

/// `accord config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented default accord.toml.
    Default,
}

/// `accord admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create the node's first admin and print its API key (only once per node).
    Bootstrap {
        /// The admin's name.
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// The admin's e-mail address.
        #[arg(long)]
        email: String,
    },
}

/// `accord authority …`
#[derive(Debug, Subcommand)]
pub enum AuthorityCommand {
    /// Register an authority.
    Add {
        /// Id such as DE-BAFA.
        #[arg(long)]
        id: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Jurisdiction code such as EU or US.
        #[arg(long)]
        jurisdiction: String,
        /// ISO country code.
        #[arg(long)]
        country: String,
        /// IANA time zone such as Europe/Berlin.
        #[arg(long)]
        time_zone: String,
        /// Days off each week (default saturday,sunday).
        #[arg(long, value_delimiter = ',')]
        weekend: Option<Vec<String>>,
        /// A public holiday (YYYY-MM-DD); repeat for several.
        #[arg(long = "holiday")]
        holidays: Vec<String>,
    },
    /// List authorities.
    List,
}

/// `accord org …`
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Register an organisation.
    Add {
        /// Legal name.
        #[arg(long)]
        name: String,
        /// ISO country code.
        #[arg(long)]
        country: String,
        /// micro, small, medium or large.
        #[arg(long)]
        size: String,
        /// Authority it registers with.
        #[arg(long)]
        authority: String,
        /// A registration id as SCHEME=VALUE (e.g. EORI=DE123…); repeat for several.
        #[arg(long = "reg", value_name = "SCHEME=VALUE")]
        registrations: Vec<String>,
    },
    /// List organisations.
    List,
}

/// `accord user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Add {
        /// Display name.
        #[arg(long)]
        name: String,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// exporter, officer, senior_officer, coordinator, panel_member, analyst, auditor or admin.
        #[arg(long)]
        role: String,
        /// Authority (officers and senior officers).
        #[arg(long)]
        authority: Option<String>,
        /// Organisation (exporters).
        #[arg(long)]
        org: Option<String>,
    },
    /// List users.
    List,
    /// Disable a user: their API keys stop working at once.
    Disable {
        /// The user (usr_…).
        user: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// The user (usr_…).
        user: String,
    },
    /// Make a one-time link for a user to set their web password (valid 7 days); prints the link.
    Invite {
        /// The user (usr_…).
        user: String,
        /// The address people reach the node at, to print the whole link (e.g. https://accord.bafa.example).
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Remove a user's second factor (a lost authenticator app): their password alone signs them in until they set
    /// up a new one.
    ResetSecondFactor {
        /// The user (usr_…).
        user: String,
    },
}

/// `accord key …`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key for a user and print it (shown once).
    Create {
        /// The user (usr_…).
        #[arg(long)]
        user: String,
        /// Label to tell keys apart.
        #[arg(long, default_value = "cli")]
        label: String,
        /// Expiry time (RFC 3339).
        #[arg(long)]
        expires_at: Option<String>,
    },
    /// Revoke an API key.
    Revoke {
        /// The key (key_…).
        key: String,
    },
    /// List a user's keys.
    List {
        /// The user (usr_…).
        #[arg(long)]
        user: String,
    },
}

/// `accord audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and compare it with its signed checkpoints; exits with status 3 and names the first bad
    /// event or checkpoint when they disagree.
    Verify {
        /// Also ask every peer for the checkpoints of this node it holds, and compare them with the chain.
        #[arg(long)]
        peers: bool,
        /// Also reconcile the stored records with the state the chain last attests for each.
        #[arg(long)]
        state: bool,
    },
    /// Sign the chain's head with the node key and send the checkpoint to the peers (`serve` does it every minute).
    Checkpoint,
    /// Print audit events in chain order, as JSON lines.
    Events {
        /// Only events after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many events.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_line_grammar_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
