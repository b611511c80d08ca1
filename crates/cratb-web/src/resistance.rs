//! Resistance surveillance served from memory: each region's isolates are held by
//! [`crate::cache`] as a [`RegionData`] (`cratb-resistance`), reloaded after an import. Here: the
//! filters as a request gives them, and the region a request is about.

use crate::input::{Bounded, Id, Year};
use cratb_store::{Db, StoreError};
use serde::Deserialize;

pub use cratb_resistance::{AlertKind, AlertRow, Column, RegionData, TrendPoint};

/// The filters of the antibiogram page, its exports and the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// Region (INSEE code); national users only, others always see their own.
    pub region: Option<String>,
    /// First year included (specimen date).
    #[param(inline)]
    pub year_from: Option<Year>,
    /// Last year included.
    #[param(inline)]
    pub year_to: Option<Year>,
    /// Establishment id.
    #[param(inline)]
    pub establishment: Option<Id>,
    /// `ES`, `EMS` or `VILLE`.
    pub sector: Option<String>,
    /// Specimen type as imported (`urine`, `blood`…).
    pub specimen: Option<String>,
    /// Ward type as imported (`icu`, `medicine`…).
    pub ward_type: Option<String>,
    /// `true` (default): only first isolates (CLSI M39); `false`: every isolate.
    pub first_isolates: Option<String>,
    /// Minimum number of categorised isolates for a percentage to be reported (default 30).
    #[param(inline)]
    pub min_isolates: Option<Bounded<1, 10_000>>,
}

impl Filter {
    /// What the analysis keeps.
    pub fn analysis(&self) -> cratb_resistance::Filter {
        cratb_resistance::Filter {
            year_from: self.year_from.map(Year::get),
            year_to: self.year_to.map(Year::get),
            establishment: self.establishment.map(|e| e.get()),
            sector: self.sector.clone(),
            specimen: self.specimen.clone(),
            ward_type: self.ward_type.clone(),
            every_isolate: self
                .first_isolates
                .as_deref()
                .is_some_and(|v| matches!(v, "false" | "0" | "off" | "non")),
            min_isolates: self.min_isolates.map(|n| n.get() as u32),
        }
    }
    pub fn first_only(&self) -> bool {
        self.analysis().first_only()
    }
    pub fn min_isolates(&self) -> u32 {
        self.analysis().min_isolates()
    }
    /// A readable summary for the audit log.
    pub fn summary(&self) -> String {
        self.analysis().summary()
    }
}

/// The region a request is about, one rule for pages, exports and the API
/// ([`cratb_app::policy::analysis_region`]: for a national account without one, the first
/// region holding isolates). `None`: the region asked for does not exist.
pub async fn region_for(
    db: &Db,
    scope: &cratb_domain::Scope,
    asked: Option<&str>,
    own: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let with_data = if cratb_app::policy::needs_regions_with_data(scope, own, asked) {
        cratb_store::resistance::regions_with_isolates(db, scope).await?
    } else {
        Vec::new()
    };
    Ok(cratb_app::policy::analysis_region(
        scope, own, asked, &with_data,
    ))
}

impl crate::cache::Regional for RegionData {
    type Stamp = (i64, i64);
    const WHAT: &'static str = "isolates";

    async fn stamp(db: &Db, region: &str) -> Result<(i64, i64), StoreError> {
        cratb_store::resistance::stamp(db, &crate::cache::shared(region)?).await
    }

    async fn load(db: &Db, region: &str) -> Result<RegionData, StoreError> {
        let access = crate::cache::shared(region)?;
        let data = cratb_store::resistance::load_dataset(db, &access).await?;
        let guidelines = cratb_store::resistance::guidelines(db, &access).await?;
        let guideline = if guidelines.is_empty() {
            cratb_amr::reference::DEFAULT_GUIDELINE.to_string()
        } else {
            guidelines.join(" + ")
        };
        tokio::task::spawn_blocking(move || RegionData::with_guideline(data, guideline))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}
