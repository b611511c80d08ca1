//! The advice service as its people use it: a GP asks from a phone, the EMA member on duty is
//! told and answers on a tablet, the GP reads the answer and gives the day-7 follow-up in one
//! click, and the coordinator's statistics count the case.

use super::common::{TestApp, mails};
use super::{
    click, login, overflow, requested, screenshot, set_viewport, start_browser, text_of, type_into,
    wait_url,
};
use fantoccini::Locator;

const QUESTION: &str = "Cystite récidivante chez une patiente de 78 ans, ECBU : E. coli BLSE sensible à la fosfomycine et à la nitrofurantoïne. Quel traitement ?";

#[tokio::test]
async fn a_request_asked_on_a_phone_and_answered_in_chromium() {
    if !requested() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, c) = start_browser().await;

    // The GP, on a phone.
    set_viewport(&c, 390, 844).await;
    login(&c, &app, "medecin@demo.cratb.fr").await;
    c.goto(&app.url("/advice/new")).await.unwrap();
    let notice = text_of(&c, "#no-identity").await;
    assert!(notice.contains("nom"), "{notice}");
    screenshot(&c, "advice-new-phone").await;
    let (over, worst) = overflow(&c).await;
    assert!(
        over <= 0,
        "the form fits a phone: {over} px too wide ({worst})"
    );
    click(&c, "input[name=sector][value=VILLE]").await;
    type_into(&c, "age", "78").await;
    click(&c, "input[name=sex][value=F]").await;
    type_into(&c, "egfr", "42").await;
    for (id, value) in [("infection_site", "urinary"), ("question_type", "choice")] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }
    type_into(&c, "atc_1", "J01XX01").await;
    c.find(Locator::Id("route_1"))
        .await
        .unwrap()
        .select_by_value("oral")
        .await
        .unwrap();
    type_into(&c, "question", QUESTION).await;
    click(&c, "#advice-form button[type=submit]").await;
    wait_url(&c, "filed=1").await;
    let filed = text_of(&c, "#filed").await;
    assert!(
        filed.contains("Réponse attendue au plus tard le"),
        "{filed}"
    );
    let title = text_of(&c, "h1").await;
    assert!(title.contains("AV-"), "the reference is given: {title}");
    let url = c.current_url().await.unwrap();
    let case_path = url.path().to_string();
    screenshot(&c, "advice-filed-phone").await;
    let (over, worst) = overflow(&c).await;
    assert!(
        over <= 0,
        "the case fits a phone: {over} px too wide ({worst})"
    );

    // The member on duty was told by e-mail, without a word of the case.
    let sent = mails(&app.mail_dir);
    let to_answer: Vec<&String> = sent
        .iter()
        .filter(|m| m.contains("Nouvelle demande d'avis"))
        .collect();
    assert!(!to_answer.is_empty(), "the team is told: {sent:?}");
    for m in &sent {
        assert!(!m.contains("fosfomycine") && !m.contains("78 ans"), "{m}");
    }

    // The EMA member, on a tablet, answers.
    c.delete_all_cookies().await.unwrap();
    set_viewport(&c, 768, 1024).await;
    login(&c, &app, "ema@demo.cratb.fr").await;
    c.goto(&app.url("/advice")).await.unwrap();
    let queue = text_of(&c, "#requests").await;
    assert!(queue.contains("Infection urinaire"), "{queue}");
    screenshot(&c, "advice-queue-tablet").await;
    c.goto(&app.url(&case_path)).await.unwrap();
    let case = text_of(&c, "#cas").await;
    assert!(case.contains("Cystite récidivante"), "{case}");
    assert!(case.contains("fosfomycine"), "French drug names: {case}");
    type_into(
        &c,
        "body",
        "Fosfomycine-trométamol 3 g en dose unique ; pas de contrôle de l'ECBU si l'évolution est favorable.",
    )
    .await;
    click(&c, "input[name=recommendations][value=shorten]").await;
    click(&c, "#answer-form button[type=submit]").await;
    let thread = text_of(&c, "#fil").await;
    assert!(thread.contains("Fosfomycine-trométamol"), "{thread}");
    assert!(
        thread.contains("Raccourcir"),
        "the recommendation in French: {thread}"
    );
    screenshot(&c, "advice-answered-tablet").await;

    // The GP reads the answer and gives the follow-up in one click.
    c.delete_all_cookies().await.unwrap();
    set_viewport(&c, 390, 844).await;
    login(&c, &app, "medecin@demo.cratb.fr").await;
    c.goto(&app.url(&case_path)).await.unwrap();
    let thread = text_of(&c, "#fil").await;
    assert!(thread.contains("Fosfomycine-trométamol"), "{thread}");
    c.find(Locator::Id("outcome"))
        .await
        .unwrap()
        .select_by_value("cured")
        .await
        .unwrap();
    click(&c, "#follow-up-form button[value=followed]").await;
    let given = text_of(&c, "#follow-up-given").await;
    assert!(
        given.contains("Suivi") && given.contains("Guérison"),
        "{given}"
    );
    screenshot(&c, "advice-follow-up-phone").await;

    // The coordinator's statistics count it.
    c.delete_all_cookies().await.unwrap();
    set_viewport(&c, 1366, 900).await;
    login(&c, &app, "coordination@demo.cratb.fr").await;
    c.goto(&app.url("/advice/stats")).await.unwrap();
    let requests: i64 = text_of(&c, "#tile-requests")
        .await
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    assert!(requests >= 1, "{requests}");
    screenshot(&c, "advice-stats-laptop").await;
    set_viewport(&c, 390, 844).await;
    screenshot(&c, "advice-stats-phone").await;
}
