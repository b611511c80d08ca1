//! Which team a request goes to. First a team bound to the requester's establishment (by a
//! convention in force that includes advice, or because it is hosted there), then a team serving
//! the request's department and sector, then one serving the department in any sector; with
//! none, the request waits for the CRAtb staff of the region, who forward it.

use cratb_domain::Sector;

/// A team of the region as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    /// INSEE codes of the departments served.
    pub departments: Vec<String>,
    pub sectors: Vec<Sector>,
    /// The establishments it serves by a signed, unexpired convention that includes advice,
    /// and the one hosting it.
    pub establishments: Vec<i64>,
}

/// The team a request from `department`, `sector` and (optionally) `establishment` goes to;
/// among equals, the one serving the fewest departments (the closest), then the oldest.
pub fn route(
    candidates: &[Candidate],
    department: &str,
    sector: Sector,
    establishment: Option<i64>,
) -> Option<i64> {
    let serves = |c: &&Candidate| c.departments.iter().any(|d| d == department);
    let closest = |it: Vec<&Candidate>| {
        it.into_iter()
            .min_by_key(|c| (c.departments.len(), c.id))
            .map(|c| c.id)
    };
    if let Some(e) = establishment {
        let bound: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| c.establishments.contains(&e))
            .collect();
        if let Some(id) = closest(bound) {
            return Some(id);
        }
    }
    let same_sector: Vec<&Candidate> = candidates
        .iter()
        .filter(serves)
        .filter(|c| c.sectors.contains(&sector))
        .collect();
    closest(same_sector).or_else(|| closest(candidates.iter().filter(serves).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: i64, deps: &[&str], sectors: &[Sector], est: &[i64]) -> Candidate {
        Candidate {
            id,
            departments: deps.iter().map(|d| d.to_string()).collect(),
            sectors: sectors.to_vec(),
            establishments: est.to_vec(),
        }
    }

    #[test]
    fn convention_then_department_and_sector_then_department() {
        let teams = [
            team(1, &["69", "01", "42"], &[Sector::Es, Sector::Ems], &[100]),
            team(2, &["69"], &[Sector::Ville], &[]),
            team(3, &["38"], &[Sector::Es], &[200]),
        ];
        // The establishment's convention wins, even in another department.
        assert_eq!(route(&teams, "69", Sector::Es, Some(200)), Some(3));
        assert_eq!(route(&teams, "69", Sector::Ville, None), Some(2));
        assert_eq!(route(&teams, "01", Sector::Ems, Some(999)), Some(1));
        // Nobody serves primary care in the Ain: the team of the department takes it.
        assert_eq!(route(&teams, "01", Sector::Ville, None), Some(1));
        // Nobody serves the Loire-Atlantique.
        assert_eq!(route(&teams, "44", Sector::Es, None), None);
        // The closest of two teams serving the same place.
        let both = [
            team(4, &["69", "01"], &[Sector::Es], &[]),
            team(5, &["69"], &[Sector::Es], &[]),
        ];
        assert_eq!(route(&both, "69", Sector::Es, None), Some(5));
    }
}
