//! The interface's words in French (default) and English, as a typed catalogue: a missing
//! translation is a compile error, and templates read `tr.some_key`.

use axum::http::HeaderMap;

pub use cratb_domain::Lang;

/// The language from the `cratb_lang` cookie, else the first supported in `Accept-Language`, else French.
pub fn negotiate(cookie: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(l) = cookie.and_then(Lang::parse) {
        return l;
    }
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
        })
        .unwrap_or(Lang::Fr)
}

/// `n` followed by the singular or the plural of `forms` (`"fiche créée|fiches créées"`), by
/// the rule of `lang` (in French, 0 and 1 take the singular), the number with its thousands
/// apart: "1 fiche créée", "0 doublon", "2 fiches créées", "1 entry created".
pub fn counted(n: i64, forms: &str, lang: Lang) -> String {
    let number = cratb_report::format::thousands(n as f64, lang);
    format!("{number} {}", lang.plural(n, forms))
}

/// The interface's words in a language.
pub trait Catalogue {
    fn tr(self) -> &'static Tr;
}

impl Catalogue for Lang {
    fn tr(self) -> &'static Tr {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }
}

macro_rules! catalogue {
    ($( $key:ident : $fr:literal , $en:literal ;)*) => {
        /// Every piece of interface text.
        #[derive(Debug)]
        pub struct Tr { $( pub $key: &'static str, )* }
        /// French.
        pub const FR: Tr = Tr { $( $key: $fr, )* };
        /// English.
        pub const EN: Tr = Tr { $( $key: $en, )* };
    };
}

catalogue! {
    app_name: "cratb", "cratb";
    nav_resistance: "Antibiogrammes", "Antibiograms";
    nav_directory: "Annuaire", "Directory";
    mfa_title: "Double authentification", "Two-factor authentication";
    mfa_intro: "Après le mot de passe, un code à 6 chiffres affiché par une application d'authentification de votre téléphone (FreeOTP, Google Authenticator, Microsoft Authenticator…) est demandé.", "After the password, a 6-digit code shown by an authenticator app on your phone (FreeOTP, Google Authenticator, Microsoft Authenticator…) is asked.";
    mfa_on: "Activée", "On";
    mfa_off: "Non activée", "Off";
    mfa_must_enrol: "Votre compte doit utiliser la double authentification : activez-la pour continuer.", "Your account must use two-factor authentication: turn it on to continue.";
    mfa_required: "Obligatoire pour votre compte.", "Required for your account.";
    mfa_optional: "Facultative pour votre compte.", "Optional for your account.";
    mfa_demo_note: "Démonstration : la double authentification est facultative pour tous les rôles (elle est obligatoire en production pour les administrateurs, coordinateurs, data managers et biologistes).", "Demonstration: two-factor authentication is optional for every role (in production it is required of administrators, coordinators, data managers and laboratories).";
    mfa_start: "Activer la double authentification", "Turn on two-factor authentication";
    mfa_scan: "Scannez ce QR code avec votre application d'authentification, ou saisissez la clé à la main, puis donnez le code qu'elle affiche.", "Scan this QR code with your authenticator app, or type the key by hand, then give the code it shows.";
    mfa_qr_label: "QR code à scanner avec l'application d'authentification", "QR code to scan with the authenticator app";
    mfa_secret: "Clé à saisir à la main", "Key to type by hand";
    mfa_code: "Code à 6 chiffres", "6-digit code";
    mfa_confirm: "Confirmer", "Confirm";
    mfa_enrolled: "Double authentification activée.", "Two-factor authentication is on.";
    mfa_recovery_title: "Codes de secours", "Recovery codes";
    mfa_recovery_once: "Conservez ces codes en lieu sûr (imprimés, ou dans un gestionnaire de mots de passe) : ils ne seront plus affichés. Chacun remplace une fois le code de l'application si vous n'avez plus votre téléphone.", "Keep these codes somewhere safe (printed, or in a password manager): they will not be shown again. Each one stands in once for the app's code if you no longer have your phone.";
    mfa_recovery_left: "code de secours restant|codes de secours restants", "recovery code left|recovery codes left";
    mfa_recovery_used: "Vous vous êtes connecté avec un code de secours.", "You logged in with a recovery code.";
    mfa_regenerate: "Remplacer mes codes de secours", "Replace my recovery codes";
    mfa_disable: "Désactiver la double authentification", "Turn off two-factor authentication";
    mfa_disabled: "Double authentification désactivée.", "Two-factor authentication is off.";
    mfa_current_code: "Code actuel de l'application", "Current code from the app";
    login_mfa_title: "Code de vérification", "Verification code";
    login_mfa_intro: "Saisissez le code à 6 chiffres affiché par votre application d'authentification, ou l'un de vos codes de secours.", "Type the 6-digit code shown by your authenticator app, or one of your recovery codes.";
    login_mfa_code: "Code (ou code de secours)", "Code (or recovery code)";
    login_mfa_expired: "La connexion a expiré : saisissez de nouveau votre mot de passe.", "The login expired: type your password again.";
    mfa_column: "Double authentification", "Two-factor";
    mfa_reset: "Réinitialiser la double authentification", "Reset two-factor authentication";
    mfa_region_title: "Double authentification dans la région", "Two-factor authentication in the region";
    mfa_region_all: "Exigée pour tous les comptes de la région.", "Required for every account of the region.";
    mfa_region_roles: "Exigée pour les administrateurs, coordinateurs, data managers et biologistes ; facultative pour les autres comptes.", "Required of administrators, coordinators, data managers and laboratories; optional for the other accounts.";
    mfa_region_require: "L'exiger pour tous les comptes", "Require it of every account";
    mfa_region_unrequire: "Ne l'exiger que des rôles qui l'imposent", "Require it only of the roles that must";
    history: "Historique des modifications", "Change history";
    to_confirm: "À confirmer", "To confirm";
    network_roles: "Rôles dans le réseau", "Roles in the network";
    stale_filter: "Non confirmées depuis 12 mois", "Not confirmed for 12 months";
    last_confirmed: "Dernière confirmation", "Last confirmed";
    confirm_now: "Marquer comme confirmée aujourd'hui", "Mark as confirmed today";
    change: "Modification", "Change";
    restore: "Restaurer", "Restore";
    restore_confirm: "Remettre la fiche dans cet état ? La version actuelle reste dans l'historique.", "Put the entry back as it was then? The current version stays in the history.";
    new_professional: "Ajouter un professionnel", "Add a professional";
    professional_saved: "Professionnel ajouté à l'annuaire.", "Professional added to the directory.";
    professionals_found: "professionnel|professionnels", "professional|professionals";
    directory_search_hint: "nom, e-mail ou RPPS", "name, e-mail or RPPS";
    profession: "Profession", "Profession";
    last_name: "Nom", "Last name";
    first_name: "Prénom", "First name";
    rpps: "Numéro RPPS (11 chiffres, facultatif)", "RPPS number (11 digits, optional)";
    phone: "Téléphone", "Telephone";
    public_consent: "Accepte de figurer dans la recherche publique (par information)", "Agrees to appear in the public search (field by field)";
    res_title: "Antibiogramme cumulé", "Cumulative antibiogram";
    res_filters: "Filtres", "Filters";
    res_region: "Région", "Region";
    res_year_from: "De l'année", "From year";
    res_year_to: "À l'année", "To year";
    res_establishment: "Établissement", "Establishment";
    res_all: "Tous", "All";
    res_sector: "Secteur", "Sector";
    res_specimen: "Prélèvement", "Specimen";
    res_ward_type: "Type de service", "Ward type";
    res_isolates: "Isolats", "Isolates";
    res_first_only: "Premiers isolats (règle CLSI M39)", "First isolates (CLSI M39 rule)";
    res_all_isolates: "Tous les isolats", "All isolates";
    res_min_isolates: "Seuil de publication (isolats)", "Reporting threshold (isolates)";
    res_ignore_intrinsic: "Ne pas appliquer les résistances naturelles (EUCAST)", "Do not apply intrinsic resistance (EUCAST)";
    res_apply: "Appliquer", "Apply";
    res_export: "Exporter", "Export";
    res_organism: "Micro-organisme", "Organism";
    res_isolates_counted: "isolats comptés", "isolates counted";
    res_legend: "% sensible = (S + SDD + I) / (S + SDD + I + R), avec l'effectif entre parenthèses. Cases grisées : effectif sous le seuil de publication, pourcentage non interprétable.", "% susceptible = (S + SDD + I) / (S + SDD + I + R), with the count in brackets. Greyed cells: fewer isolates than the reporting threshold, percentage not interpretable.";
    res_no_data: "Aucun isolat pour ces filtres. Importez un fichier d'antibiogrammes ou élargissez les filtres.", "No isolate for these filters. Import a susceptibility file or widen the filters.";
    res_trend: "Évolution du pourcentage de sensibilité", "Trend of the share susceptible";
    res_antimicrobial: "Antibiotique", "Antimicrobial";
    res_show: "Afficher", "Show";
    res_interpretation: "Interprétation", "Interpretation";
    res_trend_empty: "Pas de données pour ce couple micro-organisme × antibiotique.", "No data for this organism × antimicrobial pair.";
    res_alerts_title: "Bactéries résistantes d'intérêt", "Resistant organisms of concern";
    res_alerts_intro: "Parmi les premiers isolats, par année : nombre d'isolats résistants sur isolats testés, pour la région et, selon votre rôle, par établissement nommé ou par département et GHT.", "Among first isolates, per year: resistant isolates over isolates tested, for the region and, as your role allows, per named establishment or per department and GHT.";
    res_place: "Lieu", "Place";
    res_distribution: "Autres établissements : min – Q1 – médiane – Q3 – max (%)", "Other establishments: min – Q1 – median – Q3 – max (%)";
    res_under_threshold: "— : moins d'isolats testés que le seuil de publication", "— : fewer isolates tested than the reporting threshold";
    res_threshold_raised: "Le seuil demandé est inférieur au plancher de la région : il a été relevé à", "The threshold asked for is below the region's floor: it was raised to";
    res_isolates_unit: "isolats", "isolates";
    res_settings_title: "Seuil de publication", "Reporting threshold";
    res_settings_intro: "Nombre minimal d'isolats testés pour qu'un pourcentage soit publié dans les antibiogrammes et les bactéries résistantes de la région. Une demande plus basse est relevée à ce plancher ; pour les prescripteurs et les laboratoires, il n'est jamais inférieur à 10.", "The least number of isolates tested for a percentage to be published in the region's antibiograms and resistant organisms. A lower request is raised to this floor; for prescribers and laboratories it is never below 10.";
    res_settings_floor: "Plancher (isolats, de 1 à 1000)", "Floor (isolates, 1 to 1000)";
    res_settings_saved: "Seuil de publication enregistré.", "Reporting threshold saved.";
    res_settings_current: "Plancher actuel", "Current floor";
    res_settings_default: "valeur par défaut", "default value";
    res_settings_set_by: "fixé par", "set by";
    imp_delete_refused: "Vous ne pouvez retirer que les imports de vos établissements ; les autres imports de la région sont retirés par le data manager ou le coordinateur du CRAtb.", "You may remove only the imports of your establishments; the region's other imports are removed by the CRAtb data manager or coordinator.";
    res_year: "Année", "Year";
    res_kind: "Résistance", "Resistance";
    res_resistant: "Résistants", "Resistant";
    res_tested: "Testés", "Tested";
    res_rate: "Taux", "Rate";
    res_no_establishment: "Sans établissement (ville)", "No establishment (community)";
    imp_title: "Imports d'antibiogrammes", "Susceptibility imports";
    imp_new: "Importer un fichier", "Import a file";
    imp_file: "Fichier (CSV ou XLSX)", "File (CSV or XLSX)";
    imp_for: "Établissement", "Establishment";
    imp_whole_region: "Toute la région (FINESS dans la colonne establishment)", "Whole region (FINESS in the establishment column)";
    imp_skip_invalid: "Importer les lignes valides et ignorer les autres (sinon : tout ou rien)", "Import the valid rows and skip the others (otherwise: all or nothing)";
    imp_uti: "Points critiques urinaires", "Urinary breakpoints";
    imp_uti_never: "Non : points critiques généraux", "No: general breakpoints";
    imp_uti_specimen: "Pour les prélèvements urinaires", "For urine specimens";
    imp_uti_always: "Pour tous les isolats", "For every isolate";
    imp_guideline: "Référentiel", "Guideline";
    imp_submit: "Importer", "Import";
    imp_pseudonym_note: "Les identifiants patients sont pseudonymisés à l'import (hachage à clé propre à cette installation) : l'identifiant en clair n'est jamais enregistré.", "Patient identifiers are pseudonymised on import (keyed hash specific to this installation): the clear identifier is never stored.";
    imp_format: "Une ligne par isolat : patient_id, date (AAAA-MM-JJ ou JJ/MM/AAAA), organism (nom, abréviation comme E. coli, ou code), puis par antibiotique une colonne CODE (S/I/R), CODE_mic (CMI en mg/L, opérateurs <= et >= admis) ou CODE_disk (diamètre en mm). Colonnes facultatives : isolate_id, specimen, ward, ward_type, establishment (FINESS), sector (ES/EMS/VILLE), age, sex. Séparateur , ou ; détecté.", "One row per isolate: patient_id, date (YYYY-MM-DD or DD/MM/YYYY), organism (name, abbreviation such as E. coli, or code), then per antimicrobial a CODE column (S/I/R), CODE_mic (MIC in mg/L, <= and >= allowed) or CODE_disk (zone in mm). Optional columns: isolate_id, specimen, ward, ward_type, establishment (FINESS), sector (ES/EMS/VILLE), age, sex. Separator , or ; detected.";
    imp_done: "Import terminé", "Import complete";
    imp_rejected: "Fichier refusé : rien n'a été importé. Corrigez les problèmes ci-dessous et recommencez.", "File refused: nothing was imported. Fix the problems below and try again.";
    imp_skipped_title: "Lignes ou valeurs ignorées", "Skipped rows or values";
    imp_line: "Ligne", "Line";
    imp_column: "Colonne", "Column";
    imp_value: "Valeur", "Value";
    imp_problem: "Problème", "Problem";
    imp_history: "Derniers imports", "Recent imports";
    imp_rows: "Lignes lues", "Rows read";
    imp_imported: "Importées", "Imported";
    imp_skipped: "Ignorées", "Skipped";
    imp_by: "Par", "By";
    imp_date: "Date", "Date";
    imp_more_problems: "autres problèmes non affichés", "more problems not shown";
    imp_uploading: "Envoi et vérification du fichier…", "Uploading and checking the file…";
    imp_no_file: "Choisissez un fichier CSV ou XLSX.", "Choose a CSV or XLSX file.";
    imp_delete: "Retirer", "Remove";
    imp_delete_confirm: "Retirer cet import et tous ses isolats ? Les antibiogrammes seront recalculés sans eux.", "Remove this import and all its isolates? Antibiograms will be recomputed without them.";
    imp_removed: "Import retiré", "Import removed";
    imp_isolates: "isolats", "isolates";

    app_tagline: "Centre régional en antibiothérapie", "Regional antibiotic-stewardship centre";
    skip_link: "Aller au contenu", "Skip to content";
    nav_home: "Accueil", "Home";
    nav_establishments: "Établissements", "Establishments";
    nav_territories: "Territoires", "Territories";
    nav_users: "Comptes", "Accounts";
    nav_audit: "Journal d'audit", "Audit log";
    nav_account: "Mon compte", "My account";
    nav_api: "API", "API";
    switch_lang: "English", "Français";
    logout: "Se déconnecter", "Log out";
    login_title: "Connexion", "Log in";
    login_intro: "Connectez-vous avec l'adresse e-mail de votre compte.", "Log in with your account's e-mail address.";
    email: "Adresse e-mail", "E-mail address";
    password: "Mot de passe", "Password";
    login_button: "Se connecter", "Log in";
    login_failed: "Adresse e-mail ou mot de passe incorrect.", "Wrong e-mail address or password.";
    login_throttled: "Trop de tentatives : réessayez dans quelques instants.", "Too many attempts: try again in a moment.";
    logged_out: "Vous êtes déconnecté.", "You are logged out.";
    forgot_link: "Mot de passe oublié ?", "Forgot your password?";
    forgot_title: "Mot de passe oublié", "Forgotten password";
    forgot_intro: "Indiquez l'adresse e-mail de votre compte : nous y enverrons un lien pour choisir un nouveau mot de passe (valable 24 heures, une seule fois).", "Give your account's e-mail address: we will send a link there to choose a new password (valid 24 hours, once).";
    forgot_button: "Recevoir le lien", "Send me the link";
    forgot_sent: "Si un compte actif correspond à cette adresse, un e-mail vient d'y être envoyé avec un lien valable 24 heures. Pensez à regarder dans les indésirables.", "If an active account has this address, an e-mail was just sent to it with a link valid 24 hours. Check your spam folder too.";
    back_to_login: "Retour à la connexion", "Back to log in";
    reset_title: "Choisir un mot de passe", "Choose a password";
    reset_intro: "Nouveau mot de passe du compte", "New password of the account";
    confirm_password: "Confirmez le mot de passe", "Confirm the password";
    passwords_differ: "Les deux saisies diffèrent.", "The two entries differ.";
    password_set: "Mot de passe enregistré : connectez-vous avec lui. Vos autres sessions et jetons d'API ont été fermés.", "Password saved: log in with it. Your other sessions and API tokens were closed.";
    home_title: "Aujourd'hui", "Today";
    home_hello: "Bonjour", "Hello";
    home_todo: "À faire", "To do";
    home_nothing_todo: "Rien d'urgent : tout est à jour.", "Nothing urgent: everything is up to date.";
    home_recent: "Activité récente", "Recent activity";
    home_network: "Votre réseau", "Your network";
    home_es_without_ght: "établissement de santé sans GHT renseigné|établissements de santé sans GHT renseigné", "hospital without a GHT|hospitals without a GHT";
    home_pending_corrections: "correction d'annuaire envoyée par lien, à approuver|corrections d'annuaire envoyées par lien, à approuver", "directory correction sent through a link, to approve|directory corrections sent through a link, to approve";
    home_stale_entries: "fiche de l'annuaire non confirmée depuis 12 mois|fiches de l'annuaire non confirmées depuis 12 mois", "directory entry not confirmed for 12 months|directory entries not confirmed for 12 months";
    home_expiring_conventions: "convention arrivant à échéance dans les 90 jours|conventions arrivant à échéance dans les 90 jours", "convention expiring within 90 days|conventions expiring within 90 days";
    home_incomplete_teams: "équipe EMA sans toutes les disciplines requises|équipes EMA sans toutes les disciplines requises", "EMA team lacking a required discipline|EMA teams lacking a required discipline";
    home_missing_beds: "établissement sans capacité (lits/places) renseignée|établissements sans capacité (lits/places) renseignée", "establishment without beds/places|establishments without beds/places";
    home_failed_logins: "échec de connexion sur 24 h|échecs de connexion sur 24 h", "failed login in 24 h|failed logins in 24 h";
    home_inactive_accounts: "compte désactivé|comptes désactivés", "disabled account|disabled accounts";
    home_places: "Vos établissements", "Your establishments";
    home_places_none: "Aucun établissement n'est rattaché à votre compte : demandez au CRAtb de vous y rattacher pour voir ses chiffres.", "No establishment is tied to your account: ask the regional centre to tie yours to see its figures.";
    home_place_consumption: "Sa consommation d'antibiotiques", "Its antibiotic consumption";
    home_place_report: "Son rapport de rétro-information (PDF)", "Its feedback report (PDF)";
    home_place_antibiogram: "Son antibiogramme", "Its antibiogram";
    home_primary: "Votre territoire en ville", "Your territory in primary care";
    home_primary_year: "Année", "Year";
    home_primary_partial: "année partielle", "partial year";
    home_primary_did: "Consommation (DDJ pour 1 000 habitants et par jour)", "Consumption (DDD per 1,000 inhabitants per day)";
    home_primary_prescriptions: "Prescriptions pour 1 000 habitants par an", "Prescriptions per 1,000 inhabitants per year";
    home_primary_target: "Cible nationale 2027 : au plus 650 prescriptions pour 1 000 habitants par an.", "National 2027 target: at most 650 prescriptions per 1,000 inhabitants per year.";
    home_primary_reached: "cible atteinte", "target reached";
    home_primary_above: "au-dessus de la cible de", "above the target by";
    home_primary_none: "Pas encore de données de ville pour votre région.", "No primary-care data for your region yet.";
    home_advice: "Un avis en antibiothérapie ?", "Need antibiotic advice?";
    home_advice_link: "Qui contacter : l'équipe de votre secteur et le CRAtb", "Who to ask: your area's team and the regional centre";
    home_your_role: "Votre rôle", "Your role";
    home_region: "Région", "Region";
    home_no_region: "Toutes les régions", "All regions";
    account_no_region: "Aucune (compte national)", "None (national account)";
    home_directory_hint: "Consultez l'annuaire des établissements de votre région.", "Browse your region's establishments.";
    home_tokens_hint: "Créez un jeton d'API pour relier vos outils à cratb.", "Create an API token to connect your tools to cratb.";
    sector: "Secteur", "Sector";
    category: "Catégorie", "Category";
    department: "Département", "Department";
    region: "Région", "Region";
    ght: "GHT", "GHT";
    beds: "Lits / places", "Beds / places";
    commune: "Commune", "Town";
    colon: " :", ":";
    camp_after: "Proposé", "Proposed";
    camp_approve: "Approuver", "Approve";
    camp_before: "Actuel", "Current";
    camp_confirm_intro: "Voici votre fiche dans l'annuaire régional du réseau de bon usage des antibiotiques. Vérifiez-la : si tout est exact, confirmez sans rien changer ; sinon, corrigez — le secrétariat du CRAtb validera vos corrections. Cochez ce qui peut apparaître dans la recherche publique.", "Here is your entry in the regional antibiotic stewardship directory. Check it: if all is right, confirm without changing anything; otherwise correct it — the CRAtb secretariat will approve your corrections. Tick what may appear in the public search.";
    camp_confirm_title: "Vérifier ma fiche de l'annuaire", "Check my directory entry";
    camp_failed: "échec d'envoi|échecs d'envoi", "sending failure|sending failures";
    camp_field: "Champ", "Field";
    camp_intro: "Une fois par an, chaque professionnel de l'annuaire reçoit un lien personnel, valable 30 jours et utilisable une fois, pour confirmer ou corriger sa fiche. Les confirmations sans changement sont enregistrées aussitôt ; les corrections attendent votre approbation ci-dessous.", "Once a year, every professional in the directory gets a personal link, valid 30 days and usable once, to confirm or correct their entry. Confirmations without change are recorded at once; corrections wait for your approval below.";
    camp_last: "Dernière campagne", "Last campaign";
    camp_link: "Lien", "Link";
    camp_links: "Liens à transmettre", "Links to pass on";
    camp_no_mail: "Aucun envoi d'e-mail n'est configuré (CRATB_SMTP_URL) : les liens seront affichés ici pour que vous les transmettiez.", "No e-mail sending is configured (CRATB_SMTP_URL): the links will be shown here for you to pass on.";
    camp_pending: "Corrections à approuver", "Corrections to approve";
    camp_recipients: "destinataires", "recipients";
    camp_recipients_now: "Professionnels ayant une adresse e-mail", "Professionals with an e-mail address";
    camp_reject: "Refuser", "Reject";
    camp_sent: "e-mail envoyé.|e-mails envoyés.", "e-mail sent.|e-mails sent.";
    camp_start: "Lancer la campagne de confirmation", "Start the confirmation campaign";
    camp_start_confirm: "Envoyer un lien à chaque professionnel de la région ? Les liens non utilisés d'une campagne précédente seront désactivés.", "Send a link to every professional of the region? Unused links of an earlier campaign will be disabled.";
    camp_submit: "Confirmer ma fiche", "Confirm my entry";
    camp_thanks_confirmed: "Merci : votre fiche est confirmée.", "Thank you: your entry is confirmed.";
    camp_thanks_submitted: "Merci : vos corrections ont été transmises au secrétariat du CRAtb, qui les validera.", "Thank you: your corrections were sent to the CRAtb secretariat, who will approve them.";
    camp_title: "Campagne de confirmation", "Confirmation campaign";
    camp_transport: "Envoi des e-mails", "E-mail sending";
    mail_no_public_url_title: "Envoi impossible : adresse publique non configurée", "Cannot send: no public address configured";
    mail_no_public_url: "Rien n'a été envoyé. L'adresse publique de l'application n'est pas configurée : l'administrateur du serveur doit définir CRATB_PUBLIC_URL (par exemple https://cratb.exemple.fr) puis redémarrer cratb. Sans elle, les liens des e-mails suivraient l'adresse donnée par la requête, qu'un tiers peut choisir.", "Nothing was sent. The application's public address is not configured: the server's administrator must set CRATB_PUBLIC_URL (for example https://cratb.example.org) and restart cratb. Without it, the links in e-mails would follow the address given by the request, which a third party can choose.";
    choose_region: "Choisissez une région.", "Choose a region.";
    dir_import: "Importer un tableur", "Import a spreadsheet";
    dir_import_all: "Tout ou rien : rien n'est importé si une ligne est invalide", "All or nothing: nothing is imported if a row is invalid";
    dir_import_apply: "Appliquer la correspondance", "Apply the mapping";
    dir_import_commit: "Importer", "Import";
    dir_import_created: "fiche créée|fiches créées", "entry created|entries created";
    dir_import_done: "Import terminé :", "Import done:";
    dir_import_duplicate: "doublon", "duplicate";
    dir_import_n_duplicate: "doublon|doublons", "duplicate|duplicates";
    dir_import_file: "Fichier CSV ou XLSX", "CSV or XLSX file";
    dir_import_intro: "Importez l'annuaire que vous tenez aujourd'hui dans un tableur : vous indiquerez à l'étape suivante quelle colonne correspond à quel champ, puis vous verrez, ligne par ligne, ce qui sera créé, mis à jour, ignoré comme doublon ou refusé, avant de confirmer.", "Import the directory you keep in a spreadsheet today: next you say which column is which field, then you see, row by row, what will be created, updated, skipped as a duplicate or refused, before confirming.";
    dir_import_invalid: "invalide", "invalid";
    dir_import_n_invalid: "invalide|invalides", "invalid|invalid";
    dir_import_line: "Ligne", "Line";
    dir_import_mapping: "Correspondance des colonnes", "Column mapping";
    dir_import_mode: "En cas de lignes invalides", "If some rows are invalid";
    dir_import_more: "autres lignes (nouvelles fiches) non affichées", "more rows (new entries) not shown";
    dir_import_ignored_columns: "Colonnes du fichier qui ne seront pas importées (choisissez un champ ci-dessus pour en garder une)", "Columns of the file that will not be imported (choose a field above to keep one)";
    dir_import_new: "nouvelle", "new";
    dir_import_n_new: "nouvelle|nouvelles", "new|new";
    dir_import_no_file: "Choisissez un fichier CSV ou XLSX.", "Choose a CSV or XLSX file.";
    dir_import_not_imported: "— non importé —", "— not imported —";
    dir_import_preview: "Aperçu", "Preview";
    dir_import_read: "Lire le fichier", "Read the file";
    dir_import_reason: "Motif", "Reason";
    dir_import_refused: "ligne invalide : rien n'a été importé. Corrigez le fichier, ou choisissez d'importer les seules lignes valides.|lignes invalides : rien n'a été importé. Corrigez le fichier, ou choisissez d'importer les seules lignes valides.", "invalid row: nothing was imported. Fix the file, or choose to import the valid rows only.|invalid rows: nothing was imported. Fix the file, or choose to import the valid rows only.";
    dir_import_skipped: "ligne ignorée|lignes ignorées", "row skipped|rows skipped";
    dir_import_skipped_title: "Lignes ignorées", "Rows skipped";
    dir_import_template: "Modèle : l'export de l'annuaire a les colonnes attendues.", "Template: the directory's export has the expected columns.";
    dir_import_update: "mise à jour", "update";
    dir_import_n_update: "mise à jour|mises à jour", "update|updates";
    dir_import_updated: "fiche mise à jour|fiches mises à jour", "entry updated|entries updated";
    dir_import_valid_only: "Importer les lignes valides et lister les autres", "Import the valid rows and list the others";
    nav_network: "Réseau", "Network";
    net_add: "Ajouter", "Add";
    net_add_member: "Ajouter ou modifier un membre", "Add or change a member";
    net_address: "Adresse", "Address";
    net_by_department: "Par département et secteur", "By department and sector";
    net_by_sector: "Ensemble de la région, par secteur", "Whole region, by sector";
    net_capacity_covered: "Lits / places couverts", "Beds / places covered";
    net_centre: "Coordonnées publiques du CRAtb", "The CRAtb's public contact";
    net_centre_intro: "Ces coordonnées apparaissent dans la recherche publique « Qui contacter ? ».", "This contact appears in the public “Who do I ask?” search.";
    net_conventions: "Conventions", "Conventions";
    net_conventions_found: "convention|conventions", "agreement|agreements";
    nav_consumption: "Consommation", "Consumption";
    con_title: "Consommation d'antibiotiques", "Antibiotic consumption";
    con_intro: "Doses définies journalières (DDJ, OMS) rapportées à l'activité : par 1000 journées d'hospitalisation (JH) et par 100 admissions pour les établissements de santé, par 1000 journées d'hébergement pour les EMS. Les pairs d'un établissement sont ceux de la même catégorie dans la région.", "Defined daily doses (DDD, WHO) per activity: per 1000 patient-days and per 100 admissions for hospitals, per 1000 resident-days for nursing homes. An establishment's peers are those of the same category in the region.";
    con_year: "Année", "Year";
    con_sector: "Secteur", "Sector";
    con_ward: "Type de service", "Ward type";
    con_class: "Indicateur", "Indicator";
    con_territory: "Territoire (GHT)", "Territory (GHT)";
    con_empty: "Aucune donnée de consommation pour cette région et ces filtres. Un data manager importe les fichiers de consommation et de dénominateurs (commande « cratb consumption import »).", "No consumption data for this region and these filters. A data manager imports the consumption and denominator files ('cratb consumption import').";
    con_sectors: "Par secteur (J01)", "By sector (J01)";
    con_establishments_n: "établissements", "establishments";
    con_vs_previous: "par rapport à l'année précédente", "against the previous year";
    con_trend: "Évolution et objectif", "Trend and target";
    con_monthly: "Mois par mois", "Month by month";
    con_stacked: "Classes d'antibiotiques (J01)", "Antibiotic classes (J01)";
    con_aware: "Classification AWaRe de l'OMS (part des DDJ J01)", "WHO AWaRe classification (share of J01 DDD)";
    con_aware_target: "Cible OMS : au moins 60 % de la consommation en antibiotiques du groupe Access.", "WHO target: at least 60 % of consumption from the Access group.";
    con_classes: "Indicateurs par classe", "Indicators by class";
    con_previous: "Année précédente", "Previous year";
    con_change: "Évolution", "Change";
    con_per_admissions: "DDJ/100 admissions", "DDD/100 admissions";
    con_top: "Molécules les plus consommées", "Most used substances";
    con_establishments: "Établissements et position parmi leurs pairs", "Establishments and position among peers";
    con_peers: "Distribution par catégorie", "Distribution by category";
    con_median: "Médiane des pairs", "Peers' median";
    con_iqr: "Q1 – Q3 des pairs", "Peers' Q1 – Q3";
    con_percentile: "Percentile", "Percentile";
    con_high: "au-dessus du 3e quartile de ses pairs", "above its peers' third quartile";
    con_territories: "Territoires", "Territories";
    con_vs_region: "Écart à la région", "Against the region";
    con_wards: "Par type de service (J01)", "By ward type (J01)";
    con_days: "Journées", "Days";
    con_position: "Position parmi les pairs", "Position among peers";
    con_report: "Rapport de retour (PDF)", "Feedback report (PDF)";
    con_reports: "Tous les rapports de retour (ZIP)", "All feedback reports (ZIP)";
    con_referent_note: "Vous voyez votre établissement ; les autres établissements de la même catégorie n'apparaissent que sous forme de distribution anonyme.", "You see your establishment; the others of its category appear only as an anonymous distribution.";
    con_back: "Tableau de bord régional", "Regional dashboard";
    con_targets: "Objectifs", "Targets";
    con_targets_intro: "Objectifs du programme annuel, par secteur et indicateur : une réduction par rapport à une année de référence, ou une valeur à atteindre, à une échéance. Sans objectif régional, l'objectif national s'applique (−25 % par rapport à 2019). La valeur nationale saisie sert de comparaison sur les graphiques.", "Targets of the annual programme, per sector and indicator: a reduction against a baseline year, or a value to reach, by a year. Without a regional target the national one applies (−25 % against 2019). The national figure entered is drawn for comparison on the charts.";
    con_targets_set: "Objectifs fixés", "Targets set";
    con_targets_none: "Aucun objectif régional : l'objectif national s'applique.", "No regional target: the national one applies.";
    con_national: "Valeur nationale", "National figure";
    con_set_by: "Fixé par", "Set by";
    con_import: "Importer des consommations", "Import consumption";
    con_import_format: "Deux fichiers CSV ou XLSX. Consommations : establishment (FINESS), period (AAAA-MM ou AAAA), ward_type, atc (code ATC à 7 caractères), route (O, P, R, N, Inhal), grams (grammes de substance active, au plus 10 000 000 par ligne) — ou units et strength_g (grammes par unité). Dénominateurs : establishment, period, ward_type, patient_days et admissions — ou resident_days pour un EMS (les deux colonnes peuvent coexister, chaque ligne en remplit une). Type de service : medicine, surgery, icu, paediatrics, obstetrics, haematology, infectious_diseases, geriatrics, emergency, ssr, long_term_care, psychiatry, nursing_home, ou leur libellé français (Médecine, Réanimation, SMR…) ; vide ou whole pour l'établissement entier. Une ligne par clé (établissement, période, service, ATC, voie). Consommations et journées doivent couvrir les mêmes périodes et services. Un fichier remplace ce que la région avait pour les mêmes établissements et périodes ; tout ou rien.", "Two CSV or XLSX files. Consumption: establishment (FINESS), period (YYYY-MM or YYYY), ward_type, atc (7-character ATC code), route (O, P, R, N, Inhal), grams (of active substance, at most 10,000,000 a row) — or units and strength_g (grams per unit). Denominators: establishment, period, ward_type, patient_days and admissions — or resident_days for a nursing home (both columns may be present, each row filling one). Ward type: medicine, surgery, icu, paediatrics, obstetrics, haematology, infectious_diseases, geriatrics, emergency, ssr, long_term_care, psychiatry, nursing_home, or their French label; empty or whole for the whole establishment. One row per key (establishment, period, ward, ATC, route). Consumption and days must cover the same periods and wards. A file replaces what the region held for the same establishments and periods; all or nothing.";
    con_partial: "Accepter des chiffres partiels", "Accept partial figures";
    con_partial_help: "Les périodes où la consommation n'a pas de dénominateur (ou l'inverse) seront importées mais exclues de tous les indicateurs, qui le signaleront.", "Periods where consumption has no denominator (or the reverse) will be imported but left out of every indicator, which will say so.";
    con_partial_refused: "Numérateur et dénominateur ne couvrent pas les mêmes périodes : rien n'a été importé. Complétez les fichiers, ou cochez « Accepter des chiffres partiels » et envoyez-les à nouveau : ces périodes seront exclues des indicateurs.", "Numerator and denominator do not cover the same periods: nothing was imported. Complete the files, or tick “Accept partial figures” and send them again: these periods will be left out of the indicators.";
    con_partial_accepted: "Importé avec des périodes exclues des indicateurs (sans dénominateur ou sans consommation)", "Imported with periods left out of the indicators (without denominator or without consumption)";
    con_left_out: "Exclu des indicateurs", "Left out of the indicators";
    con_import_two_files: "Choisissez le fichier des consommations et celui des dénominateurs.", "Choose the consumption file and the denominators file.";
    con_consumption_file: "Consommations (CSV ou XLSX)", "Consumption (CSV or XLSX)";
    con_denominators_file: "Dénominateurs (CSV ou XLSX)", "Denominators (CSV or XLSX)";
    con_edition: "Référentiel ATC/DDD de l'OMS", "WHO ATC/DDD index";
    con_rows: "lignes de consommation", "consumption rows";
    con_denominator_rows: "lignes de dénominateurs", "denominator rows";
    con_unconverted: "Quantités sans DDJ en grammes (non comptées dans les indicateurs)", "Quantities without a DDD in grams (not counted in the indicators)";
    con_route: "Voie", "Route";
    con_file: "Fichier", "File";
    con_delete_confirm: "Retirer cet import et toutes ses lignes ? Les indicateurs seront recalculés sans elles (les périodes qu'il avait remplacées ne reviennent pas).", "Remove this import and all its rows? Indicators will be recomputed without them (periods it had replaced do not come back).";
    con_ddd: "Référentiels ATC/DDD", "ATC/DDD editions";
    con_ddd_intro: "Chaque ligne de consommation garde ses grammes ; ses DDJ sont calculées avec une édition de l'index ATC/DDD de l'OMS, nommée sur chaque indicateur. Quand l'OMS publie une nouvelle édition, chargez-la puis recalculez la région.", "Each consumption row keeps its grams; its DDD are computed with an edition of the WHO ATC/DDD index, named on every figure. When WHO publishes a new edition, load it and recompute the region.";
    con_ddd_editions: "Éditions disponibles", "Editions available";
    con_ddd_origin: "Origine", "Origin";
    con_ddd_in_use: "Utilisée par", "Used by";
    con_ddd_load: "Charger une édition", "Load an edition";
    con_ddd_name: "Nom de l'édition", "Edition name";
    con_ddd_format: "Fichier CSV, TSV ou XLSX avec les colonnes atc, name, ddd, unit (g, mg ou MU), route (O, P, R, N, Inhal…), une ligne par DDD et par voie, comme shared/reference/who_atc_ddd_2026.tsv.", "A CSV, TSV or XLSX file with the columns atc, name, ddd, unit (g, mg or MU), route (O, P, R, N, Inhal…), one line per DDD and route, as in shared/reference/who_atc_ddd_2026.tsv.";
    con_ddd_loaded: "Édition chargée", "Edition loaded";
    con_ddd_name_needed: "Donnez un nom à l'édition (80 caractères au plus), par exemple « WHOCC ATC/DDD Index 2027 ».", "Name the edition (80 characters at most), e.g. 'WHOCC ATC/DDD Index 2027'.";
    con_ddd_file_needed: "Choisissez le fichier de l'édition.", "Choose the edition's file.";
    con_ddd_exists: "une édition porte déjà ce nom (un nom n'est jamais réutilisé, pour que chaque chiffre garde son sens)", "an edition already has this name (names are never reused, so that every figure keeps its meaning)";
    con_ddd_unknown: "édition inconnue", "unknown edition";
    con_recompute: "Recalculer la région", "Recompute the region";
    con_recompute_intro: "Recalcule toutes les DDJ de la région avec l'édition choisie ; édition(s) utilisée(s) aujourd'hui", "Recomputes every DDD of the region with the edition chosen; edition(s) in use today";
    con_recompute_confirm: "Recalculer toutes les DDJ de la région avec cette édition ? Les indicateurs changeront là où l'OMS a modifié une DDJ.", "Recompute every DDD of the region with this edition? Figures change where WHO changed a DDD.";
    con_recomputed: "Recalcul terminé", "Recomputed";
    con_primary: "Soins de ville", "Primary care";
    con_primary_intro: "Consommation de ville : DDJ pour 1000 habitants et par jour et prescriptions pour 1000 habitants par an, pour la région, ses départements et ses CPTS, avec les douze indicateurs de qualité ESAC-Net.", "Primary care: DDD per 1000 inhabitants per day and prescriptions per 1000 inhabitants per year, for the region, its departments and its CPTS, with the twelve ESAC-Net quality indicators.";
    con_primary_territory: "Territoire", "Territory";
    con_primary_empty: "Aucune donnée de ville pour cette région. Un data manager importe les délivrances et les populations ci-dessous.", "No primary-care data for this region. A data manager imports dispensations and populations below.";
    con_population: "Population", "Population";
    con_did: "DDJ/1000 hab./jour (J01)", "DDD/1000 inh./day (J01)";
    con_prescriptions: "Prescriptions/1000 hab./an", "Prescriptions/1000 inh./year";
    con_esac: "Indicateurs de qualité ESAC-Net", "ESAC-Net quality indicators";
    con_esac_note: "Définitions : Adriaenssens N et al., BMJ Qual Saf 2011;20:764–772. Rapport large/étroit spectre = (J01CR + J01DC + J01DD + J01F sauf érythromycine) / (J01CE + J01DB + érythromycine). Variation saisonnière = DDJ d'octobre à mars / DDJ d'avril à septembre − 1 ; non calculable sans données mensuelles.", "Definitions: Adriaenssens N et al., BMJ Qual Saf 2011;20:764–772. Broad/narrow ratio = (J01CR + J01DC + J01DD + J01F except erythromycin) / (J01CE + J01DB + erythromycin). Seasonal variation = DDD October–March / DDD April–September − 1; not computable without monthly data.";
    con_unit: "Unité", "Unit";
    con_share_ddd: "part des DDJ", "share of DDD";
    con_primary_import: "Importer des données de ville", "Import primary-care data";
    con_primary_format: "Délivrances au format cratb : territory (code du département, nom de la CPTS ou « région »), period (AAAA-MM ou AAAA), atc, ddd — ou packs et ddd_per_pack —, et si connus prescriptions, age_group, sex, prescriber. Ou fichier open data de l'Assurance Maladie (ATC5, age, sexe, BEN_REG, PSP_SPE, BOITES, CIP13) avec son année et la table des DDJ par boîte (cip13 ou atc, ddd_per_pack). Populations : territory, year, population.", "Dispensations in cratb's layout: territory (department code, CPTS name or 'région'), period (YYYY-MM or YYYY), atc, ddd — or packs and ddd_per_pack —, and if known prescriptions, age_group, sex, prescriber. Or an open-data file of the Assurance Maladie (ATC5, age, sexe, BEN_REG, PSP_SPE, BOITES, CIP13) with its year and the table of DDD per pack (cip13 or atc, ddd_per_pack). Populations: territory, year, population.";
    con_primary_kind: "Type de fichier", "File type";
    con_primary_dispensations: "Délivrances", "Dispensations";
    con_primary_open_year: "Année (fichier open data seulement)", "Year (open-data file only)";
    con_primary_packs: "Table des DDJ par boîte (fichier open data seulement)", "DDD per pack table (open-data file only)";
    con_primary_no_file: "Choisissez un fichier.", "Choose a file.";
    con_parenteral: "Voie parentérale (part des DDJ J01)", "Parenteral route (share of J01 DDD)";
    con_imported_by: "Importé par", "Imported by";
    con_sources: "Référentiels", "Reference data";
    net_coverage: "Couverture", "Coverage";
    net_coverage_intro: "Un établissement est couvert par une convention signée et non échue avec une EMA, ou s'il héberge lui-même une EMA ; une CPTS, par une convention signée. Les parts de lits et places sont celles des établissements couverts.", "An establishment is covered by a signed, unexpired convention with an EMA, or by hosting an EMA itself; a CPTS by a signed convention. Bed and place shares are those of the covered establishments.";
    net_covered: "Couverts", "Covered";
    net_days: "jours", "days";
    net_departments_served: "Départements desservis", "Departments served";
    net_discipline: "Discipline", "Discipline";
    net_document: "Convention signée (PDF)", "Signed convention (PDF)";
    net_document_current: "Document actuel :", "Current document:";
    net_document_hint: "PDF, 10 Mo au plus ; un nouveau fichier remplace l'ancien", "PDF, 10 MB at most; a new file replaces the old one";
    net_expires: "Échéance", "Expires";
    net_expires_in: "Cette convention arrive à échéance dans", "This convention expires in";
    net_expiring_alert: "convention en vigueur arrive à échéance dans les 90 jours.|conventions en vigueur arrivent à échéance dans les 90 jours.", "agreement in force expires within 90 days.|agreements in force expire within 90 days.";
    net_expiring_filter: "Échéance dans les 90 jours", "Expiring within 90 days";
    net_fte: "ETP", "FTE";
    net_host: "Établissement support", "Host establishment";
    net_hours: "Horaires", "Hours";
    net_in: "dans", "in";
    net_map_credit: "Fond de carte : IGN – Admin Express, Licence Ouverte (france-geojson).", "Base map: IGN – Admin Express, Licence Ouverte (france-geojson).";
    net_map_title: "Part des ES et EMS couverts, par département", "Share of ES and EMS covered, by department";
    net_members: "Membres", "Members";
    net_missing: "discipline manquante", "missing discipline";
    net_missing_long: "L'équipe ne réunit pas toutes les disciplines requises (infectiologue, pharmacien, microbiologiste, infirmier). Il manque :", "The team lacks required disciplines (infectious-disease specialist, pharmacist, microbiologist, nurse). Missing:";
    net_new_convention: "Nouvelle convention", "New convention";
    net_new_team: "Nouvelle équipe (EMA)", "New team (EMA)";
    net_no_map: "Pas de carte pour cette région (départements d'outre-mer) : les tableaux ci-dessous disent tout.", "No map for this region (overseas departments): the tables below say it all.";
    net_no_team: "Aucune équipe enregistrée.", "No team recorded.";
    net_notes: "Remarques", "Notes";
    net_partner: "Partenaire", "Partner";
    net_professional: "Professionnel", "Professional";
    net_professional_hint: "(fiches de l'annuaire ayant le rôle « membre d'EMA »)", "(directory entries with the “EMA member” role)";
    net_public_hint: "ex. 38000, Vichy, Isère, 63", "e.g. 38000, Vichy, Isère, 63";
    net_public_intro: "Vous êtes professionnel de santé et cherchez un avis sur une antibiothérapie ? Indiquez votre code postal, votre commune ou votre département : voici l'équipe multidisciplinaire en antibiothérapie (EMA) qui vous répond, et le centre régional (CRAtb).", "A health professional looking for advice on antibiotic therapy? Give your postcode, town or department: here is the antibiotic team (EMA) that answers you, and the regional centre (CRAtb).";
    net_public_label: "Code postal, commune ou département", "Postcode, town or department";
    net_public_no_team: "Aucune équipe n'est encore enregistrée pour ce département : contactez le CRAtb ci-dessus.", "No team is recorded for this department yet: contact the regional centre above.";
    net_public_no_contact: "Ni équipe ni coordonnées du CRAtb ne sont encore enregistrées pour ce département : nous n'avons aucun contact à vous proposer pour l'instant.", "Neither a team nor the regional centre's contact is recorded for this department yet: there is no contact to offer for now.";
    net_public_nothing: "Aucun lieu ne correspond : saisissez un code postal à 5 chiffres, un numéro ou un nom de département, ou le nom d'une commune.", "No place matches: type a 5-digit postcode, a department number or name, or a town's name.";
    net_public_search: "Qui contacter ?", "Who do I ask?";
    net_public_title: "Qui contacter pour un conseil en antibiothérapie ?", "Who do I ask for antibiotic advice?";
    net_remove: "Retirer", "Remove";
    net_reminded: "équipe prévenue par e-mail des échéances à venir.|équipes prévenues par e-mail des échéances à venir.", "team told by e-mail of the coming expiries.|teams told by e-mail of the coming expiries.";
    net_send_reminders: "Prévenir les équipes par e-mail", "Tell the teams by e-mail";
    net_unreached: "équipe sans adresse e-mail ou injoignable|équipes sans adresse e-mail ou injoignables", "team without an e-mail address or unreachable|teams without an e-mail address or unreachable";
    net_remove_confirm: "Retirer ce membre de l'équipe ?", "Remove this member from the team?";
    net_sector: "Secteur", "Sector";
    net_sectors: "Secteurs", "Sectors";
    net_services: "Missions", "Services";
    net_show_them: "Les voir", "Show them";
    net_signed: "Signée le", "Signed on";
    net_team: "Équipe (EMA)", "Team (EMA)";
    net_team_phone: "Ligne de l'équipe", "Team line";
    net_teams: "Équipes (EMA)", "Teams (EMA)";
    net_teams_intro: "Les équipes multidisciplinaires en antibiothérapie de la région, leurs membres et les territoires qu'elles desservent. Une équipe doit réunir infectiologue, pharmacien, microbiologiste et infirmier.", "The region's antibiotic stewardship teams, their members and the territories they serve. A team must bring together an infectious-disease specialist, a pharmacist, a microbiologist and a nurse.";
    net_teleexpertise: "Télé-expertise", "Tele-expertise";
    net_uncovered: "Établissements et CPTS non couverts", "Establishments and CPTS not covered";
    net_units: "Établissements / CPTS", "Establishments / CPTS";
    net_website: "Site web", "Website";
    workplaces: "Établissements d'exercice (FINESS, séparés par des virgules)", "Establishments worked in (FINESS, comma-separated)";
    workplaces_short: "Établissements d'exercice", "Establishments worked in";
    teams_short: "Équipes (EMA)", "Teams (EMA)";
    territory: "Territoire (GHT ou CPTS)", "Territory (GHT or CPTS)";
    finess: "FINESS", "FINESS";
    name: "Nom", "Name";
    all: "Tous", "All";
    search: "Rechercher", "Search";
    search_establishments: "Nom ou numéro FINESS", "Name or FINESS number";
    filter: "Filtrer", "Filter";
    results: "résultat|résultats", "result|results";
    page: "Page", "Page";
    previous: "Précédente", "Previous";
    next: "Suivante", "Next";
    none: "—", "—";
    new_establishment: "Nouvel établissement", "New establishment";
    edit: "Modifier", "Edit";
    save: "Enregistrer", "Save";
    cancel: "Annuler", "Cancel";
    create: "Créer", "Create";
    form_has_errors: "Le formulaire contient des erreurs : corrigez les champs signalés.", "The form has errors: fix the fields marked below.";
    saved: "Enregistré.", "Saved.";
    finess_hint: "9 caractères, clé de contrôle comprise (ex. 380780080)", "9 characters including the check key (e.g. 380780080)";
    department_hint: "Code INSEE (ex. 38, 2A, 974)", "INSEE code (e.g. 38, 2A, 974)";
    no_ght: "Aucun", "None";
    territories_title: "Territoires", "Territories";
    departments: "Départements", "Departments";
    ghts: "GHT et CPTS", "GHTs and CPTS";
    new_territory: "Nouveau territoire (GHT ou CPTS)", "New territory (GHT or CPTS)";
    territory_kind: "Type", "Kind";
    establishments_count: "Établissements", "Establishments";
    users_title: "Comptes", "Accounts";
    new_user: "Nouveau compte", "New account";
    edit_user: "Modifier le compte", "Edit the account";
    account_places: "Établissements et équipes", "Establishments and teams";
    account_places_hint: "Pour les référents, membres d'EMA, biologistes et prescripteurs : ce qu'ils voient de nominatif en dépend. Au moins un établissement pour un référent ou un biologiste.", "For referents, EMA members, laboratories and prescribers: what they see by name depends on it. At least one establishment for a referent or a laboratory.";
    account_establishments: "Établissements (FINESS)", "Establishments (FINESS)";
    finess_list_hint: "séparés par des virgules", "separated by commas";
    establishment_search_hint: "Nom, commune ou FINESS, puis choisissez dans la liste", "Name, town or FINESS, then pick from the list";
    account_teams: "Équipes (membres d'EMA)", "Teams (EMA members)";
    initial_password_hint: "facultatif : laissé vide, la personne reçoit un lien pour choisir le sien ; sinon elle devra le changer à sa première connexion", "optional: left empty, the person receives a link to choose theirs; otherwise they must change it at their first log-in";
    password_link_title: "Lien pour choisir un mot de passe", "Link to choose a password";
    account_created: "Compte créé :", "Account created:";
    link_sent_to: "Le lien a été envoyé par e-mail à", "The link was e-mailed to";
    link_not_sent: "Le lien n'a pas pu être envoyé par e-mail", "The link could not be e-mailed";
    link_pass_on: "Vous pouvez aussi le transmettre vous-même (valable 24 heures, une seule fois) :", "You may also pass it on yourself (valid 24 hours, once):";
    send_reset_link: "Envoyer un lien de mot de passe", "Send a password link";
    end_sessions: "Fermer ses sessions", "End their sessions";
    session_opened: "Ouverte le", "Opened";
    session_last_seen: "Dernière activité", "Last activity";
    session_ends: "Fin au plus tard", "Ends at the latest";
    this_session: "cette session", "this session";
    copy: "Copier", "Copy";
    display_name: "Nom affiché", "Display name";
    role: "Rôle", "Role";
    status: "Statut", "Status";
    active: "Actif", "Active";
    inactive: "Désactivé", "Disabled";
    disable: "Désactiver", "Disable";
    enable: "Réactiver", "Enable";
    initial_password: "Mot de passe initial", "Initial password";
    password_hint: "12 caractères au moins ; évitez les mots de passe courants", "At least 12 characters; avoid common passwords";
    audit_title: "Journal d'audit", "Audit log";
    audit_intro: "Toute écriture, toute connexion (réussie ou non) et toute lecture de données patient est tracée ici. Le journal ne peut être ni modifié ni effacé.", "Every write, every login (successful or not) and every read of patient data is recorded here. The log can be neither changed nor erased.";
    when: "Date", "When";
    who: "Qui", "Who";
    action: "Action", "Action";
    entity: "Objet", "Entity";
    summary: "Résumé", "Summary";
    from: "Du", "From";
    to: "Au", "To";
    user_filter: "Utilisateur (e-mail)", "User (e-mail)";
    export_csv: "Exporter en CSV", "Export as CSV";
    account_title: "Mon compte", "My account";
    change_password: "Changer de mot de passe", "Change password";
    current_password: "Mot de passe actuel", "Current password";
    new_password: "Nouveau mot de passe", "New password";
    logout_everywhere: "Se déconnecter de toutes les sessions", "Log out of every session";
    revoke_tokens_too: "Révoquer aussi mes jetons d'API (les systèmes qui s'en servent devront en recevoir un nouveau)", "Also revoke my API tokens (systems using them will need a new one)";
    must_change_password: "Votre mot de passe a été choisi par quelqu'un d'autre : choisissez le vôtre avant de continuer.", "Your password was set by someone else: choose your own before going on.";
    token_days: "Durée de validité (jours)", "Valid for (days)";
    token_days_range: "La durée de validité va de 1 jour à", "The validity runs from 1 day to";
    token_expires: "Expire le", "Expires";
    expired: "Expiré", "Expired";
    sessions_open: "session ouverte|sessions ouvertes", "open session|open sessions";
    api_tokens: "Jetons d'API", "API tokens";
    api_tokens_intro: "Un jeton permet à un programme d'utiliser l'API JSON en votre nom. Il n'est affiché qu'une fois : copiez-le.", "A token lets a program use the JSON API on your behalf. It is shown only once: copy it.";
    token_name: "Nom du jeton", "Token name";
    token_name_required: "Donnez un nom au jeton (100 caractères au plus).", "Give the token a name (100 characters at most).";
    token_write: "Autoriser l'écriture", "Allow writes";
    token_created: "Nouveau jeton (affiché une seule fois) :", "New token (shown only once):";
    revoke: "Révoquer", "Revoke";
    revoked: "Révoqué", "Revoked";
    read_only: "Lecture seule", "Read-only";
    read_write: "Lecture et écriture", "Read and write";
    created: "Créé le", "Created";
    last_used: "Dernière utilisation", "Last used";
    never: "jamais", "never";
    forbidden_title: "Accès refusé", "Access denied";
    forbidden_text: "Votre rôle ne permet pas d'ouvrir cette page. Si vous pensez que c'est une erreur, contactez la coordination de votre CRAtb.", "Your role does not allow this page. If you think this is a mistake, contact your CRAtb coordination.";
    not_found_title: "Page introuvable", "Page not found";
    not_found_text: "Cette page n'existe pas ou ne relève pas de votre région.", "This page does not exist or is outside your region.";
    bad_request_title: "Requête invalide", "Invalid request";
    error_title: "Erreur", "Error";
    busy_title: "Import en cours", "Import in progress";
    busy_text: "Import en cours, réessayez dans un instant : d'autres fichiers sont déjà en cours de traitement.", "Import in progress, try again in a moment: other files are being processed.";
    cannot_write_title: "Enregistrement impossible", "Cannot save";
    cannot_write_text: "Le serveur ne peut plus rien enregistrer pour l'instant (disque plein ou base de données en lecture seule) : rien n'a été modifié. L'incident est journalisé ; prévenez l'administrateur et réessayez plus tard.", "The server cannot save anything at the moment (disk full or database read-only): nothing was changed. The incident is logged; tell the administrator and try again later.";
    error_text: "Une erreur est survenue. Elle a été journalisée ; réessayez plus tard.", "An error occurred. It was logged; try again later.";
    back_home: "Retour à l'accueil", "Back to home";
    api_docs_title: "API JSON — documentation", "JSON API — documentation";
    api_docs_intro: "L'API s'utilise avec un jeton personnel (en-tête Authorization: Bearer …), créé dans « Mon compte ». Les erreurs suivent le format application/problem+json (RFC 9457). Le document OpenAPI 3.1 est disponible à /api/openapi.json.", "Use the API with a personal token (header Authorization: Bearer …) created under “My account”. Errors follow application/problem+json (RFC 9457). The OpenAPI 3.1 document is at /api/openapi.json.";
    parameters: "Paramètres", "Parameters";
    responses: "Réponses", "Responses";
    request_body: "Corps de la requête", "Request body";
    footer_credit: "Géographie : IGN – Admin Express, Licence Ouverte. Logiciel libre.", "Geography: IGN – Admin Express, Licence Ouverte. Free software.";
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn negotiation() {
        let mut h = HeaderMap::new();
        assert_eq!(negotiate(None, &h), Lang::Fr);
        h.insert(
            "accept-language",
            HeaderValue::from_static("de-DE,en-GB;q=0.8,fr;q=0.5"),
        );
        assert_eq!(negotiate(None, &h), Lang::En);
        assert_eq!(negotiate(Some("fr"), &h), Lang::Fr);
    }
}
