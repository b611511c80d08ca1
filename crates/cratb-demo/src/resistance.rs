//! Demo susceptibility results: a synthetic laboratory file ([`crate::laboratory`]: MICs drawn
//! species by species from realistic distributions) over the demo region's hospitals and
//! nursing homes, imported through the same path as a real upload (interpretation,
//! pseudonymisation, one transaction).

use cratb_domain::Scope;
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
    let bytes = crate::laboratory::generate(isolates, (isolates / 3).max(1), seed, &es, &ems);
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
