//! The operator's side of the migration (docs/migration.md):
//! - `grant-role <email> <role>`: the account's roles with one more, written under the
//!   version read (a concurrent change of the account answers `concurrent_change`; run again);
//! - `migration-import <wave> FILE.jsonl`: the old shop's export, one account per line,
//!   streamed through `POST /v1/admin/migration/waves/{wave}/accounts` in chunks of
//!   `MIGRATION_IMPORT_CHUNK` (1,000, the route's limit) to `SHOP_URL` with the operator's
//!   access token `SHOP_TOKEN`; a progress line on stderr, every refused account on stdout
//!   with its line number and reasons. A line that is not JSON is reported and skipped; the
//!   route is idempotent, so a run that stopped is simply run again.

use std::io::{BufRead, Write};

use serde_json::{Value, json};
use shop_adapters::{boot::config, store::accounts::AccountsRepo};
use shop_domain::{Email, account::model::Role};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn grant_role(accounts: &AccountsRepo, email: &str, role: &str) -> Result<()> {
    let role: Role = serde_json::from_value(Value::String(role.to_owned()))
        .map_err(|_| format!("unknown role `{role}` (customer, operator)"))?;
    let mut account = accounts
        .find_by_email(&Email::parse(email)?)
        .await?
        .ok_or("no account with this email")?;
    if account.roles.contains(&role) {
        println!("{email} already has the role {role:?}");
        return Ok(());
    }
    account.roles.push(role);
    accounts.save(&account).await?;
    println!(
        "{email} now has the roles {:?}; sign in again for a token that carries them",
        account.roles
    );
    Ok(())
}

/// What the import did so far.
#[derive(Default)]
struct Progress {
    lines: usize,
    imported: u64,
    unchanged: u64,
    refused: u64,
    unreadable: u64,
}

pub async fn import(wave: &str, path: &str) -> Result<()> {
    let url = format!(
        "{}/v1/admin/migration/waves/{wave}/accounts",
        config::required("SHOP_URL")?.trim_end_matches('/')
    );
    let token = config::required("SHOP_TOKEN")?;
    let chunk_size: usize = config::parsed_or("MIGRATION_IMPORT_CHUNK", 1_000)?;
    let client = shop_adapters::boot::https_client().map_err(|e| e.to_string())?;
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut progress = Progress::default();
    // (line number, account) of the chunk being filled.
    let mut chunk: Vec<(usize, Value)> = Vec::with_capacity(chunk_size);
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{path}: {e}"))?;
        progress.lines = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&line) {
            Ok(account) => chunk.push((n + 1, account)),
            Err(_) => {
                progress.unreadable += 1;
                println!("line {}: not JSON, skipped", n + 1);
            }
        }
        if chunk.len() == chunk_size {
            send(&client, &url, &token, &chunk, &mut progress).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        send(&client, &url, &token, &chunk, &mut progress).await?;
    }
    eprintln!();
    println!(
        "{} lines: {} imported, {} unchanged, {} refused, {} unreadable",
        progress.lines,
        progress.imported,
        progress.unchanged,
        progress.refused,
        progress.unreadable
    );
    Ok(())
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    chunk: &[(usize, Value)],
    progress: &mut Progress,
) -> Result<()> {
    let accounts: Vec<&Value> = chunk.iter().map(|(_, a)| a).collect();
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "accounts": accounts }))
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let code = body["code"].as_str().unwrap_or("unknown");
        let detail = body["detail"].as_str().unwrap_or_default();
        return Err(format!("the shop answered {status} {code}: {detail}").into());
    }
    let count = |k: &str| body["counts"][k].as_u64().unwrap_or(0);
    progress.imported += count("imported");
    progress.unchanged += count("unchanged");
    progress.refused += count("refused");
    for r in body["refused"].as_array().into_iter().flatten() {
        let line = r["index"]
            .as_u64()
            .and_then(|i| chunk.get(usize::try_from(i).ok()?))
            .map_or(0, |(line, _)| *line);
        let reasons: Vec<String> = r["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                format!(
                    "{} {}",
                    e["field"].as_str().unwrap_or(""),
                    e["code"].as_str().unwrap_or("")
                )
            })
            .collect();
        println!(
            "line {line} ({}): {}",
            r["old_id"].as_str().unwrap_or("?"),
            reasons.join("; ")
        );
    }
    eprint!(
        "\r{} lines read: {} imported, {} unchanged, {} refused",
        progress.lines, progress.imported, progress.unchanged, progress.refused
    );
    std::io::stderr().flush()?;
    Ok(())
}
