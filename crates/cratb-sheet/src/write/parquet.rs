//! Parquet out, written column by column with the `parquet` crate's low-level writer (no
//! Arrow), in one row group.

use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::{Cell, ParquetColumn, ParquetType, Table, WriteError};

/// The table as a Parquet file: a schema named after the table, a column per header name typed
/// by `columns` (text as UTF-8 byte arrays, figures as the value their text shows). A cell its
/// column cannot hold is an error, as is an empty cell in a required column.
pub fn parquet(table: &Table, columns: &[ParquetColumn]) -> Result<Vec<u8>, WriteError> {
    assert_eq!(
        table.header.len(),
        columns.len(),
        "a Parquet column for each column of the table"
    );
    let mut fields = Vec::with_capacity(columns.len());
    for (name, column) in table.header.iter().zip(columns) {
        let (physical, logical) = match column.kind {
            ParquetType::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            ParquetType::Int32 => (Physical::INT32, None),
            ParquetType::Double => (Physical::DOUBLE, None),
            ParquetType::Bool => (Physical::BOOLEAN, None),
        };
        let repetition = if column.optional {
            Repetition::OPTIONAL
        } else {
            Repetition::REQUIRED
        };
        let field = Type::primitive_type_builder(name, physical)
            .with_repetition(repetition)
            .with_logical_type(logical)
            .build()?;
        fields.push(Arc::new(field));
    }
    let schema = Arc::new(
        Type::group_type_builder(&table.name)
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
    let mut index = 0;
    while let Some(mut column_writer) = group.next_column()? {
        let column = columns[index];
        // The definition level of each row (1 = a value) when the column is optional.
        let mut levels = Vec::new();
        let mut present: Vec<(usize, &Cell)> = Vec::with_capacity(table.rows.len());
        for (row, cells) in table.rows.iter().enumerate() {
            let cell = cells.get(index).unwrap_or(&Cell::Empty);
            let blank = match cell {
                Cell::Empty => true,
                Cell::Number(x, _) => !x.is_finite(),
                _ => false,
            };
            if column.optional {
                levels.push(i16::from(!blank));
                if blank {
                    continue;
                }
            }
            // A blank cell of a required column is refused below, as the wrong kind of cell.
            present.push((row, cell));
        }
        let levels = column.optional.then_some(levels.as_slice());
        let wrong = |row: usize, cell: &Cell| WriteError::Column {
            column: table.header[index].clone(),
            row,
            found: cell.clone(),
            expected: column,
        };
        match column.kind {
            ParquetType::Text => {
                let values = present
                    .iter()
                    .map(|&(row, cell)| match cell {
                        Cell::Text(t) => Ok(ByteArray::from(t.as_bytes().to_vec())),
                        _ => Err(wrong(row, cell)),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                column_writer
                    .typed::<ByteArrayType>()
                    .write_batch(&values, levels, None)?;
            }
            ParquetType::Int32 => {
                let values = present
                    .iter()
                    .map(|&(row, cell)| match cell {
                        Cell::Integer(n) => i32::try_from(*n).map_err(|_| wrong(row, cell)),
                        _ => Err(wrong(row, cell)),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                column_writer
                    .typed::<Int32Type>()
                    .write_batch(&values, levels, None)?;
            }
            ParquetType::Double => {
                let values = present
                    .iter()
                    .map(|&(row, cell)| cell.number().ok_or_else(|| wrong(row, cell)))
                    .collect::<Result<Vec<_>, _>>()?;
                column_writer
                    .typed::<DoubleType>()
                    .write_batch(&values, levels, None)?;
            }
            ParquetType::Bool => {
                let values = present
                    .iter()
                    .map(|&(row, cell)| match cell {
                        Cell::Bool(b) => Ok(*b),
                        _ => Err(wrong(row, cell)),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                column_writer
                    .typed::<BoolType>()
                    .write_batch(&values, levels, None)?;
            }
        }
        column_writer.close()?;
        index += 1;
    }
    group.close()?;
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    use super::super::Decimals;
    use super::*;

    #[test]
    fn typed_columns_read_back_and_wrong_cells_are_refused() {
        let table = Table::new(
            "t",
            ["name", "n", "x", "ok"],
            vec![
                vec![
                    "a".into(),
                    Cell::Integer(3),
                    Cell::Number(72.46, Decimals::Fixed(1)),
                    Cell::Bool(true),
                ],
                vec![
                    Cell::Empty,
                    Cell::Integer(-1),
                    Cell::Number(f64::NAN, Decimals::Fixed(1)),
                    Cell::Bool(false),
                ],
            ],
        );
        let columns = [
            ParquetColumn::optional(ParquetType::Text),
            ParquetColumn::required(ParquetType::Int32),
            ParquetColumn::optional(ParquetType::Double),
            ParquetColumn::required(ParquetType::Bool),
        ];
        let bytes = parquet(&table, &columns).unwrap();
        let path =
            std::env::temp_dir().join(format!("cratb-sheet-test-{}.parquet", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let reader = SerializedFileReader::try_from(path.as_path()).unwrap();
        let rows: Vec<Vec<Field>> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| {
                r.unwrap()
                    .get_column_iter()
                    .map(|(_, f)| f.clone())
                    .collect()
            })
            .collect();
        std::fs::remove_file(&path).ok();
        assert_eq!(
            rows,
            [
                vec![
                    Field::Str("a".into()),
                    Field::Int(3),
                    Field::Double(72.5),
                    Field::Bool(true)
                ],
                vec![Field::Null, Field::Int(-1), Field::Null, Field::Bool(false)],
            ]
        );

        let mut text_in_a_count = table.clone();
        text_in_a_count.rows[1][1] = "x".into();
        let e = parquet(&text_in_a_count, &columns).unwrap_err();
        assert!(e.to_string().starts_with("colonne « n », ligne 1"), "{e}");
        let mut too_large = table.clone();
        too_large.rows[0][1] = Cell::Integer(1 << 40);
        assert!(parquet(&too_large, &columns).is_err());
        let required = [ParquetColumn::required(ParquetType::Text); 4];
        assert!(parquet(&table, &required).is_err());
    }
}
