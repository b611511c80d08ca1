//! Antibiograms as Parquet files, written column by column with the `parquet` crate's low-level
//! writer (no Arrow): text as UTF-8 byte arrays, counts as INT32, shares and their interval as
//! nullable DOUBLE (rounded to one decimal, as in the CSV), `reportable` as BOOLEAN.

use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::antibiogram::{Antibiogram, Cell};

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl Antibiogram {
    /// The table as a Parquet file, one row group, columns named as [`Antibiogram::header`].
    pub fn to_parquet(&self) -> Result<Vec<u8>, ParquetError> {
        let header = self.header();
        let mut fields = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
            let (physical, repetition, logical) = match name.as_str() {
                _ if i < self.by.len() + 2 => (
                    Physical::BYTE_ARRAY,
                    Repetition::REQUIRED,
                    Some(LogicalType::String),
                ),
                "pct_susceptible" | "ci_low" | "ci_high" => {
                    (Physical::DOUBLE, Repetition::OPTIONAL, None)
                }
                "reportable" => (Physical::BOOLEAN, Repetition::REQUIRED, None),
                _ => (Physical::INT32, Repetition::REQUIRED, None),
            };
            let field = Type::primitive_type_builder(name, physical)
                .with_repetition(repetition)
                .with_logical_type(logical)
                .build()?;
            fields.push(Arc::new(field));
        }
        let schema = Arc::new(
            Type::group_type_builder("antibiogram")
                .with_fields(fields)
                .build()?,
        );
        let properties = Arc::new(
            WriterProperties::builder()
                .set_created_by("cratb".to_string())
                .build(),
        );
        let mut writer = SerializedFileWriter::new(Vec::new(), schema, properties)?;
        let mut group = writer.next_row_group()?;
        let cells = &self.cells;
        let text = |f: &dyn Fn(&Cell) -> &str| -> Vec<ByteArray> {
            cells
                .iter()
                .map(|c| ByteArray::from(f(c).as_bytes().to_vec()))
                .collect()
        };
        let mut column = 0;
        while let Some(mut writer) = group.next_column()? {
            let name = header[column].as_str();
            if column < self.by.len() {
                let values = text(&|c: &Cell| c.group[column].as_str());
                writer
                    .typed::<ByteArrayType>()
                    .write_batch(&values, None, None)?;
            } else {
                match name {
                    "organism" => {
                        writer.typed::<ByteArrayType>().write_batch(
                            &text(&|c| c.organism.as_str()),
                            None,
                            None,
                        )?;
                    }
                    "antimicrobial" => {
                        writer.typed::<ByteArrayType>().write_batch(
                            &text(&|c| c.antimicrobial.as_str()),
                            None,
                            None,
                        )?;
                    }
                    "pct_susceptible" | "ci_low" | "ci_high" => {
                        let values: Vec<Option<f64>> = cells
                            .iter()
                            .map(|c| match name {
                                "pct_susceptible" => c.pct_susceptible(),
                                "ci_low" => c.wilson().map(|w| w.0),
                                _ => c.wilson().map(|w| w.1),
                            })
                            .collect();
                        let present: Vec<f64> =
                            values.iter().flatten().map(|x| round1(*x)).collect();
                        let levels: Vec<i16> =
                            values.iter().map(|v| i16::from(v.is_some())).collect();
                        writer
                            .typed::<DoubleType>()
                            .write_batch(&present, Some(&levels), None)?;
                    }
                    "reportable" => {
                        let values: Vec<bool> = cells
                            .iter()
                            .map(|c| c.reportable(self.min_isolates))
                            .collect();
                        writer
                            .typed::<BoolType>()
                            .write_batch(&values, None, None)?;
                    }
                    _ => {
                        let values: Vec<i32> = cells
                            .iter()
                            .map(|c| match name {
                                "n_tested" => c.n_tested(),
                                "n_S" => c.n_s,
                                "n_SDD" => c.n_sdd,
                                "n_I" => c.n_i,
                                "n_R" => c.n_r,
                                _ => c.n_ni,
                            } as i32)
                            .collect();
                        writer
                            .typed::<Int32Type>()
                            .write_batch(&values, None, None)?;
                    }
                }
            }
            writer.close()?;
            column += 1;
        }
        group.close()?;
        writer.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    use crate::antibiogram::{Antibiogram, Cell};

    #[test]
    fn written_then_read_back() {
        let cell = |group: &str, organism: &str, ab: &str, n_s, n_r| Cell {
            group: vec![group.to_string()],
            organism: organism.to_string(),
            antimicrobial: ab.to_string(),
            n_s,
            n_sdd: 0,
            n_i: 0,
            n_r,
            n_ni: 1,
        };
        let table = Antibiogram {
            by: vec!["ward".into()],
            min_isolates: 30,
            guideline: "EUCAST 2025".into(),
            first_isolates_only: true,
            isolates: 100,
            cells: vec![
                cell("icu", "Escherichia coli", "AMX", 8, 2),
                cell("icu", "Escherichia coli", "CIP", 40, 10),
                cell("médecine", "Staphylococcus aureus", "OXA", 0, 0),
            ],
        };
        let bytes = table.to_parquet().unwrap();
        let path =
            std::env::temp_dir().join(format!("cratb-amr-test-{}.parquet", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let reader = SerializedFileReader::try_from(path.as_path()).unwrap();
        let schema: Vec<String> = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(schema, table.header());
        let rows: Vec<Vec<(String, Field)>> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| {
                r.unwrap()
                    .get_column_iter()
                    .map(|(n, f)| (n.clone(), f.clone()))
                    .collect()
            })
            .collect();
        std::fs::remove_file(&path).ok();
        assert_eq!(rows.len(), 3);
        let get = |r: usize, name: &str| rows[r].iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(get(0, "ward"), Field::Str("icu".into()));
        assert_eq!(get(2, "ward"), Field::Str("médecine".into()));
        assert_eq!(get(0, "organism"), Field::Str("Escherichia coli".into()));
        assert_eq!(get(1, "antimicrobial"), Field::Str("CIP".into()));
        assert_eq!(get(0, "n_tested"), Field::Int(11));
        assert_eq!(get(1, "n_S"), Field::Int(40));
        assert_eq!(get(0, "pct_susceptible"), Field::Double(80.0));
        assert_eq!(get(0, "ci_low"), Field::Double(49.0));
        assert_eq!(get(0, "ci_high"), Field::Double(94.3));
        assert_eq!(get(2, "pct_susceptible"), Field::Null);
        assert_eq!(get(0, "reportable"), Field::Bool(false));
        assert_eq!(get(1, "reportable"), Field::Bool(true));
    }
}
