//! Demo susceptibility results: a synthetic laboratory file from `cratb_amr::synth`, its
//! establishments replaced by the demo region's hospitals and nursing homes, imported through
//! the same path as a real upload (interpretation, pseudonymisation, one transaction).

use cratb_domain::Scope;
use cratb_sheet::write::{Csv, CsvWriter};
use cratb_store::resistance::{self, ImportRequest};
use cratb_store::{Db, StoreError};

/// Generates `isolates` synthetic isolates for `region` and imports them.
pub async fn import_isolates(
    db: &Db,
    region: &str,
    isolates: usize,
    seed: u64,
) -> Result<usize, StoreError> {
    let mut es = Vec::new();
    let mut ems = Vec::new();
    for (_, finess, sector) in resistance::establishment_keys(
        db,
        &Scope::National
            .access(region)
            .expect("a region of the country"),
    )
    .await?
    {
        match sector.as_str() {
            "ES" => es.push(finess),
            "EMS" => ems.push(finess),
            _ => {}
        }
    }
    let spec = cratb_amr::synth::Spec {
        isolates,
        patients: (isolates / 3).max(1),
        seed,
    };
    let file = cratb_amr::synth::generate(&spec);
    let bytes = localise(&file, &es, &ems);
    let request = ImportRequest {
        region_code: region.to_string(),
        establishment_id: None,
        filename: format!("demo-laboratoire-{region}.csv"),
        bytes,
        options: Default::default(),
        imported_by: None,
    };
    match resistance::import_file(db, &Scope::National, request, &|_| {}, None).await {
        Ok(outcome) => Ok(outcome.rows_imported),
        Err(resistance::ImportError::Store(e)) => Err(e),
        Err(resistance::ImportError::Invalid { problems, .. }) => {
            Err(StoreError::Unavailable(format!(
                "demo isolates refused: {:?}",
                problems.first().map(|p| p.message.clone())
            )))
        }
    }
}

/// Replaces the synthetic FINESS numbers by demo establishments of the same sector
/// (community laboratories keep no establishment).
fn localise(file: &[u8], es: &[String], ems: &[String]) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new().from_reader(file);
    let header = reader.byte_headers().expect("generated header").clone();
    let column = |name: &[u8]| {
        header
            .iter()
            .position(|h| h == name)
            .expect("generated column")
    };
    let (establishment, sector) = (column(b"establishment"), column(b"sector"));
    let mut writer = CsvWriter::with_capacity(Csv::COMMA, file.len());
    writer.byte_record(&header);
    let mut record = csv::ByteRecord::new();
    let mut out = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .expect("generated rows")
    {
        let key = record[establishment]
            .iter()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(*b as usize));
        let finess: &[u8] = match &record[sector] {
            b"ES" if !es.is_empty() => es[key % es.len()].as_bytes(),
            b"EMS" if !ems.is_empty() => ems[key % ems.len()].as_bytes(),
            _ => b"",
        };
        out.clear();
        for (i, field) in record.iter().enumerate() {
            out.push_field(if i == establishment { finess } else { field });
        }
        writer.byte_record(&out);
    }
    writer.finish()
}
