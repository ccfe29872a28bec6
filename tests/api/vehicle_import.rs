//! Importing vehicles from a CSV file: good rows added in one go, bad rows reported with their
//! reasons, a bad file refused whole, the report readable by its owner only.

use crate::{
    on_both_backends,
    support::people::{AMINA, KARIM},
    support::{app::TestApp, html::without_island_data, people::signed_in, vignette::upload},
};

async fn plates(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT plate FROM vehicles ORDER BY plate")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    rows.into_iter().map(|(p,)| p).collect()
}

on_both_backends!(
    good_rows_are_added_and_bad_rows_reported_with_their_reasons,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let template = amina.get("/vehicles/import/template.csv").await;
        assert_eq!(template.status(), 200);
        let template = template.text().await.unwrap();
        assert!(template.starts_with("\u{FEFF}plate,vin,category,fuel,first_year"));
        // The template's own rows are valid.
        let to = upload(app, &amina, "template.csv", template.as_bytes()).await;
        assert!(to.starts_with("/vehicles/import/report/"), "{to}");
        assert_eq!(plates(app).await, ["12345 119 16", "4567 322 31"]);

        // Karim's fleet: semicolons, columns in another order, Arabic digits, bad rows.
        let karim = signed_in(app, &KARIM, "en").await;
        let file = "first_year;plate;vin;category;fuel;fiscal_hp;gross_weight_t;seats;status\n\
                    2020;11111 120 16;VF1RFB00X56111111;1;petrol;7;;;\n\
                    2021;22222 421 09;VF1RFB00X56222222;4;diesel;;;30;\n\
                    2021;22222 421 09;VF1RFB00X56222223;4;diesel;;;30;\n\
                    2019;12345 119 16;VF1RFB00X56333333;1;diesel;6;;;\n\
                    2020;33333 120 99;VF1RFB00X56444444;1;petrol;7;;;\n\
                    2020;44444 320 16;VF1RFB00X56555555;1;petrol;7;;;\n\
                    ٢٠٢٠;55555 320 16;VF1RFB00X56666666;3;diesel;;3500;;\n\
                    2020;66666 120 16;VF1RFBO0X56777777;1;petrol;7;;;\n";
        let to = upload(app, &karim, "fleet.csv", file.as_bytes()).await;
        let html = without_island_data(&karim.page(&to).await);
        assert!(html.contains("fleet.csv"));
        assert!(html.contains("added: 2, refused: 6."), "{html}");
        for message in [
            "This plate is already on an earlier line of the file",
            "This plate is already registered in another account",
            "The last two digits of the plate must be a wilaya code, from 01 to 58",
            "The plate's category digit does not match the category you chose",
            "Enter a weight between 0.001 and 100 tonnes: for 3 500 kg, enter 3.5",
            "A chassis number never has the letters I, O or Q: check for 1 and 0",
        ] {
            assert!(html.contains(message), "{message}");
        }
        assert_eq!(
            plates(app).await,
            [
                "11111 120 16",
                "12345 119 16",
                "22222 421 09",
                "4567 322 31"
            ]
        );
        // The plate Amina holds is a conflict for the administrators.
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM plate_conflicts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);
        // Reloading the report imports nothing again; another account cannot read it.
        karim.page(&to).await;
        assert_eq!(plates(app).await.len(), 4);
        assert_eq!(amina.get(&to).await.status(), 404);
    }
);

on_both_backends!(
    a_file_that_is_not_the_template_adds_nothing_and_says_why,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let cases: [(&[u8], &str, &str); 5] = [
            (
                b"\x89PNG\r\n\x1a\n\0\0\0IHDR",
                "not_text",
                "The file is not a CSV text file",
            ),
            (
                b"name,colour\nA,red\n",
                "columns",
                "The first line must name the columns plate, vin, category, fuel and first_year",
            ),
            (
                b"plate,vin,category,fuel,first_year\n",
                "empty",
                "The file has no vehicle rows",
            ),
            (
                &[b'a'; 600 * 1024],
                "too_large",
                "The file is larger than 512 KB",
            ),
            (b"", "missing", "Choose a CSV file"),
        ];
        for (file, code, message) in cases {
            let to = upload(app, &amina, "x.csv", file).await;
            assert_eq!(to, format!("/vehicles/import?problem={code}"));
            let html = amina.page(&to).await;
            assert!(html.contains(message), "{code}");
            assert!(html.contains("<title>Error: Import vehicles from a file"));
        }
        let mut many = String::from("plate,vin,category,fuel,first_year\n");
        for i in 0..2001 {
            many.push_str(&format!(
                "{},VF1RFB00X56123456,1,petrol,2019\n",
                100_000 + i
            ));
        }
        let to = upload(app, &amina, "many.csv", many.as_bytes()).await;
        assert_eq!(to, "/vehicles/import?problem=too_many_rows");
        assert!(plates(app).await.is_empty());
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM vehicle_imports")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 0, "no report for a refused file");
    }
);
