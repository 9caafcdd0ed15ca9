//! A query's rows as aligned columns, a JSON array of objects, or CSV (RFC 4180).

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::query::Answer;

/// What a NULL cell shows as in a table.
const NULL: &str = "NULL";

pub fn table(w: &mut dyn Write, a: &Answer) -> io::Result<()> {
    let cell = |c: &Option<String>| c.clone().unwrap_or_else(|| NULL.to_owned());
    let mut widths: Vec<usize> = a.columns.iter().map(|c| c.chars().count()).collect();
    for row in &a.rows {
        for (i, c) in row.iter().enumerate() {
            if let Some(wd) = widths.get_mut(i) {
                *wd = (*wd).max(cell(c).chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, wd)| format!("{c:<wd$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(w, "{}", line(a.columns.clone()))?;
    writeln!(
        w,
        "{}",
        line(widths.iter().map(|wd| "-".repeat(*wd)).collect())
    )?;
    for row in &a.rows {
        writeln!(w, "{}", line(row.iter().map(cell).collect()))?;
    }
    Ok(())
}

pub fn json(w: &mut dyn Write, a: &Answer) -> io::Result<()> {
    let rows: Vec<Value> = a
        .rows
        .iter()
        .map(|row| {
            let m: Map<String, Value> = a
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| (c.clone(), v.clone().map_or(Value::Null, Value::String)))
                .collect();
            Value::Object(m)
        })
        .collect();
    writeln!(w, "{:#}", Value::Array(rows))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn csv(w: &mut dyn Write, a: &Answer) -> io::Result<()> {
    let line = |cells: Vec<String>| cells.join(",");
    write!(
        w,
        "{}\r\n",
        line(a.columns.iter().map(|c| csv_field(c)).collect())
    )?;
    for row in &a.rows {
        let cells = row
            .iter()
            .map(|c| c.as_deref().map(csv_field).unwrap_or_default())
            .collect();
        write!(w, "{}\r\n", line(cells))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> Answer {
        Answer {
            columns: vec!["eventname".into(), "n".into()],
            rows: vec![
                vec![Some("DeleteTable".into()), Some("3".into())],
                vec![Some("say \"hi\", ok".into()), None],
            ],
            ..Answer::default()
        }
    }

    fn text(f: fn(&mut dyn Write, &Answer) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out, &answer()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rows_render_as_table_json_and_csv() {
        assert_eq!(
            text(table),
            "eventname     n\n------------  ----\nDeleteTable   3\nsay \"hi\", ok  NULL\n"
        );
        let j: Value = serde_json::from_str(&text(json)).unwrap();
        assert_eq!(j[1]["n"], Value::Null);
        assert_eq!(j[0]["eventname"], "DeleteTable");
        assert_eq!(
            text(csv),
            "eventname,n\r\nDeleteTable,3\r\n\"say \"\"hi\"\", ok\",\r\n"
        );
    }
}
