//! A data set written out for other engines: one CSV file per kind of fact, in
//! the format `sellerhealth batch` reads (`sellerhealth_cli::batch::tables`,
//! docs/BATCH.md). Also our own JSON-lines events, which `sellerhealth import
//! events` and `sellerhealth batch` read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sellerhealth_cli::batch::tables::{self, Table};
use sellerhealth_domain::Event;
use sellerhealth_proto::v1 as pb;

/// Open CSV files of a data set, and optionally its JSON-lines events.
pub struct Tables {
    files: Vec<BufWriter<File>>,
    jsonl: Option<BufWriter<File>>,
    /// Rows written per table, in the order of [`Table::ALL`].
    pub rows: [u64; 12],
}

impl Tables {
    /// Creates the CSV files (and `events.jsonl` when `jsonl`) in `dir`.
    pub fn create(dir: &Path, jsonl: bool) -> anyhow::Result<Tables> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let create = |path: PathBuf| -> anyhow::Result<BufWriter<File>> {
            let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
            Ok(BufWriter::with_capacity(1 << 20, file))
        };
        let mut files = Vec::new();
        for table in Table::ALL {
            let mut file = create(dir.join(table.file_name()))?;
            writeln!(file, "{}", table.header())?;
            files.push(file);
        }
        let jsonl = if jsonl { Some(create(dir.join("events.jsonl"))?) } else { None };
        Ok(Tables { files, jsonl, rows: [0; 12] })
    }

    /// Writes one event's row, and the event itself to the JSON lines.
    pub fn write(&mut self, event: &Event, wire: &pb::Event) -> anyhow::Result<()> {
        if let Some(jsonl) = &mut self.jsonl {
            let json =
                sellerhealth_cli::wire_json::to_json(wire, "sellerhealth.v1.Event").map_err(anyhow::Error::msg)?;
            writeln!(jsonl, "{json}")?;
        }
        let Some((table, row)) = tables::row(event) else {
            anyhow::bail!("the data set has no table of {}", event.fact.kind());
        };
        let at = Table::ALL.iter().position(|t| *t == table).unwrap_or_default();
        let (Some(file), Some(rows)) = (self.files.get_mut(at), self.rows.get_mut(at)) else {
            anyhow::bail!("no file for {}", table.name());
        };
        writeln!(file, "{row}")?;
        *rows += 1;
        Ok(())
    }

    /// Flushes every file.
    pub fn finish(mut self) -> anyhow::Result<[u64; 12]> {
        for file in self.files.iter_mut().chain(self.jsonl.iter_mut()) {
            file.flush()?;
        }
        Ok(self.rows)
    }
}
