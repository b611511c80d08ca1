//! JSON out: a table's rows as objects.

use super::{Cell, Table};

/// Each row as an object of its header's names (see [`json_row`]). The table is taken: its texts
/// move into the objects.
pub fn json_rows(table: Table) -> Vec<serde_json::Value> {
    let header = table.header;
    table
        .rows
        .into_iter()
        .map(|row| json_row(&header, row))
        .collect()
}

/// A row as an object of the header's names: text as strings, numbers as numbers (a figure as
/// its text shows it), yes/no as booleans, empty cells as `null`.
pub fn json_row<S: AsRef<str>>(header: &[S], row: Vec<Cell>) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (name, cell) in header.iter().zip(row) {
        let value = match cell {
            Cell::Empty => serde_json::Value::Null,
            Cell::Text(t) => serde_json::Value::String(t),
            Cell::Integer(n) => serde_json::Value::from(n),
            Cell::Number(..) => cell
                .number()
                .map_or(serde_json::Value::Null, serde_json::Value::from),
            Cell::Bool(b) => serde_json::Value::Bool(b),
        };
        object.insert(name.as_ref().to_string(), value);
    }
    serde_json::Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::super::Decimals;
    use super::*;

    #[test]
    fn rows_as_objects() {
        let t = Table::new(
            "T",
            ["a", "n", "x", "whole", "ok", "none"],
            vec![vec![
                "".into(),
                Cell::Integer(11),
                Cell::Number(80.0, Decimals::Fixed(1)),
                Cell::Number(1234.0, Decimals::UnlessWhole(2)),
                Cell::Bool(true),
                Cell::Empty,
            ]],
        );
        let rows = json_rows(t);
        let shown = |name: &str| rows[0][name].to_string();
        assert_eq!(shown("a"), r#""""#);
        assert_eq!(shown("n"), "11");
        assert_eq!(shown("x"), "80.0");
        assert_eq!(shown("whole"), "1234.0");
        assert_eq!(shown("ok"), "true");
        assert_eq!(shown("none"), "null");
        let names: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
        assert_eq!(names.len(), 6);
    }
}
