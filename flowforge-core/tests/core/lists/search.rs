//! Search: every word must occur, in the title or the description (or a list's own fields),
//! ignoring case in any script; the text is searched literally, however hostile or long, and
//! follows edits and deletions.

use flowforge_core::{NewOrg, NewProject, Role, Search, TaskPatch, TaskQuery};

use super::{
    Solo, every_list, items, list, make, members, orgs, projects, set, solo, sorted, title_set,
    titles,
};
use crate::support::{add, named_user, open, org, task, user};

/// `solo()` with a task for each `(title, description)`.
fn solo_with_tasks(tasks: &[(&str, &str)]) -> Solo {
    let (ff, ada, org, project) = solo();
    for (title, description) in tasks {
        make(&ff, &ada, &project, title, |t| {
            t.description = (*description).into()
        });
    }
    (ff, ada, org, project)
}

#[test]
fn every_search_word_must_occur_in_the_title_or_the_description() {
    let (ff, ada, ..) = solo_with_tasks(&[
        ("Fix login bug", "Users cannot sign in on mobile"),
        ("Write docs", "A login guide for mobile users"),
        ("Login page redesign", ""),
        ("Release party", "cake"),
        ("alpha", "beta"),
    ]);
    let search = |text: &str| title_set(&ff, &ada, &[("search", text)]);

    assert_eq!(
        search("login"),
        set(&["Fix login bug", "Write docs", "Login page redesign"])
    );
    assert_eq!(search("LOGIN"), search("login"));
    assert_eq!(
        search("gin"),
        search("login"),
        "a word is a substring, not a whole word"
    );
    // AND across words, OR across fields: one word in the title and one in the description is enough.
    assert_eq!(
        search("login mobile"),
        set(&["Fix login bug", "Write docs"])
    );
    assert_eq!(
        search("mobile login"),
        search("login mobile"),
        "words are not a phrase"
    );
    assert_eq!(search("bug LOGIN"), set(&["Fix login bug"]));
    assert_eq!(search("login cake"), Vec::<String>::new());
    assert_eq!(search("  login \t  page\n "), set(&["Login page redesign"]));
    assert_eq!(search("cake"), set(&["Release party"]));
    // A word never spans the two fields.
    assert_eq!(search("alphabeta"), Vec::<String>::new());
    assert_eq!(search("alpha beta"), set(&["alpha"]));
    // Blank search is no search.
    assert_eq!(search("   ").len(), 5);
}

#[test]
fn search_words_shorter_than_three_characters_are_found_too() {
    let (ff, ada, ..) = solo_with_tasks(&[
        ("UX review", ""),
        ("Fix flux capacitor", ""),
        ("Tax form", ""),
        ("Other", "about ux"),
    ]);
    let search = |text: &str| title_set(&ff, &ada, &[("search", text)]);

    assert_eq!(
        search("ux"),
        set(&["UX review", "Fix flux capacitor", "Other"])
    );
    assert_eq!(search("Ux"), search("ux"));
    assert_eq!(
        search("x"),
        set(&["UX review", "Fix flux capacitor", "Tax form", "Other"])
    );
    assert_eq!(search("ux review"), set(&["UX review"]));
    assert_eq!(search("re ux"), set(&["UX review"]));
    assert_eq!(search("ux ab"), set(&["Other"]));
    assert_eq!(search("fo"), set(&["Tax form"]));
    assert_eq!(search("q"), Vec::<String>::new());
}

#[test]
fn search_ignores_case_beyond_ascii() {
    let (ff, ada, ..) = solo_with_tasks(&[
        ("Ärger im Büro", ""),
        ("Kein Problem", "nur ärger"),
        ("ПРИВЕТ мир", ""),
        ("Die straße", ""),
        ("Plain", "nothing"),
    ]);
    let search = |text: &str| title_set(&ff, &ada, &[("search", text)]);

    let aerger = set(&["Ärger im Büro", "Kein Problem"]);
    assert_eq!(search("ÄRGER"), aerger);
    assert_eq!(search("ärger"), aerger);
    assert_eq!(search("äRgEr"), aerger);
    assert_eq!(search("Ä"), aerger);
    assert_eq!(search("BÜRO"), set(&["Ärger im Büro"]));
    assert_eq!(search("Büro ärger"), set(&["Ärger im Büro"]));
    assert_eq!(search("привет"), set(&["ПРИВЕТ мир"]));
    assert_eq!(search("МИР"), set(&["ПРИВЕТ мир"]));
    assert_eq!(search("STRAßE"), set(&["Die straße"]));
    assert_eq!(search("aerger"), Vec::<String>::new());
}

#[test]
fn search_finds_text_exactly_as_written_in_any_script() {
    let (ff, ada, _, project) = solo();
    task(&ff, &ada, &project, "Trip to İstanbul");
    task(&ff, &ada, &project, "ᏣᎳᎩ language");
    task(&ff, &ada, &project, "Ϳ and Ԩ");
    // Each search text occurs in its title as written (or differs from it only in case), so
    // each must find it: a longer word can never find less than its own prefix.
    let cases = [
        ("İs", "Trip to İstanbul"),
        ("İstanbul", "Trip to İstanbul"),
        ("to İstanbul", "Trip to İstanbul"),
        ("ᏣᎳ", "ᏣᎳᎩ language"),
        ("ᏣᎳᎩ", "ᏣᎳᎩ language"),
        ("ꮳꮃꭹ", "ᏣᎳᎩ language"),
        ("Ϳ", "Ϳ and Ԩ"),
        ("Ϳ and", "Ϳ and Ԩ"),
        ("ϳ and ԩ", "Ϳ and Ԩ"),
        ("Ϳ a", "Ϳ and Ԩ"),
    ];
    let mut missed = Vec::new();
    for (text, title) in cases {
        let found = titles(&ff, &ada, &[("search", text)]);
        if found != [title] {
            missed.push(format!(
                "search={text:?} found {found:?}, expected [{title:?}]"
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "search misses text its titles contain:\n{}",
        missed.join("\n")
    );
}

#[test]
fn hostile_search_text_is_searched_literally_and_never_an_error() {
    let (ff, ada, _, project) = solo();
    let corpus = [
        "say \"hello\" there",
        "star * power",
        "call NEAR(a b) now",
        "well-known dash",
        "this OR that",
        "cats AND dogs",
        "it's mine",
        "100% done",
        "snake_case name",
        "back\\slash path",
        "title: colon",
        "caret ^x here",
        "plain words only",
        "Orange android",
        "handle percent sign",
    ];
    for title in corpus {
        task(&ff, &ada, &project, title);
    }
    let brief = [
        "\"", "*", "NEAR(", "-", "OR", "AND", "'", "%", "_", "\\", "title:", "^x",
    ];
    let more = [
        "\"hello\"",
        "\"unterminated",
        "NEAR",
        "NEAR(a",
        "a*",
        "*star",
        "-dash",
        "NOT",
        "this OR that",
        "cats AND dogs",
        "(",
        ")",
        ":",
        "{title}",
        "+",
        "^",
        "%%",
        "100%",
        "e_c",
        "'; DROP TABLE tasks; --",
        "\"\"\"",
        "\\\\",
        "OR AND NOT",
        "title:colon",
        "*:*",
    ];
    for text in brief.iter().chain(more.iter()) {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let mut expected: Vec<String> = corpus
            .iter()
            .filter(|title| {
                words
                    .iter()
                    .all(|w| title.to_lowercase().contains(w.as_str()))
            })
            .map(|title| (*title).to_owned())
            .collect();
        expected.sort();
        match list(&ff, &ada, &[("search", text)]) {
            Ok(page) => {
                let mut got: Vec<String> = page.items.into_iter().map(|t| t.title).collect();
                got.sort();
                assert_eq!(got, expected, "search={text:?}");
                assert_eq!(page.count, expected.len() as u64, "search={text:?}");
            }
            Err(e) => panic!("search={text:?} failed: {e:?}"),
        }
    }
    // Each of the contract's examples really does find something, so the checks above bite.
    for text in brief {
        let page = list(&ff, &ada, &[("search", text)]).expect("search");
        assert!(page.count > 0, "search={text:?} found nothing");
        assert!(
            page.count < corpus.len() as u64,
            "search={text:?} found everything"
        );
    }
    // Built in code, the same.
    let built = TaskQuery {
        search: Search::new("%"),
        ..TaskQuery::default()
    };
    assert_eq!(ff.list_tasks(&ada, &built).expect("search").items.len(), 1);
}

#[test]
fn search_text_with_a_nul_character_is_still_a_search() {
    let (ff, ada, org, project) = solo();
    task(&ff, &ada, &project, "abc task");
    let mut failures = Vec::new();
    for text in ["a\0bc", "abc\0", "\0\0\0", "ab\0", "\0"] {
        for (name, result) in every_list(&ff, &ada, org.id, &[("search", text)]) {
            if let Err(e) = result {
                failures.push(format!("{name}, search={text:?}: {e:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "a search was an error:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_search_of_many_words_is_still_a_search() {
    let (ff, ada, org, project) = solo();
    task(&ff, &ada, &project, "ordinary work");
    // 2 and 4 KB of query string (a thousand words), within the 4,000 characters a search
    // may have: repeats count once.
    let short = vec!["o"; 1000].join(" ");
    let long = vec!["ord"; 1000].join(" ");
    let mut failures = Vec::new();
    for (what, text) in [
        ("1000 one-letter words", &short),
        ("1000 three-letter words", &long),
    ] {
        for (name, result) in every_list(&ff, &ada, org.id, &[("search", text.as_str())]) {
            match result {
                Ok(page) if name == "tasks" => assert_eq!(page.count, 1, "tasks, {what}"),
                Ok(_) => {}
                Err(e) => failures.push(format!("{name}, {what}: {e:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "a long search was an error:\n{}",
        failures.join("\n")
    );
}

#[test]
fn search_follows_edits_and_deletions() {
    let (ff, ada, _, project) = solo();
    let t = task(&ff, &ada, &project, "Original heading");
    let found = |text: &str| list(&ff, &ada, &[("search", text)]).expect("search").count;
    assert_eq!(found("original"), 1);
    ff.update_task(
        &ada,
        t.id,
        &TaskPatch {
            title: Some("Renamed heading".into()),
            ..TaskPatch::default()
        },
    )
    .expect("rename");
    assert_eq!(found("original"), 0);
    assert_eq!(found("renamed"), 1);
    ff.update_task(
        &ada,
        t.id,
        &TaskPatch {
            description: Some("zebra crossing".into()),
            ..TaskPatch::default()
        },
    )
    .expect("describe");
    assert_eq!(found("ZEBRA"), 1);
    assert_eq!(found("zebra renamed"), 1);
    ff.delete_task(&ada, t.id).expect("delete");
    assert_eq!(found("zebra"), 0);
    assert_eq!(found("heading"), 0);
}

#[test]
fn members_are_searched_by_email_and_full_name() {
    let ff = open();
    let ada = named_user(&ff, "ada@example.com", "Ada Lovelace");
    let bob = named_user(&ff, "bob@sample.org", "Robert Tables");
    let acme = org(&ff, &ada, "Acme");
    add(&ff, &ada, &acme, &bob, Role::Member);
    let search = |text: &str| sorted(items(members(&ff, &ada, acme.id, &[("search", text)])));
    let (a, b) = ("ada@example.com", "bob@sample.org");

    assert_eq!(search("lovelace"), [a]);
    assert_eq!(search("SAMPLE"), [b]);
    assert_eq!(search("ada example"), [a]);
    assert_eq!(search("robert sample.org"), [b]);
    assert_eq!(search("ob"), [b]);
    assert_eq!(search("@"), [a, b]);
    assert_eq!(search("lovelace tables"), Vec::<String>::new());
    assert_eq!(search("%"), Vec::<String>::new());
    assert_eq!(search("_"), Vec::<String>::new());
    assert_eq!(search("\" OR 1=1"), Vec::<String>::new());
}

#[test]
fn projects_are_searched_by_name_and_description() {
    let (ff, ada, org, _) = solo();
    for (name, description) in [
        ("Docs", "the launch guide"),
        ("Ops", ""),
        ("Marketing_2026", "100% push"),
    ] {
        ff.create_project(
            &ada,
            &NewProject {
                description: description.into(),
                ..NewProject::new(org.id, name)
            },
        )
        .expect("project");
    }
    let search = |text: &str| sorted(items(projects(&ff, &ada, &[("search", text)])));
    assert_eq!(search("launch"), ["Docs", "Launch"]);
    assert_eq!(search("LAUNCH guide"), ["Docs"]);
    assert_eq!(search("ops"), ["Ops"]);
    assert_eq!(search("_"), ["Marketing_2026"]);
    assert_eq!(search("%"), ["Marketing_2026"]);
    assert_eq!(search("push marketing"), ["Marketing_2026"]);
    assert_eq!(search("nothing"), Vec::<String>::new());
}

#[test]
fn organizations_are_searched_by_name() {
    let ff = open();
    let ada = user(&ff, "ada@example.com");
    for name in ["Acme Rockets", "acme two", "Beta Labs", "100% Pure"] {
        ff.create_organization(
            &ada,
            &NewOrg {
                name: name.into(),
                slug: None,
            },
        )
        .expect("org");
    }
    let search = |text: &str| sorted(items(orgs(&ff, &ada, &[("search", text)])));
    assert_eq!(search("ACME"), ["Acme Rockets", "acme two"]);
    assert_eq!(search("rock"), ["Acme Rockets"]);
    assert_eq!(search("two acme"), ["acme two"]);
    assert_eq!(search("labs"), ["Beta Labs"]);
    assert_eq!(search("%"), ["100% Pure"]);
    assert_eq!(
        search("acme-two"),
        Vec::<String>::new(),
        "the slug is not searched"
    );
    assert_eq!(search("_"), Vec::<String>::new());
}

#[test]
fn every_search_finds_exactly_the_tasks_whose_folded_text_holds_each_word() {
    use flowforge_core::NewTask;
    let tasks = [
        ("Trip to İstanbul", "ΟΔΟΣ and the ΣΟΦΙΑ"),
        (
            "Fix login bug",
            "users can't sign in: \"quoted\" 100% _under_ back\\slash",
        ),
        ("ᏣᎳᎩ language", "NEAR(x) OR y - z ^caret title:col"),
        ("alpha", "beta*gamma Straße"),
    ];
    let searches = [
        "istanbul",
        "İs",
        "İSTANBUL",
        "οδοσ",
        "σοφια",
        "login",
        "in",
        "\"quoted\"",
        "100%",
        "_under_",
        "\\",
        "ᏣᎳ",
        "ꮳꮃꭹ",
        "NEAR(",
        "OR",
        "-",
        "*",
        "^caret",
        "title:",
        "gamma beta",
        "STRASSE",
        "straße",
        "zzz",
        "a",
    ];
    // The contract's folding: Unicode lower case, the final sigma as any sigma.
    let fold = |text: &str| -> String {
        text.chars()
            .flat_map(char::to_lowercase)
            .map(|c| if c == 'ς' { 'σ' } else { c })
            .collect()
    };
    let ff = crate::support::open();
    let ada = user(&ff, "ada@example.com");
    let org = org(&ff, &ada, "Acme");
    let project = ff
        .create_project(&ada, &NewProject::new(org.id, "Launch"))
        .unwrap();
    for (title, description) in tasks {
        let task = NewTask {
            description: description.into(),
            ..NewTask::new(project.id, title)
        };
        ff.create_task(&ada, &task).unwrap();
    }
    let mut found_any = false;
    for text in searches {
        let query = TaskQuery::from_pairs([("search", text), ("page_size", "100")]).unwrap();
        let mut found: Vec<&str> = ff
            .list_tasks(&ada, &query)
            .unwrap()
            .items
            .iter()
            .map(|t| tasks.iter().find(|(title, _)| *title == t.title).unwrap().0)
            .collect();
        found.sort_unstable();
        let mut expected: Vec<&str> = tasks
            .iter()
            .filter(|(title, description)| {
                fold(text)
                    .split_whitespace()
                    .all(|word| fold(title).contains(word) || fold(description).contains(word))
            })
            .map(|(title, _)| *title)
            .collect();
        expected.sort_unstable();
        assert_eq!(found, expected, "search {text:?}");
        found_any |= !found.is_empty();
    }
    assert!(found_any, "the searches find something");
}
