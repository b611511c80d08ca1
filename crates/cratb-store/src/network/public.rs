//! The regional centre's contact and the public "who do I ask?" lookup.

use super::teams::teams_where;
use crate::{Arg, Db, Filter, Result, StoreError, Tx, now, on_db, on_tx};
use cratb_directory::network::{Centre, PublicAnswer};
use cratb_domain::{RegionAccess, geo};

type CentreRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The centre of `region`, if its contact has been entered: public data.
async fn centre_of(db: &Db, region: &str) -> Result<Option<Centre>> {
    let row: Option<CentreRow> = on_db!(db, p => sqlx::query_as(
        "SELECT region_code, name, phone, email, website, address FROM regional_centres WHERE region_code = $1")
        .bind(region).fetch_optional(p).await)?;
    Ok(row.map(
        |(region_code, name, phone, email, website, address)| Centre {
            region_code,
            name,
            phone,
            email,
            website,
            address,
        },
    ))
}

/// A region's centre, if its contact has been entered.
pub async fn centre(db: &Db, access: &RegionAccess) -> Result<Option<Centre>> {
    centre_of(db, access.as_str()).await
}

/// Records the region's centre contact; a centre of another region is refused on `region`.
pub async fn set_centre(tx: &mut Tx, access: &RegionAccess, c: &Centre) -> Result<()> {
    if c.region_code != access.as_str() {
        return Err(StoreError::Invalid("region"));
    }
    on_tx!(tx, p => sqlx::query(
        "INSERT INTO regional_centres (region_code, name, phone, email, website, address, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (region_code) DO UPDATE SET name = excluded.name, phone = excluded.phone, email = excluded.email,
            website = excluded.website, address = excluded.address, updated_at = excluded.updated_at")
        .bind(&c.region_code).bind(&c.name).bind(&c.phone).bind(&c.email).bind(&c.website).bind(&c.address)
        .bind(now()).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The departments a search text designates: a postcode, a department code or name, or a
/// commune known to the directory (several departments when homonyms exist).
pub async fn places_for(db: &Db, text: &str) -> Result<Vec<&'static geo::Department>> {
    if let Some(d) = geo::find_department(text) {
        return Ok(vec![d]);
    }
    let folded = geo::fold(text);
    if folded.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let communes: Vec<(String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT DISTINCT commune, department_code FROM establishments WHERE commune IS NOT NULL")
        .fetch_all(p).await)?;
    let mut found: Vec<&'static geo::Department> = communes
        .iter()
        .filter(|(c, _)| geo::fold(c) == folded)
        .filter_map(|(_, d)| geo::department(d))
        .collect();
    found.sort_by_key(|d| d.code);
    found.dedup_by_key(|d| d.code);
    Ok(found)
}

/// The teams serving a department and the centre of its region, public fields only. Public
/// data, read for anyone: no region access is asked.
pub async fn public_answer(db: &Db, dep: &geo::Department) -> Result<PublicAnswer> {
    let mut f = Filter::default();
    f.push(
        "t.id IN (SELECT team_id FROM ema_team_departments WHERE department_code = ?)",
        [Arg::Text(dep.code.into())],
    );
    let teams = teams_where(db, &f).await?;
    Ok(PublicAnswer::new(
        dep,
        centre_of(db, dep.region).await?,
        teams,
    ))
}
