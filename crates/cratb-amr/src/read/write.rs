//! The file written back as it was read, with the interpretations and added columns.

use cratb_sheet::write::{Csv, CsvWriter, push_csv_field};
use rayon::prelude::*;

use super::chunks::{is_plain, plain_lines};
use super::{Agent, Dataset};

/// A column added by [`Dataset::write_with`]: its name and its value for each row.
pub type ExtraColumn<'a> = (&'a str, &'a (dyn Fn(usize) -> &'static str + Sync));

impl Dataset {
    /// The file as read, with each interpretation written into its `<code>` column; columns
    /// that did not exist are added after the others. Skipped rows are left out.
    pub fn write_interpreted(&self) -> Vec<u8> {
        self.write_with(true, &[])
    }

    /// The file as read, in its separator; with `interpreted`, each interpretation written into
    /// its `<code>` column (columns that did not exist are added after the others); then the
    /// `extra` columns, whose functions get the row number. Skipped rows are left out.
    pub fn write_with(&self, interpreted: bool, extra: &[ExtraColumn]) -> Vec<u8> {
        let added: Vec<&Agent> = if interpreted {
            self.agents.iter().filter(|a| a.sir_col.is_none()).collect()
        } else {
            Vec::new()
        };
        // For each input column, the agent whose interpretation replaces it.
        let replaced: Vec<Option<&Agent>> = (0..self.header.len())
            .map(|i| {
                if interpreted {
                    self.agents.iter().find(|a| a.sir_col == Some(i))
                } else {
                    None
                }
            })
            .collect();
        let mut header = CsvWriter::new(Csv::separated_by(self.separator));
        let names = self
            .header
            .iter()
            .map(String::as_str)
            .chain(added.iter().map(|a| a.code.as_str()))
            .chain(extra.iter().map(|e| e.0));
        header.row(names);
        let mut out = header.finish();
        let parts: Vec<Vec<u8>> = self
            .source
            .chunks
            .par_iter()
            .zip(self.source.first_line.par_iter())
            .zip(self.source.first_row.par_iter())
            .map(|((range, &first), &start)| {
                let bytes = &self.source.body[self.source.offset..][range.clone()];
                if is_plain(bytes) {
                    // Fields hold no quote, separator or line break: written as they are.
                    let separator = self.separator;
                    let mut out = Vec::with_capacity(range.len() + range.len() / 4);
                    let mut row = start;
                    plain_lines(bytes, separator, first, |line, fields, _| {
                        if row >= self.len() || self.line[row] as usize != line {
                            return;
                        }
                        for (i, agent) in replaced.iter().enumerate() {
                            if i > 0 {
                                out.push(separator);
                            }
                            match agent {
                                Some(a) => {
                                    out.extend_from_slice(a.results[row].as_str().as_bytes())
                                }
                                None => {
                                    out.extend_from_slice(fields.get(i).copied().unwrap_or(b""))
                                }
                            }
                        }
                        for a in &added {
                            out.push(separator);
                            out.extend_from_slice(a.results[row].as_str().as_bytes());
                        }
                        for (_, value) in extra {
                            out.push(separator);
                            push_csv_field(&mut out, value(row).as_bytes(), separator);
                        }
                        out.push(b'\n');
                        row += 1;
                    });
                    return out;
                }
                let mut writer = CsvWriter::with_capacity(
                    Csv::separated_by(self.separator),
                    range.len() + range.len() / 4,
                );
                let mut output = csv::ByteRecord::new();
                let mut row = start;
                // Lines are numbered as when the file was read; rows left out are not found.
                let mut emit = |line: usize, record: &[&[u8]]| {
                    if row >= self.len() || self.line[row] as usize != line {
                        return;
                    }
                    output.clear();
                    for (i, agent) in replaced.iter().enumerate() {
                        match agent {
                            Some(a) => output.push_field(a.results[row].as_str().as_bytes()),
                            None => output.push_field(record.get(i).copied().unwrap_or(b"")),
                        }
                    }
                    for a in &added {
                        output.push_field(a.results[row].as_str().as_bytes());
                    }
                    for (_, value) in extra {
                        output.push_field(value(row).as_bytes());
                    }
                    writer.byte_record(&output);
                    row += 1;
                };
                {
                    let mut reader = csv::ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(true)
                        .delimiter(self.separator)
                        .from_reader(bytes);
                    let mut record = csv::ByteRecord::new();
                    while let Ok(true) = reader.read_byte_record(&mut record) {
                        let line =
                            record.position().map(|p| p.line() as usize).unwrap_or(1) + first - 1;
                        let fields: Vec<&[u8]> = record.iter().collect();
                        emit(line, &fields);
                    }
                }
                writer.finish()
            })
            .collect();
        for p in parts {
            out.extend(p);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::read::ReadOptions;

    #[test]
    fn written_back_whole_in_chunks_with_crlf() {
        let spec = crate::synth::Spec {
            isolates: 20_000,
            patients: 7_000,
            seed: 3,
        };
        let text = String::from_utf8(crate::synth::generate(&spec))
            .unwrap()
            .replace('\n', "\r\n");
        assert!(text.len() > 1 << 20, "read in several chunks");
        let data = crate::read_owned(text.clone().into_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(data.len(), 20_000);
        assert_eq!(data.line[19_999], 20_001);
        let flag = |row: usize| {
            if row.is_multiple_of(2) {
                "true"
            } else {
                "false"
            }
        };
        let written =
            String::from_utf8(data.write_with(false, &[("first_isolate", &flag)])).unwrap();
        let lines: Vec<&str> = written.lines().collect();
        assert_eq!(lines.len(), 20_001);
        for (i, (w, r)) in lines.iter().zip(text.lines()).enumerate() {
            let flag = if i == 0 { "first_isolate" } else { flag(i - 1) };
            assert_eq!(*w, format!("{r},{flag}"));
        }
        let interpreted = data.write_interpreted();
        assert_eq!(interpreted.iter().filter(|b| **b == b'\n').count(), 20_001);
    }
}
