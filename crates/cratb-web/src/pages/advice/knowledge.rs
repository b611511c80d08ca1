//! The knowledge base: the region's closed cases with their answers, anonymised (no requester,
//! no place, an age band), searchable by words, infection site and question type.

use crate::AppState;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Catalogue as _;
use crate::input::Query;
use crate::pages::{Layout, Opt, PageResult, non_empty, options, render};
use askama::Template;
use axum::extract::State;
use cratb_advice::{InfectionSite, QuestionType};
use cratb_domain::Permission;
use serde::Deserialize;

/// A closed case, for people.
pub struct Card {
    pub year: i32,
    pub site: &'static str,
    pub question_type: &'static str,
    pub sector: &'static str,
    pub age_band: String,
    pub question: String,
    pub answer: String,
    pub recommendations: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "advice/knowledge.html")]
struct KnowledgePage {
    l: Layout,
    cards: Vec<Card>,
    q: String,
    sites: Vec<Opt>,
    questions: Vec<Opt>,
    can_ask: bool,
    can_answer: bool,
    can_stats: bool,
    can_rota: bool,
}

#[derive(Deserialize, Default)]
pub struct KnowledgeQuery {
    q: Option<String>,
    site: Option<String>,
    question_type: Option<String>,
    region: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<KnowledgeQuery>,
) -> PageResult {
    let lang = auth.lang;
    let (user, _) = auth.page_user()?;
    let region = super::stats::region_of(&auth, user, non_empty(&q.region))?;
    let access = crate::pages::region_access(&auth, &region)?;
    let site = non_empty(&q.site).and_then(|s| InfectionSite::parse(&s));
    let question = non_empty(&q.question_type).and_then(|s| QuestionType::parse(&s));
    let words = non_empty(&q.q);
    let found = cratb_app::advice::knowledge(&state.db, &access, words.as_deref(), site, question)
        .await
        .map_err(PageError::app(lang))?;
    Ok(render(&KnowledgePage {
        l: Layout::new(&auth, lang.tr().advice_knowledge),
        cards: found
            .into_iter()
            .map(|k| Card {
                year: k.year,
                site: k.site.label(lang),
                question_type: k.question_type.label(lang),
                sector: k.sector.label(lang),
                age_band: k.age_band.unwrap_or_default(),
                question: k.question,
                answer: k.answer,
                recommendations: k.recommendations.iter().map(|r| r.label(lang)).collect(),
            })
            .collect(),
        q: words.unwrap_or_default(),
        sites: options(
            InfectionSite::ALL.iter().map(|s| (s.code(), s.label(lang))),
            site.map_or("", |s| s.code()),
        ),
        questions: options(
            QuestionType::ALL.iter().map(|s| (s.code(), s.label(lang))),
            question.map_or("", |s| s.code()),
        ),
        can_ask: auth.can(Permission::AskAdvice),
        can_answer: auth.can(Permission::AnswerAdvice),
        can_stats: auth.can(Permission::ViewAdviceStats),
        can_rota: auth.can(Permission::EditTeam),
    }))
}
