//! Resistance surveillance served from memory: each region's isolates are held by
//! [`crate::cache`] as a [`RegionData`] (`cratb-resistance`), reloaded after an import. Here: the
//! filters as a request gives them. The region a request is about is
//! [`cratb_app::resistance::analysis_region`].

use crate::input::{Bounded, Id, Year};
use cratb_app::AppError;
use cratb_domain::{Scope, Threshold, User, Visibility};
use cratb_store::{Db, StoreError};
use serde::Deserialize;

pub use cratb_resistance::{Column, RegionData, TrendPoint};

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
    /// Minimum number of categorised isolates for a percentage to be reported: the region's
    /// floor by default (30 unless its coordinator set another), raised to it when below, and
    /// never below 10 for the roles that see no establishment by name.
    #[param(inline)]
    pub min_isolates: Option<Bounded<1, 10_000>>,
    /// `include` (default): EUCAST expected resistant phenotypes (intrinsic resistance, e.g.
    /// *Klebsiella pneumoniae* × amoxicillin) read R whatever the laboratory's result, their
    /// rows flagged `intrinsic_resistance`; `ignore`: the laboratory's results as interpreted.
    #[param(inline)]
    pub intrinsic: Option<Intrinsic>,
}

/// Whether an analysis applies the EUCAST expected resistant phenotypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Intrinsic {
    /// Expected resistant phenotypes read R (the default).
    #[default]
    Include,
    /// The laboratory's results as interpreted.
    Ignore,
}

impl Filter {
    /// What the analysis keeps, its rates reported over `threshold` isolates at least.
    pub fn analysis(&self, threshold: &Threshold) -> cratb_resistance::Filter {
        cratb_resistance::Filter {
            year_from: self.year_from.map(Year::get),
            year_to: self.year_to.map(Year::get),
            establishment: self.establishment.map(|e| e.get()),
            sector: self.sector.clone(),
            specimen: self.specimen.clone(),
            ward_type: self.ward_type.clone(),
            every_isolate: cratb_resistance::Filter::every_isolate_asked(
                self.first_isolates.as_deref(),
            ),
            min_isolates: Some(threshold.value),
            ignore_intrinsic: self.intrinsic == Some(Intrinsic::Ignore),
        }
    }

    /// The reporting threshold asked for.
    pub fn asked_min_isolates(&self) -> Option<u32> {
        self.min_isolates.map(|n| n.get() as u32)
    }
}

/// What a caller sees of a region's results: which establishments by name
/// ([`cratb_app::policy::visibility`]) and the reporting threshold of their request, raised to
/// the region's floor.
pub struct Seen {
    pub visibility: Visibility,
    pub threshold: Threshold,
}

impl Seen {
    /// What `user` sees of `region`'s results under the filters `f`.
    pub async fn of(
        db: &Db,
        user: &User,
        scope: &Scope,
        region: &str,
        f: &Filter,
    ) -> Result<Seen, AppError> {
        let access = scope.access(region).ok_or(AppError::NotFound)?;
        let visibility = cratb_app::policy::visibility(db, user, &access).await?;
        let floor = cratb_app::resistance::reporting_floor(db, &access).await?;
        let threshold = visibility.threshold(f.asked_min_isolates(), floor);
        Ok(Seen {
            visibility,
            threshold,
        })
    }

    /// Whether the filters ask for an establishment the caller may not see by name.
    pub fn refuses(&self, f: &Filter) -> bool {
        f.establishment
            .is_some_and(|e| !self.visibility.names(e.get()))
    }
}

/// Why a filter on an establishment is refused.
pub const ESTABLISHMENT_REFUSED: (&str, &str) = (
    "Vous ne pouvez pas consulter les résultats de cet établissement : votre rôle donne les résultats de la région, de ses départements et de ses GHT, et ceux de vos établissements.",
    "You cannot see this establishment's results: your role gives the results of the region, its departments and GHTs, and those of your establishments.",
);

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
        let guideline = RegionData::cited(&guidelines);
        tokio::task::spawn_blocking(move || RegionData::with_guideline(data, guideline))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}
