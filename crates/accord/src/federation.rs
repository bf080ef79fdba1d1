//! `accord node …`, `accord peers …`, `accord federation …`, and loading the node key for the other commands.

use crate::cli::{FederationCommand, NodeCommand, PeersCommand};
use crate::commands::{print_json, service};
use crate::config::FederationConfig;
use accord_app::{App, Federation};
use accord_core::federation::NodeKey;
use accord_core::principal::Principal;
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};

/// Where the key file is by default.
pub fn default_key_path() -> PathBuf {
    PathBuf::from("accord-data/node.key")
}

/// The federation set-up of a node that has an identity: its key file must hold the key of that identity.
pub async fn load(app: &App, key_path: &Path, config: &FederationConfig) -> Result<Option<Federation>> {
    let Some(identity) = service(app.identity().await)? else { return Ok(None) };
    let text = std::fs::read_to_string(key_path).with_context(|| {
        format!("this node speaks for {} but its key file {} cannot be read", identity.authority_id, key_path.display())
    })?;
    let key = service(NodeKey::from_base64(&text))?;
    if key.public_base64() != identity.public_key {
        return Err(anyhow!(
            "{} holds another key than the one this node registered for {} ({})",
            key_path.display(),
            identity.authority_id,
            identity.public_key
        ));
    }
    let mut f = Federation::new(&identity.authority_id, key);
    if let Some(skew) = &config.max_clock_skew {
        f.max_skew = crate::sync::parse_duration(skew)?;
    }
    if let Some(days) = config.consultation_days {
        if !(1..=365).contains(&days) {
            return Err(anyhow!("consultation_days is 1-365, not {days}"));
        }
        f.consultation_days = days;
    }
    if let Some(rate) = config.peer_rate {
        if !(rate > 0.0 && rate <= 100_000.0) {
            return Err(anyhow!("peer_rate is above 0 and at most 100000 requests per second, not {rate}"));
        }
        f.peer_rate = rate;
    }
    if let Some(burst) = config.peer_burst {
        if !(1.0..=1_000_000.0).contains(&burst) {
            return Err(anyhow!("peer_burst is 1-1000000 requests, not {burst}"));
        }
        f.peer_burst = burst;
    }
    Ok(Some(f))
}

/// Writes the key file readable by its owner only; never overwrites one.
fn write_key(path: &Path, key: &NodeKey) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| {
        format!("cannot create {} (a node key is never overwritten; remove it first to make a new one)", path.display())
    })?;
    writeln!(file, "{}", key.to_base64())?;
    Ok(())
}

/// Runs one `node` command.
pub async fn node(app: &App, p: &Principal, key_path: &Path, command: NodeCommand) -> Result<()> {
    match command {
        NodeCommand::Init { authority } => {
            if let Some(existing) = service(app.identity().await)? {
                return Err(anyhow!(
                    "this node already speaks for {} (key {})",
                    existing.authority_id,
                    existing.public_key
                ));
            }
            service(app.authority(&authority).await)?;
            let key = service(NodeKey::generate())?;
            write_key(key_path, &key)?;
            match app.init_identity(p, &authority, &key).await {
                Ok(identity) => {
                    eprintln!("key written to {} (0600); give peers this public key:", key_path.display());
                    println!("{}", identity.public_key);
                    Ok(())
                }
                Err(e) => {
                    let _ = std::fs::remove_file(key_path);
                    service(Err(e))
                }
            }
        }
        NodeCommand::Show => match service(app.identity().await)? {
            Some(i) => print_json(&i),
            None => Err(anyhow!("this node has no federation identity; run `accord node init --authority ID`")),
        },
    }
}

/// Runs one `peers` command.
pub async fn peers(app: &App, p: &Principal, command: PeersCommand) -> Result<()> {
    match command {
        PeersCommand::Add { authority, url, key, allow_http } => {
            let added = if allow_http {
                app.add_peer_allowing_http(p, &authority, &url, &key).await
            } else {
                app.add_peer(p, &authority, &url, &key).await
            };
            print_json(&service(added)?)
        }
        PeersCommand::List => {
            crate::output::list(&service(app.peers().await)?, &["authority", "url", "last", "key"], |peer| {
                vec![peer.authority_id.clone(), peer.url.clone(), peer.last_seq.to_string(), peer.public_key.clone()]
            })
        }
        PeersCommand::Remove { authority } => {
            service(app.remove_peer(p, &authority).await)?;
            eprintln!("peer {authority} removed");
            Ok(())
        }
    }
}

/// Runs one `federation` command.
pub async fn federation(app: &App, p: &Principal, command: FederationCommand) -> Result<()> {
    match command {
        FederationCommand::Status => {
            let status = service(app.federation_status(p).await)?;
            if crate::output::json() {
                return print_json(&status);
            }
            match &status.identity {
                Some(i) => {
                    println!("node {}  outbox head {}  key {}", i.authority_id, status.outbox_head, i.public_key)
                }
                None => println!("no federation identity (accord node init --authority ID)"),
            }
            for s in &status.peers {
                println!(
                    "{:<10} last {:>6}  lag {:>6}  received {:>6}  last ok {}  {}",
                    s.peer.authority_id,
                    s.peer.last_seq,
                    s.lag,
                    s.received,
                    s.peer.last_success_at.map_or_else(|| "never".to_owned(), |t| t.to_string()),
                    s.peer.last_error.as_deref().map(|e| format!("error: {e}")).unwrap_or_default()
                );
            }
            for r in &status.rejections {
                println!("rejected {}#{} {}: {}", r.sender, r.seq, r.reason.as_str(), r.message);
            }
            Ok(())
        }
        FederationCommand::Pull => {
            if app.federation().is_none() {
                return Err(anyhow!("this node has no federation identity; run `accord node init --authority ID`"));
            }
            for peer in service(app.peers().await)? {
                match accord_federation::pull(app, &peer).await {
                    Ok(n) => println!("{}: {n} envelopes applied", peer.authority_id),
                    Err(e) => println!("{}: {e}", peer.authority_id),
                }
            }
            Ok(())
        }
    }
}
