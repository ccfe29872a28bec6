//! Multi-step journeys, "one thing per page" (UX.md): the order of the pages, which of them
//! apply given the answers so far (branching), where Back goes, "Step n of N", and when every
//! page is answered so that the check-your-answers page can be shown. Pure: the server keeps
//! the answers in a draft, the pages render from it, and both sides use these rules.

use super::digits::normalise_digits;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The answers of one journey, by field name. Values are kept as typed (normalised), and
/// parsed into domain types only when a page or the final step needs them.
pub type Answers = BTreeMap<String, String>;

/// What the server keeps of a journey between requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Accepted answers.
    pub answers: Answers,
    /// The last submission that was refused, with its problems: the page shows it again with
    /// its errors, exactly as typed, with or without JavaScript, and without putting what was
    /// typed in the address bar. Cleared by the next accepted answer.
    #[serde(default)]
    pub rejected: Option<Rejected>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub step: String,
    pub values: Answers,
    /// (field, problem code), in the order of the fields on the page.
    pub problems: Vec<(String, String)>,
}

impl Draft {
    /// The value a field of `step` shows: the refused value if this page was just refused,
    /// else the accepted answer, else nothing.
    pub fn shown(&self, step: &str, field: &str) -> String {
        match &self.rejected {
            Some(r) if r.step == step => r.values.get(field).cloned().unwrap_or_default(),
            _ => self.answers.get(field).cloned().unwrap_or_default(),
        }
    }

    /// The problems of `step`, if it was the one just refused.
    pub fn problems(&self, step: &str) -> Vec<(String, String)> {
        match &self.rejected {
            Some(r) if r.step == step => r.problems.clone(),
            _ => Vec::new(),
        }
    }
}

/// One page of a journey.
pub struct StepDef {
    /// Also the last segment of the page's address.
    pub id: &'static str,
    /// The form fields the page asks for.
    pub fields: &'static [&'static str],
    /// Whether the page is asked at all, given earlier answers.
    pub applies: fn(&Answers) -> bool,
    /// Fields of `fields` that may be left empty (a flat's unit number): the page counts as
    /// answered without them.
    pub optional: &'static [&'static str],
}

pub fn always(_: &Answers) -> bool {
    true
}

pub struct JourneyDef {
    pub id: &'static str,
    pub steps: &'static [StepDef],
    /// The longest value kept of a field, for fields longer than `DEFAULT_MAX_CHARS`. Above a
    /// field's validation limit, so that validation still says "too long" with the text shown.
    pub max_chars: &'static [(&'static str, usize)],
}

/// The longest value kept of a field its journey sets no limit for (a date part, a yes/no, a
/// number: all far shorter).
pub const DEFAULT_MAX_CHARS: usize = 100;

/// Where "Continue" leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<'a> {
    Step(&'a str),
    CheckAnswers,
}

impl JourneyDef {
    pub fn step(&self, id: &str) -> Option<&StepDef> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The pages that apply, in order.
    pub fn applicable<'a>(&'a self, answers: &Answers) -> Vec<&'a StepDef> {
        self.steps.iter().filter(|s| (s.applies)(answers)).collect()
    }

    pub fn is_answered(step: &StepDef, answers: &Answers) -> bool {
        step.fields.iter().all(|f| match answers.get(*f) {
            Some(v) => !v.is_empty() || step.optional.contains(f),
            None => false,
        })
    }

    /// The first page that applies and is not answered yet: where a resumed journey continues.
    pub fn first_unanswered(&self, answers: &Answers) -> Option<&str> {
        self.applicable(answers)
            .into_iter()
            .find(|s| !Self::is_answered(s, answers))
            .map(|s| s.id)
    }

    /// After `current` is answered: the next unanswered page that applies, or the check page.
    /// (Pages already answered are skipped, so changing one answer from the check page comes
    /// straight back to it unless the change opened a new question.)
    pub fn next(&self, current: &str, answers: &Answers) -> Next<'_> {
        let pages = self.applicable(answers);
        let after = pages
            .iter()
            .position(|s| s.id == current)
            .map_or(0, |i| i + 1);
        match pages[after..]
            .iter()
            .chain(pages[..after].iter())
            .find(|s| !Self::is_answered(s, answers))
        {
            Some(s) => Next::Step(s.id),
            None => Next::CheckAnswers,
        }
    }

    /// The page before `current` among those that apply; `None` on the first page (Back then
    /// leads to the service's start page).
    pub fn previous(&self, current: &str, answers: &Answers) -> Option<&str> {
        let pages = self.applicable(answers);
        let i = pages.iter().position(|s| s.id == current)?;
        i.checked_sub(1).map(|p| pages[p].id)
    }

    /// "Step n of N" among the pages that apply (N grows or shrinks as answers branch).
    pub fn progress(&self, current: &str, answers: &Answers) -> Option<(u32, u32)> {
        let pages = self.applicable(answers);
        let i = pages.iter().position(|s| s.id == current)?;
        Some((i as u32 + 1, pages.len() as u32))
    }

    /// Copies the fields of `step` from a submitted form into the answers, trimmed and with
    /// Arabic-Indic digits made Latin. Fields of other pages are ignored: a form can only
    /// change what it asks. Answers to pages that no longer apply are dropped, so the check
    /// page and the final record never hold answers to questions that were not asked.
    pub fn max_chars(&self, field: &str) -> usize {
        self.max_chars
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(DEFAULT_MAX_CHARS, |(_, max)| *max)
    }

    /// A posted value as the journey takes it, before validation and before anything is kept:
    /// free text cleaned (`text::clean_line`) and cut at the field's limit, so that whatever
    /// was posted, a draft holds no more than its fields can take (issue 18, finding 3).
    pub fn received(&self, field: &str, value: &str) -> String {
        let clean = super::text::clean_line(value);
        super::text::cut(&clean, self.max_chars(field)).to_string()
    }

    pub fn merge(&self, step: &StepDef, submitted: &Answers, answers: &mut Answers) {
        for field in step.fields {
            let value = submitted
                .get(*field)
                .map(|v| normalise_digits(v.trim()))
                .unwrap_or_default();
            answers.insert((*field).to_string(), value);
        }
        let asked: Vec<&str> = self
            .applicable(answers)
            .iter()
            .flat_map(|s| s.fields.iter().copied())
            .collect();
        answers.retain(|k, _| asked.contains(&k.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_car(a: &Answers) -> bool {
        a.get("owns_car").is_some_and(|v| v == "yes")
    }

    static SAMPLE: JourneyDef = JourneyDef {
        id: "sample",
        steps: &[
            StepDef {
                id: "name",
                fields: &["name"],
                applies: always,
                optional: &[],
            },
            StepDef {
                id: "car",
                fields: &["owns_car"],
                applies: always,
                optional: &[],
            },
            StepDef {
                id: "plate",
                fields: &["plate"],
                applies: has_car,
                optional: &[],
            },
            StepDef {
                id: "email",
                fields: &["email"],
                applies: always,
                optional: &[],
            },
        ],
        max_chars: &[("email", 254)],
    };

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_branch_page_applies_only_after_the_answer_that_opens_it() {
        let ids = |a: &Answers| {
            SAMPLE
                .applicable(a)
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&answers(&[])), ["name", "car", "email"]);
        assert_eq!(
            ids(&answers(&[("owns_car", "yes")])),
            ["name", "car", "plate", "email"]
        );
    }

    #[test]
    fn continue_goes_to_the_next_unanswered_page_then_to_the_check_page() {
        let a = answers(&[("name", "Amina"), ("owns_car", "yes")]);
        assert_eq!(SAMPLE.next("car", &a), Next::Step("plate"));
        let a = answers(&[("name", "Amina"), ("owns_car", "no")]);
        assert_eq!(SAMPLE.next("car", &a), Next::Step("email"));
        let a = answers(&[("name", "Amina"), ("owns_car", "no"), ("email", "a@b.dz")]);
        assert_eq!(SAMPLE.next("email", &a), Next::CheckAnswers);
    }

    #[test]
    fn changing_an_answer_from_the_check_page_returns_to_it_unless_a_new_question_opens() {
        let complete = answers(&[("name", "Amina"), ("owns_car", "no"), ("email", "a@b.dz")]);
        assert_eq!(SAMPLE.next("name", &complete), Next::CheckAnswers);
        let mut now_has_car = complete.clone();
        now_has_car.insert("owns_car".into(), "yes".into());
        assert_eq!(SAMPLE.next("car", &now_has_car), Next::Step("plate"));
    }

    #[test]
    fn back_goes_to_the_previous_page_that_applies() {
        let no_car = answers(&[("owns_car", "no")]);
        assert_eq!(SAMPLE.previous("email", &no_car), Some("car"));
        let car = answers(&[("owns_car", "yes")]);
        assert_eq!(SAMPLE.previous("email", &car), Some("plate"));
        assert_eq!(SAMPLE.previous("name", &car), None);
    }

    #[test]
    fn progress_counts_only_the_pages_that_apply() {
        assert_eq!(
            SAMPLE.progress("email", &answers(&[("owns_car", "no")])),
            Some((3, 3))
        );
        assert_eq!(
            SAMPLE.progress("email", &answers(&[("owns_car", "yes")])),
            Some((4, 4))
        );
        assert_eq!(SAMPLE.progress("nope", &answers(&[])), None);
    }

    #[test]
    fn a_resumed_journey_continues_at_the_first_unanswered_page() {
        assert_eq!(
            SAMPLE.first_unanswered(&answers(&[("name", "Amina")])),
            Some("car")
        );
        let done = answers(&[("name", "A"), ("owns_car", "no"), ("email", "a@b.dz")]);
        assert_eq!(SAMPLE.first_unanswered(&done), None);
    }

    #[test]
    fn a_value_is_received_clean_and_no_longer_than_its_field_takes() {
        let huge = "x".repeat(2_000_000);
        assert_eq!(SAMPLE.received("name", &huge).len(), DEFAULT_MAX_CHARS);
        assert_eq!(SAMPLE.received("email", &huge).len(), 254);
        assert_eq!(SAMPLE.received("name", "Bob \u{202E}exe\u{0}"), "Bob exe");
    }

    #[test]
    fn merge_takes_only_the_pages_fields_normalised_and_drops_answers_no_longer_asked() {
        let mut a = answers(&[
            ("name", "Amina"),
            ("owns_car", "yes"),
            ("plate", "12345 116 16"),
        ]);
        let submitted = answers(&[("owns_car", " no "), ("name", "Intruder")]);
        SAMPLE.merge(SAMPLE.step("car").unwrap(), &submitted, &mut a);
        assert_eq!(a, answers(&[("name", "Amina"), ("owns_car", "no")]));

        let mut a = Answers::new();
        SAMPLE.merge(
            SAMPLE.step("name").unwrap(),
            &answers(&[("name", " ١٢ ")]),
            &mut a,
        );
        assert_eq!(a["name"], "12");
    }
}
