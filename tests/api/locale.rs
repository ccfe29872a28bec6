use crate::{on_both_backends, support::html::html_lang_dir};

on_both_backends!(
    home_is_arabic_right_to_left_by_default,
    |app: &TestApp| async move {
        let html = app.get_html("/").await;
        assert_eq!(html_lang_dir(&html), ("ar".into(), "rtl".into()));
        assert!(
            html.contains("الخدمات الحكومية الإلكترونية"),
            "Arabic heading rendered on the server"
        );
    }
);

on_both_backends!(
    accept_language_chooses_french_when_there_is_no_cookie,
    |app: &TestApp| async move {
        let res = app
            .get_with("/", &[("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")])
            .await;
        let html = res.text().await.unwrap();
        assert_eq!(html_lang_dir(&html), ("fr".into(), "ltr".into()));
        assert!(html.contains("Services publics en ligne"));
    }
);

on_both_backends!(
    an_unsupported_accept_language_falls_back_to_arabic,
    |app: &TestApp| async move {
        let res = app
            .get_with("/", &[("accept-language", "de-DE,de;q=0.9")])
            .await;
        let html = res.text().await.unwrap();
        assert_eq!(html_lang_dir(&html).0, "ar");
    }
);

on_both_backends!(
    the_language_cookie_wins_over_accept_language,
    |app: &TestApp| async move {
        let res = app
            .get_with(
                "/",
                &[("accept-language", "fr"), ("cookie", "i18n_pref_locale=en")],
            )
            .await;
        let html = res.text().await.unwrap();
        assert_eq!(html_lang_dir(&html), ("en".into(), "ltr".into()));
        assert!(html.contains("Government e-services"));
    }
);

on_both_backends!(
    switching_language_keeps_the_user_on_the_same_page,
    |app: &TestApp| async move {
        // Act: follow the French link of the switch on the vignette page.
        let res = app.get("/lang/fr?next=%2Fvignette").await;
        // Assert: back to the same page, with the choice remembered.
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/vignette");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("i18n_pref_locale=fr;"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
        let html = app.get_html("/vignette").await;
        assert_eq!(html_lang_dir(&html), ("fr".into(), "ltr".into()));
        assert!(html.contains("Acheter votre vignette automobile"));
        // And back to Arabic.
        app.get("/lang/ar?next=%2Fvignette").await;
        let html = app.get_html("/vignette").await;
        assert_eq!(html_lang_dir(&html), ("ar".into(), "rtl".into()));
    }
);

on_both_backends!(
    the_switch_never_redirects_off_site,
    |app: &TestApp| async move {
        for next in [
            "%2F%2Fevil.example%2F",
            "https%3A%2F%2Fevil.example%2F",
            "%2F%5Cevil.example",
        ] {
            let res = app.get(&format!("/lang/en?next={next}")).await;
            assert_eq!(res.status(), 303);
            assert_eq!(res.headers()["location"], "/", "next={next}");
        }
    }
);

on_both_backends!(
    an_unknown_language_is_not_found,
    |app: &TestApp| async move {
        let res = app.get("/lang/xx?next=%2F").await;
        assert_eq!(res.status(), 404);
        assert!(res.headers().get("set-cookie").is_none());
    }
);

on_both_backends!(
    every_page_has_a_link_to_each_language_for_the_current_page,
    |app: &TestApp| async move {
        let html = app.get_html("/help").await;
        for code in ["ar", "fr", "en"] {
            assert!(
                html.contains(&format!("href=\"/lang/{code}?next=/help\"")),
                "{code} link"
            );
        }
    }
);

on_both_backends!(
    only_the_switch_writes_the_language_cookie,
    |app: &TestApp| async move {
        // A library-written copy without Path would be scoped to deep pages and outlive later switches.
        for path in ["/", "/vignette", "/no-such-page"] {
            let res = app
                .get_with(
                    path,
                    &[("cookie", "i18n_pref_locale=en"), ("accept-language", "fr")],
                )
                .await;
            assert!(
                res.headers().get("set-cookie").is_none(),
                "{path} wrote a cookie"
            );
        }
    }
);
