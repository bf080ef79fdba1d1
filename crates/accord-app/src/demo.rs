//! A demo coalition for a newcomer to walk through: three authorities, exporters of every size, officers and senior
//! officers, applications in every state, an ally's denial and an open consultation on a case that matches it.
//! Everything is made through the same services as real work, so the audit trail records it.

use crate::{App, NewKey, ProfileRecord};
use accord_controls::{ControlCode, ControlEntry, ControlList, Jurisdiction, ListInfo, Mapping};
use accord_core::cases::{NewApplication, NewDecision};
use accord_core::denials::NewDenial;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use serde::Serialize;
use serde_json::{Value, json};

/// The password of every demo account (a demo node is for trying Accord out, never for real work).
pub const DEMO_PASSWORD: &str = "accord demo password";

/// One person of the demo and what they can try.
#[derive(Debug, Clone, Serialize)]
pub struct DemoPerson {
    /// Their e-mail address (the sign-in name).
    pub email: String,
    /// Their role.
    pub role: String,
    /// Their authority or organisation.
    pub of: String,
    /// What to try as them.
    pub try_this: String,
}

/// What the demo seeded.
#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    /// Who can sign in, all with [`DEMO_PASSWORD`].
    pub people: Vec<DemoPerson>,
    /// The cases, by the state they were left in.
    pub cases: Vec<(String, String)>,
}

/// A small control list of the project's own, for a demo node without the real data beside it.
pub fn demo_control_list(effective_date: &str) -> Result<ControlList> {
    // Illustrative entries only: no reasons for control are given, since none of them is taken from a primary
    // source here.
    let entry = |code: &str, title: &str| -> Result<ControlEntry> {
        let mut e = ControlEntry::new(ControlCode::parse(code)?, title);
        e.mappings.push(Mapping::new(Jurisdiction::Eu, code));
        e.mappings.push(Mapping::new(Jurisdiction::Us, code));
        Ok(e)
    };
    let entries = vec![
        entry("1C010", "Fibrous or filamentary materials (demo entry)")?,
        entry("3A001", "Electronic items (demo entry)")?,
        entry("3A001.a", "General purpose integrated circuits (demo entry)")?,
        entry("3A001.a.1", "Radiation-hardened integrated circuits (demo entry)")?,
        entry("5A002", "Information security items (demo entry)")?,
        entry("6A003", "Cameras (demo entry)")?,
    ];
    let info = ListInfo {
        version: "demo".into(),
        effective_date: effective_date.into(),
        rationale: "Illustrative entries of the project's own for the demo coalition; not the control list in force"
            .into(),
    };
    ControlList::new(info, entries)
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::internal(format!("demo data: {e}")))
}

/// The application of a shipment of `code` to `destination` for `consignee`.
fn application(code: &str, destination: &str, consignee: &str, value: u32) -> Result<NewApplication> {
    from_json(json!({
        "transaction": {"date": jiff::Zoned::now().date().to_string(), "origin": "DE", "destination": destination,
            "end_use": {"category": "civil", "statement": "research and development"},
            "items": [{"code": code, "description": "demo goods", "quantity": 10, "value": value, "currency": "EUR"}],
            "parties": [{"role": "consignee", "name": consignee, "country": destination, "type": "organization"}]},
        "end_use_statement": "Research and development at the consignee's laboratory",
        "declarations": {"no_wmd_end_use": true, "no_military_end_use": true, "no_reexport_without_consent": true}
    }))
}

impl App {
    /// Seeds the demo coalition on an empty node, using `controls` as its control list. Refuses a node that
    /// already has an administrator: a demo never mixes with real records.
    pub async fn seed_demo(&self, controls: &ControlList) -> Result<DemoReport> {
        let op = Principal::Operator { name: "demo".into() };
        self.bootstrap(&op, "Demo administrator", "admin@demo.example").await?;
        self.import_controls(&op, controls, "demo").await?;
        self.ensure_policies(&op).await?;
        for (id, name, j, c, tz) in [
            ("DE-BAFA", "Federal Office for Economic Affairs and Export Control", "EU", "DE", "Europe/Berlin"),
            ("FR-SBDU", "Service des biens à double usage", "EU", "FR", "Europe/Paris"),
            ("US-BIS", "Bureau of Industry and Security", "US", "US", "America/New_York"),
        ] {
            self.create_authority(
                &op,
                from_json(json!({"id": id, "name": name, "jurisdiction": j, "country": c, "time_zone": tz}))?,
            )
            .await?;
        }
        let mut people = Vec::new();
        let mut orgs = Vec::new();
        for (name, size, country, authority, email) in [
            ("Kleinwerk Photonik UG", "micro", "DE", "DE-BAFA", "export@kleinwerk.example"),
            ("Acme Photonics GmbH", "small", "DE", "DE-BAFA", "export@acme.example"),
            ("Rhein Sensorik GmbH", "medium", "DE", "DE-BAFA", "export@rhein-sensorik.example"),
            ("Grossindustrie AG", "large", "DE", "DE-BAFA", "export@grossindustrie.example"),
            ("Optique Lyon SARL", "small", "FR", "FR-SBDU", "export@optique-lyon.example"),
        ] {
            let o = self
                .create_organisation(
                    &op,
                    from_json(
                        json!({"name": name, "country": country, "size_class": size, "authority_id": authority}),
                    )?,
                )
                .await?;
            let p = self.demo_user(&op, name, email, "exporter", None, Some(o.id.as_str())).await?;
            people.push(DemoPerson {
                email: email.into(),
                role: "exporter".into(),
                of: name.into(),
                try_this: "check a shipment at /check; follow your cases at /cases".into(),
            });
            orgs.push((o, p));
        }
        let mut officials = std::collections::BTreeMap::new();
        for (key, name, email, role, authority, try_this) in [
            (
                "officer_de",
                "Officer, BAFA",
                "officer@bafa.example",
                "officer",
                "DE-BAFA",
                "work the queue at /cases; refuse or approve",
            ),
            (
                "senior_de",
                "Senior officer, BAFA",
                "senior@bafa.example",
                "senior_officer",
                "DE-BAFA",
                "countersign the refusal waiting at /cases",
            ),
            (
                "senior2_de",
                "Second senior officer, BAFA",
                "senior2@bafa.example",
                "senior_officer",
                "DE-BAFA",
                "a second senior officer for the four-eyes rule",
            ),
            (
                "officer_fr",
                "Officer, SBDU",
                "officer@sbdu.example",
                "officer",
                "FR-SBDU",
                "answer the consultation BAFA opened on your denial",
            ),
            (
                "senior_fr",
                "Senior officer, SBDU",
                "senior@sbdu.example",
                "senior_officer",
                "FR-SBDU",
                "countersign SBDU's decisions",
            ),
            ("officer_us", "Officer, BIS", "officer@bis.example", "officer", "US-BIS", "the US queue"),
            (
                "analyst_de",
                "Analyst, BAFA",
                "analyst@bafa.example",
                "analyst",
                "DE-BAFA",
                "import declarations and raise alerts at /warnings",
            ),
        ] {
            let p = self.demo_user(&op, name, email, role, Some(authority), None).await?;
            people.push(DemoPerson {
                email: email.into(),
                role: role.into(),
                of: authority.into(),
                try_this: try_this.into(),
            });
            officials.insert(key, p);
        }
        people.push(DemoPerson {
            email: "admin@demo.example".into(),
            role: "admin".into(),
            of: "this node".into(),
            try_this: "the administrator; invite people with accord user invite".into(),
        });
        self.demo_password("admin@demo.example").await?;

        // Acme is trained and certified: the profile the fast track looks for.
        let acme = &orgs[1];
        let today = jiff::Zoned::now().date().to_string();
        for record in [
            json!({"record": "certification", "certified_on": today, "expires_on": jiff::Zoned::now().date().checked_add(jiff::Span::new().years(2)).map_or_else(|_| today.clone(), |d| d.to_string())}),
            json!({"record": "training", "person": "Export control officer", "course": "EU dual-use basics", "date": today}),
        ] {
            let r: ProfileRecord = from_json(record)?;
            self.record_profile(&officials["officer_de"], acme.0.id.as_str(), r).await?;
        }

        // SBDU refused a shipment to the same consignee: its denial, and BAFA's consultation on the matching case.
        let denial: NewDenial = from_json(json!({
            "reference": "SBDU-2026-0042", "control_codes": ["3A001"], "item_description": "radiation-hardened integrated circuits",
            "destination": "CN", "end_use": "missile guidance", "refusal_criteria": ["Criterion 7"],
            "parties": [{"role": "consignee", "name": "Shenzhen Example Trading Co., Ltd.", "country": "CN"}]
        }))?;
        let denial = self.create_denial(&officials["officer_fr"], denial).await?;

        let exporter = &acme.1;
        let mut cases = Vec::new();
        let submit = |code: &'static str, destination: &'static str, consignee: &'static str, value: u32| {
            let app = self.clone();
            let exporter = exporter.clone();
            async move {
                let applied = app
                    .create_application(&exporter, application(code, destination, consignee, value)?, None, true)
                    .await?;
                let case = applied.application.outcomes.iter().find_map(|o| o.case_id.clone());
                case.ok_or_else(|| {
                    Error::internal(format!("the demo application of {code} to {destination} opened no case"))
                })
            }
        };
        // Open, consulted on an ally's denial.
        let consulted = submit("3A001.a.1", "CN", "Shenzhen Example Trading Co., Ltd.", 5000).await?;
        self.open_consultation(
            &officials["officer_de"],
            &consulted,
            denial.id.as_str(),
            "Your denial SBDU-2026-0042 names this consignee. Do you object to our approval?",
        )
        .await?;
        cases.push((consulted, "open, with a consultation of SBDU on its denial".to_owned()));
        // Open, not yet assigned.
        cases.push((submit("5A002", "BR", "Sao Paulo Redes Ltda.", 12000).await?, "open".to_owned()));
        // Refused by an officer, waiting for a senior officer's countersignature.
        let waiting = submit("6A003", "PK", "Karachi Optics Ltd.", 30000).await?;
        self.demo_decide(
            &officials["officer_de"],
            &waiting,
            json!({"kind": "refuse", "reason": "Risk of military end use", "refusal_criteria": ["Criterion 7"]}),
        )
        .await?;
        cases.push((waiting, "refused, awaiting countersignature".to_owned()));
        // Approved: a licence is issued.
        let approved = submit("1C010", "IN", "Bangalore Composites Pvt. Ltd.", 8000).await?;
        let until = jiff::Zoned::now()
            .date()
            .checked_add(jiff::Span::new().years(1))
            .map_err(|e| Error::internal(e.to_string()))?;
        self.demo_decide(
            &officials["officer_de"],
            &approved,
            json!({"kind": "approve", "reason": "Civil end use confirmed", "valid_until": until.to_string()}),
        )
        .await?;
        cases.push((approved, "approved, with its licence".to_owned()));
        // Returned to the exporter.
        let returned = submit("3A001", "AE", "Dubai Electronics FZE", 2500).await?;
        self.demo_decide(
            &officials["officer_de"],
            &returned,
            json!({"kind": "return", "reason": "Please add the end-user certificate"}),
        )
        .await?;
        cases.push((returned, "returned to the exporter".to_owned()));
        // Refused and countersigned: the refusal becomes a denial shared with the allies.
        let refused = submit("3A001.a", "EG", "Cairo Instruments Co.", 4000).await?;
        self.demo_decide(
            &officials["officer_de"],
            &refused,
            json!({"kind": "refuse", "reason": "Risk of diversion", "refusal_criteria": ["Criterion 7"]}),
        )
        .await?;
        let version = self.case(&officials["senior_de"], &refused).await?.version;
        self.countersign(&officials["senior_de"], &refused, version).await?;
        cases.push((refused, "refused and countersigned; its denial is shared".to_owned()));
        // A draft, not yet submitted.
        self.create_application(
            exporter,
            application("5A002", "SG", "Singapore Secure Systems Pte.", 900)?,
            None,
            false,
        )
        .await?;
        Ok(DemoReport { people, cases })
    }

    /// Puts a restricted-party list in force on a demo node and records, as the demo analyst, that one of its
    /// organisations holds 60 % of a company that is on no list, so that `/ownership`, screening and
    /// determinations show an ownership rule at work. Returns the company's name.
    pub async fn seed_demo_ownership(&self, import: crate::ListImport) -> Result<String> {
        let op = Principal::Operator { name: "demo".into() };
        let owner = import
            .entities
            .iter()
            .find(|e| e.kind == accord_core::listed::EntityKind::Organization)
            .map(accord_core::ownership::PartyRef::listed)
            .ok_or_else(|| Error::validation("list", "the list has no organisation to own a company"))?;
        self.import_list(&op, import).await?;
        let analyst = self
            .store
            .user_by_email("analyst@bafa.example")
            .await?
            .ok_or_else(|| Error::new(ErrorCode::NotFound, "the demo analyst is missing: seed the demo first"))?;
        let key =
            self.create_key(&op, analyst.id.as_str(), NewKey { label: "demo ownership".into(), expires_at: None });
        let analyst = self.authenticate(&key.await?.token).await?;
        let firm = "Caribe Holdings S.A.";
        let relation = crate::NewRelation {
            from: owner,
            to: accord_core::ownership::PartyRef {
                list_id: None,
                entity_id: None,
                name: firm.into(),
                country: Some("PA".into()),
            },
            kind: accord_core::ownership::RelationKind::Owns,
            share_percent: Some(60.0),
            valid_from: None,
            valid_until: None,
            source: "demo: an illustration, not a real registry extract".into(),
        };
        self.record_relation(&analyst, relation).await?;
        Ok(firm.to_owned())
    }

    async fn demo_user(
        &self,
        op: &Principal,
        name: &str,
        email: &str,
        role: &str,
        authority: Option<&str>,
        org: Option<&str>,
    ) -> Result<Principal> {
        let u = self
            .create_user(
                op,
                from_json(json!({"name": name, "email": email, "role": role, "authority_id": authority, "organisation_id": org}))?,
            )
            .await?;
        self.demo_password(email).await?;
        let key = self.create_key(op, u.id.as_str(), NewKey { label: "demo".into(), expires_at: None }).await?;
        self.authenticate(&key.token).await
    }

    async fn demo_password(&self, email: &str) -> Result<()> {
        let op = Principal::Operator { name: "demo".into() };
        let user =
            self.store.user_by_email(email).await?.ok_or_else(|| Error::internal(format!("no demo user {email}")))?;
        let invitation = self.invite(&op, user.id.as_str()).await?;
        self.accept_invitation(&invitation.token, DEMO_PASSWORD).await?;
        Ok(())
    }

    async fn demo_decide(&self, officer: &Principal, case: &str, decision: Value) -> Result<()> {
        let version = self.case(officer, case).await?.version;
        let mut decision = decision;
        decision["version"] = json!(version);
        let decision: NewDecision = from_json(decision)?;
        self.decide(officer, case, decision).await?;
        Ok(())
    }
}
