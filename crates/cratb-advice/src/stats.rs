//! The CRAtb's figures of the advice service: how many requests, how many answered, how soon
//! (the median and 90th percentile of the time to the first answer, the share answered within
//! the team's target), how often the advice was followed; by month, sector, profession,
//! department, infection site, site × question and recommendation.
//!
//! The caller chooses the requests (a region, a team, a year: [`in_year`]); [`compute`] counts
//! them in one pass and sorts each group's times once. Codes only: the pages and files label
//! them. Months and years are those of Paris.

use cratb_domain::paris::paris;
use cratb_domain::stats::quantile7;
use cratb_domain::{Profession, Sector};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::{Adherence, Counted, InfectionSite, QuestionType, Recommendation};

/// The advice service's figures over the requests given (the JSON of the API and of
/// `cratb advice stats`: its names are a contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdviceStats {
    pub requests: u64,
    /// Requests with a first answer.
    pub answered: u64,
    /// Median time to the first answer, in minutes of wall-clock time (answered requests).
    pub median_minutes: Option<f64>,
    /// 90th percentile of the time to the first answer, in minutes (R's type 7).
    pub p90_minutes: Option<f64>,
    /// Share (0–1) of the answered requests first answered at or before their due time; none
    /// when none was answered.
    pub within_target: Option<f64>,
    /// Share (0–1) of the requests with a day-7 follow-up whose advice was followed, wholly or
    /// in part; none without follow-up.
    pub followed_share: Option<f64>,
    /// Requests with a day-7 follow-up.
    pub follow_ups: u64,
    /// Months 1 to 12 of Paris, every one even when empty.
    pub by_month: Vec<MonthRow>,
    /// `ES`, `EMS`, `VILLE`, those with requests.
    pub by_sector: Vec<GroupRow>,
    /// Profession codes in their order, then `unknown`; those with requests.
    pub by_profession: Vec<GroupRow>,
    /// INSEE codes, sorted.
    pub by_department: Vec<GroupRow>,
    /// Infection sites in their order, those with requests.
    pub by_infection_site: Vec<GroupRow>,
    /// Site × question, the cells with requests, by site then question order.
    pub by_site_question: Vec<SiteQuestionRow>,
    /// How many requests had each recommendation among their answers, in the order of the
    /// recommendations, those given.
    pub by_recommendation: Vec<RecommendationRow>,
}

/// A month's figures (month of Paris, 1–12).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthRow {
    pub month: u8,
    pub requests: u64,
    pub answered: u64,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
    pub within_target: Option<f64>,
}

/// The figures of a group of requests (a sector, profession, department or infection site),
/// named by its code.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupRow {
    pub code: String,
    pub requests: u64,
    pub answered: u64,
    pub median_minutes: Option<f64>,
    pub within_target: Option<f64>,
    pub followed_share: Option<f64>,
}

/// How many requests asked a question type about an infection site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteQuestionRow {
    pub site: String,
    pub question: String,
    pub requests: u64,
}

/// How many requests had a recommendation among their answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationRow {
    pub code: String,
    pub requests: u64,
}

/// The profession code of the requests whose requester's profession is not known.
pub const UNKNOWN_PROFESSION: &str = "unknown";

/// The requests asked in `year` in Paris (one asked at 23:30 UTC on 31 December is of the next
/// year there).
pub fn in_year(records: &[Counted], year: i32) -> impl Iterator<Item = &Counted> {
    records
        .iter()
        .filter(move |r| paris(r.asked_at).year() == year)
}

/// Minutes of wall-clock time from the request to its first answer, if answered.
pub fn minutes_to_answer(r: &Counted) -> Option<f64> {
    r.first_answer_at
        .map(|a| (a - r.asked_at).as_seconds_f64() / 60.0)
}

/// The counts of a group of requests, its answer times kept to be sorted at the end.
#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    minutes: Vec<f64>,
    on_time: u64,
    follow_ups: u64,
    followed: u64,
}

impl Tally {
    fn add(&mut self, r: &Counted, minutes: Option<f64>) {
        self.requests += 1;
        if let (Some(m), Some(first)) = (minutes, r.first_answer_at) {
            self.minutes.push(m);
            self.on_time += u64::from(first <= r.due_at);
        }
        if let Some(a) = r.adherence {
            self.follow_ups += 1;
            self.followed += u64::from(matches!(a, Adherence::Followed | Adherence::Partly));
        }
    }

    /// Sorts the times; then the figures below may be read.
    fn sort(&mut self) {
        self.minutes.sort_unstable_by(f64::total_cmp);
    }

    fn answered(&self) -> u64 {
        self.minutes.len() as u64
    }

    fn quantile(&self, p: f64) -> Option<f64> {
        quantile7(&self.minutes, p)
    }

    fn within_target(&self) -> Option<f64> {
        share(self.on_time, self.answered())
    }

    fn followed_share(&self) -> Option<f64> {
        share(self.followed, self.follow_ups)
    }

    fn row(mut self, code: &str) -> GroupRow {
        self.sort();
        GroupRow {
            code: code.to_string(),
            requests: self.requests,
            answered: self.answered(),
            median_minutes: self.quantile(0.5),
            within_target: self.within_target(),
            followed_share: self.followed_share(),
        }
    }
}

/// `part / whole`, none when `whole` is zero.
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The position of `v` in `all` (the order of a code type).
fn index<T: PartialEq>(all: &[T], v: &T) -> usize {
    all.iter().position(|x| x == v).unwrap_or(0)
}

/// The figures of `records` (the caller has chosen them: region, team, year).
pub fn compute<'a>(records: impl IntoIterator<Item = &'a Counted>) -> AdviceStats {
    let mut all = Tally::default();
    let mut months: [Tally; 12] = Default::default();
    let mut sectors: Vec<Tally> = Sector::ALL.iter().map(|_| Tally::default()).collect();
    // Professions in their order, then the unknown.
    let mut professions: Vec<Tally> = (0..=Profession::ALL.len())
        .map(|_| Tally::default())
        .collect();
    let mut departments: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut sites: Vec<Tally> = InfectionSite::ALL
        .iter()
        .map(|_| Tally::default())
        .collect();
    let questions = QuestionType::ALL.len();
    let mut site_question = vec![0u64; InfectionSite::ALL.len() * questions];
    let mut recommendations = vec![0u64; Recommendation::ALL.len()];

    for r in records {
        let minutes = minutes_to_answer(r);
        all.add(r, minutes);
        let month = u8::from(paris(r.asked_at).month());
        months[usize::from(month - 1)].add(r, minutes);
        sectors[index(Sector::ALL, &r.sector)].add(r, minutes);
        let profession = r
            .profession
            .map_or(Profession::ALL.len(), |p| index(Profession::ALL, &p));
        professions[profession].add(r, minutes);
        departments
            .entry(r.department.as_str())
            .or_default()
            .add(r, minutes);
        let site = index(InfectionSite::ALL, &r.site);
        sites[site].add(r, minutes);
        site_question[site * questions + index(QuestionType::ALL, &r.question)] += 1;
        // A recommendation counts once per request, however many answers gave it.
        for (i, rec) in Recommendation::ALL.iter().enumerate() {
            if r.recommendations.contains(rec) {
                recommendations[i] += 1;
            }
        }
    }

    all.sort();
    let by_month = months
        .into_iter()
        .zip(1u8..)
        .map(|(mut t, month)| {
            t.sort();
            MonthRow {
                month,
                requests: t.requests,
                answered: t.answered(),
                median_minutes: t.quantile(0.5),
                p90_minutes: t.quantile(0.9),
                within_target: t.within_target(),
            }
        })
        .collect();
    let rows = |tallies: Vec<Tally>, code: &dyn Fn(usize) -> &'static str| -> Vec<GroupRow> {
        tallies
            .into_iter()
            .enumerate()
            .filter(|(_, t)| t.requests > 0)
            .map(|(i, t)| t.row(code(i)))
            .collect()
    };
    let by_sector = rows(sectors, &|i| Sector::ALL[i].code());
    let by_profession = rows(professions, &|i| {
        Profession::ALL
            .get(i)
            .map_or(UNKNOWN_PROFESSION, |p| p.code())
    });
    let by_infection_site = rows(sites, &|i| InfectionSite::ALL[i].code());
    let by_department = departments
        .into_iter()
        .map(|(code, t)| t.row(code))
        .collect();
    let by_site_question = site_question
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| SiteQuestionRow {
            site: InfectionSite::ALL[i / questions].code().to_string(),
            question: QuestionType::ALL[i % questions].code().to_string(),
            requests: *n,
        })
        .collect();
    let by_recommendation = recommendations
        .iter()
        .zip(Recommendation::ALL)
        .filter(|(n, _)| **n > 0)
        .map(|(n, rec)| RecommendationRow {
            code: rec.code().to_string(),
            requests: *n,
        })
        .collect();

    AdviceStats {
        requests: all.requests,
        answered: all.answered(),
        median_minutes: all.quantile(0.5),
        p90_minutes: all.quantile(0.9),
        within_target: all.within_target(),
        followed_share: all.followed_share(),
        follow_ups: all.follow_ups,
        by_month,
        by_sector,
        by_profession,
        by_department,
        by_infection_site,
        by_site_question,
        by_recommendation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    macro_rules! assert_close {
        ($a:expr, $b:expr) => {
            assert!(close($a, $b), "{:?} is not {}", $a, $b)
        };
    }

    #[allow(clippy::too_many_arguments)]
    fn request(
        asked_at: OffsetDateTime,
        answer_after: Option<Duration>,
        due_after: Duration,
        sector: Sector,
        profession: Option<Profession>,
        department: &str,
        site: InfectionSite,
        question: QuestionType,
        recommendations: &[Recommendation],
        adherence: Option<Adherence>,
    ) -> Counted {
        Counted {
            asked_at,
            first_answer_at: answer_after.map(|d| asked_at + d),
            due_at: asked_at + due_after,
            team_id: Some(1),
            sector,
            profession,
            department: department.to_string(),
            site,
            question,
            recommendations: recommendations.to_vec(),
            adherence,
        }
    }

    /// Five requests whose figures are worked out by hand in the tests below.
    fn five() -> Vec<Counted> {
        use InfectionSite::*;
        use QuestionType::*;
        use Recommendation::*;
        let min = time::Duration::minutes;
        vec![
            // On time (30 min for 60); its answers gave "switch" twice.
            request(
                datetime!(2026-01-10 09:00 UTC),
                Some(min(30)),
                min(60),
                Sector::Es,
                Some(Profession::Gp),
                "69",
                Urinary,
                Choice,
                &[Switch, Shorten, Switch],
                Some(Adherence::Followed),
            ),
            // Late: 90 min 30 s for 60.
            request(
                datetime!(2026-01-20 10:00 UTC),
                Some(min(90) + time::Duration::seconds(30)),
                min(60),
                Sector::Es,
                Some(Profession::Pharmacist),
                "01",
                Urinary,
                Duration,
                &[Shorten],
                Some(Adherence::NotFollowed),
            ),
            // Answered exactly when due: within the target.
            request(
                datetime!(2026-03-05 08:00 UTC),
                Some(min(45)),
                min(45),
                Sector::Ville,
                Some(Profession::Gp),
                "69",
                Bloodstream,
                Choice,
                &[Start],
                Some(Adherence::Partly),
            ),
            // Not answered, profession unknown.
            request(
                datetime!(2026-06-01 12:00 UTC),
                None,
                min(60),
                Sector::Ems,
                None,
                "38",
                Urinary,
                Choice,
                &[],
                None,
            ),
            // 23:30 UTC on 31 December 2026 is 00:30 on 1 January 2027 in Paris: January.
            request(
                datetime!(2026-12-31 23:30 UTC),
                Some(min(10)),
                min(60),
                Sector::Ville,
                Some(Profession::Gp),
                "69",
                Urinary,
                Choice,
                &[Switch],
                None,
            ),
        ]
    }

    #[test]
    fn the_whole_is_counted_by_hand() {
        let s = compute(&five());
        assert_eq!(s.requests, 5);
        assert_eq!(s.answered, 4);
        // Sorted minutes: 10, 30, 45, 90.5.
        // Median: h = 1.5, 30 + 0.5 × 15 = 37.5.
        assert_close!(s.median_minutes, 37.5);
        // p90: h = 3 × 0.9 = 2.7, 45 + 0.7 × 45.5 = 76.85.
        assert_close!(s.p90_minutes, 76.85);
        // Three of the four answered within their target (one of them exactly when due).
        assert_close!(s.within_target, 0.75);
        // Three follow-ups: followed, not followed, partly.
        assert_eq!(s.follow_ups, 3);
        assert_close!(s.followed_share, 2.0 / 3.0);
    }

    #[test]
    fn months_are_those_of_paris_and_all_twelve_are_there() {
        let s = compute(&five());
        assert_eq!(
            s.by_month.iter().map(|m| m.month).collect::<Vec<_>>(),
            (1..=12).collect::<Vec<u8>>()
        );
        let jan = &s.by_month[0];
        // 10 January, 20 January and 1 January 2027 in Paris.
        assert_eq!((jan.requests, jan.answered), (3, 3));
        // 10, 30, 90.5: median 30; p90 h = 1.8, 30 + 0.8 × 60.5 = 78.4.
        assert_close!(jan.median_minutes, 30.0);
        assert_close!(jan.p90_minutes, 78.4);
        assert_close!(jan.within_target, 2.0 / 3.0);
        let march = &s.by_month[2];
        assert_eq!((march.requests, march.answered), (1, 1));
        assert_close!(march.median_minutes, 45.0);
        assert_close!(march.p90_minutes, 45.0);
        assert_close!(march.within_target, 1.0);
        let june = &s.by_month[5];
        assert_eq!((june.requests, june.answered), (1, 0));
        assert_eq!(
            (june.median_minutes, june.p90_minutes, june.within_target),
            (None, None, None)
        );
        for m in [1, 3, 4, 6, 7, 8, 9, 10, 11] {
            assert_eq!(s.by_month[m].requests, 0);
            assert_eq!(s.by_month[m].median_minutes, None);
        }
        assert_eq!(
            s.by_month[11].requests, 0,
            "not December: it is January in Paris"
        );
    }

    fn row(rows: &[GroupRow], code: &str) -> GroupRow {
        rows.iter()
            .find(|r| r.code == code)
            .unwrap_or_else(|| panic!("no row {code}"))
            .clone()
    }

    #[test]
    fn sectors_in_their_order_with_their_figures() {
        let s = compute(&five());
        let codes: Vec<_> = s.by_sector.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["ES", "EMS", "VILLE"]);
        let es = row(&s.by_sector, "ES");
        assert_eq!((es.requests, es.answered), (2, 2));
        // 30 and 90.5.
        assert_close!(es.median_minutes, 60.25);
        assert_close!(es.within_target, 0.5);
        assert_close!(es.followed_share, 0.5);
        let ems = row(&s.by_sector, "EMS");
        assert_eq!((ems.requests, ems.answered), (1, 0));
        assert_eq!(
            (ems.median_minutes, ems.within_target, ems.followed_share),
            (None, None, None)
        );
        let ville = row(&s.by_sector, "VILLE");
        assert_eq!((ville.requests, ville.answered), (2, 2));
        // 10 and 45.
        assert_close!(ville.median_minutes, 27.5);
        assert_close!(ville.within_target, 1.0);
        // One follow-up, partly followed.
        assert_close!(ville.followed_share, 1.0);

        // Only the sectors present.
        let only_es = compute(&five()[..2]);
        assert_eq!(only_es.by_sector.len(), 1);
        assert_eq!(only_es.by_sector[0].code, "ES");
    }

    #[test]
    fn professions_departments_and_sites() {
        let s = compute(&five());
        let codes: Vec<_> = s.by_profession.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["pharmacist", "gp", "unknown"]);
        let gp = row(&s.by_profession, "gp");
        assert_eq!((gp.requests, gp.answered), (3, 3));
        assert_close!(gp.median_minutes, 30.0);
        assert_close!(gp.within_target, 1.0);
        assert_close!(gp.followed_share, 1.0);
        let pharmacist = row(&s.by_profession, "pharmacist");
        assert_close!(pharmacist.median_minutes, 90.5);
        assert_close!(pharmacist.within_target, 0.0);
        assert_close!(pharmacist.followed_share, 0.0);
        let unknown = row(&s.by_profession, "unknown");
        assert_eq!((unknown.requests, unknown.answered), (1, 0));

        let codes: Vec<_> = s.by_department.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["01", "38", "69"]);
        assert_eq!(
            row(&s.by_department, "69"),
            GroupRow {
                code: "69".into(),
                ..gp
            }
        );

        let codes: Vec<_> = s
            .by_infection_site
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(codes, ["urinary", "bloodstream"]);
        let urinary = row(&s.by_infection_site, "urinary");
        assert_eq!((urinary.requests, urinary.answered), (4, 3));
        // 10, 30, 90.5.
        assert_close!(urinary.median_minutes, 30.0);
        assert_close!(urinary.within_target, 2.0 / 3.0);
        // Followed and not followed.
        assert_close!(urinary.followed_share, 0.5);
        let blood = row(&s.by_infection_site, "bloodstream");
        assert_eq!((blood.requests, blood.answered), (1, 1));
        assert_close!(blood.median_minutes, 45.0);
    }

    #[test]
    fn site_by_question_and_recommendations() {
        let s = compute(&five());
        let cells: Vec<_> = s
            .by_site_question
            .iter()
            .map(|r| (r.site.as_str(), r.question.as_str(), r.requests))
            .collect();
        assert_eq!(
            cells,
            [
                ("urinary", "choice", 3),
                ("urinary", "duration", 1),
                ("bloodstream", "choice", 1)
            ]
        );
        let recs: Vec<_> = s
            .by_recommendation
            .iter()
            .map(|r| (r.code.as_str(), r.requests))
            .collect();
        // "switch" given twice to one request counts once.
        assert_eq!(recs, [("start", 1), ("switch", 2), ("shorten", 2)]);
    }

    #[test]
    fn nothing_to_count() {
        let s = compute(&[]);
        assert_eq!((s.requests, s.answered, s.follow_ups), (0, 0, 0));
        assert_eq!(
            (
                s.median_minutes,
                s.p90_minutes,
                s.within_target,
                s.followed_share
            ),
            (None, None, None, None)
        );
        assert_eq!(s.by_month.len(), 12);
        assert!(s.by_month.iter().all(|m| m.requests == 0));
        assert!(s.by_sector.is_empty() && s.by_profession.is_empty());
        assert!(s.by_department.is_empty() && s.by_infection_site.is_empty());
        assert!(s.by_site_question.is_empty() && s.by_recommendation.is_empty());
    }

    #[test]
    fn a_year_is_that_of_paris() {
        let mut records = five();
        records.push(request(
            datetime!(2025-12-31 23:30 UTC),
            None,
            Duration::hours(1),
            Sector::Es,
            None,
            "69",
            InfectionSite::Other,
            QuestionType::Other,
            &[],
            None,
        ));
        let in_2026: Vec<_> = in_year(&records, 2026).map(|r| r.asked_at).collect();
        assert_eq!(
            in_2026,
            [
                datetime!(2026-01-10 09:00 UTC),
                datetime!(2026-01-20 10:00 UTC),
                datetime!(2026-03-05 08:00 UTC),
                datetime!(2026-06-01 12:00 UTC),
                // 00:30 on 1 January 2026 in Paris.
                datetime!(2025-12-31 23:30 UTC),
            ]
        );
        let in_2027: Vec<_> = in_year(&records, 2027).map(|r| r.asked_at).collect();
        assert_eq!(in_2027, [datetime!(2026-12-31 23:30 UTC)]);
        assert_eq!(compute(in_year(&records, 2026)).requests, 5);
    }

    #[test]
    fn the_json_names_are_the_contract() {
        let json = serde_json::to_value(compute(&five())).expect("serialisable");
        let mut keys: Vec<_> = json
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        let mut expected = [
            "requests",
            "answered",
            "median_minutes",
            "p90_minutes",
            "within_target",
            "followed_share",
            "follow_ups",
            "by_month",
            "by_sector",
            "by_profession",
            "by_department",
            "by_infection_site",
            "by_site_question",
            "by_recommendation",
        ]
        .map(String::from);
        keys.sort();
        expected.sort();
        assert_eq!(keys, expected);
        assert_eq!(
            json["by_month"][5],
            serde_json::json!({"month": 6, "requests": 1, "answered": 0, "median_minutes": null,
                "p90_minutes": null, "within_target": null})
        );
        assert_eq!(
            json["by_department"][0],
            serde_json::json!({"code": "01", "requests": 1, "answered": 1, "median_minutes": 90.5,
                "within_target": 0.0, "followed_share": 0.0})
        );
        assert_eq!(
            json["by_site_question"][1],
            serde_json::json!({"site": "urinary", "question": "duration", "requests": 1})
        );
        assert_eq!(
            json["by_recommendation"][0],
            serde_json::json!({"code": "start", "requests": 1})
        );
        assert_eq!(json["within_target"], serde_json::json!(0.75));
        assert_eq!(compute(&[]).median_minutes, None);
        assert_eq!(
            serde_json::to_value(compute(&[])).expect("serialisable")["median_minutes"],
            serde_json::Value::Null
        );
    }
}
