//! The ID card application's documents (issue 21) through HTTP as a browser without
//! JavaScript sends them (multipart forms), on both file stores: the local directory and a
//! real S3-compatible server. Types judged by content, limits while the body streams, images
//! re-encoded, the pre-check's findings shown, owner checks on every document route.

use crate::support::{
    app::{Backend, Browser, TestApp, spawn_app_with},
    idcard::{applicant, good_photo, good_scan, upload, upload_to},
    people::{AMINA, KARIM},
    s3::S3Server,
};
use bawaba::features::idcard::documents::samples::{bomb, encrypted_pdf, pdf_with_pages, scan};
use futures::StreamExt;
use image::ImageFormat;

/// Runs `body` on an app whose files are in a local directory, then on one whose files are
/// in an S3 bucket, each on SQLite and (when configured) PostgreSQL.
macro_rules! on_both_stores {
    ($name:ident, |$app:ident: &TestApp, $s3:ident: Option<&S3Server>| async move $body:block) => {
        mod $name {
            use super::*;

            async fn run(backend: Backend, with_s3: bool) {
                let server = if with_s3 {
                    Some(S3Server::start().await)
                } else {
                    None
                };
                let settings = server.as_ref().map(|s| s.settings()).unwrap_or_default();
                let Some(owned) = spawn_app_with(backend, &settings).await else {
                    eprintln!("PostgreSQL half skipped: TEST_DATABASE_URL is not set");
                    return;
                };
                {
                    let $app: &TestApp = &owned;
                    let $s3: Option<&S3Server> = server.as_ref();
                    $body
                }
                owned.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_local() {
                run(Backend::Sqlite, false).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_s3() {
                run(Backend::Sqlite, true).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_local() {
                run(Backend::Postgres, false).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_s3() {
                run(Backend::Postgres, true).await
            }
        }
    };
}

async fn stored_rows(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT kind, storage_key, problems FROM idcard_documents ORDER BY uploaded_at, id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

/// The keys the file store holds, whichever it is.
fn stored_keys(app: &TestApp, s3: Option<&S3Server>) -> Vec<String> {
    match s3 {
        Some(server) => server.keys(),
        None => {
            let mut out = Vec::new();
            let base = app.data_dir.join("files");
            let mut dirs = vec![base.clone()];
            while let Some(dir) = dirs.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        dirs.push(path);
                    } else {
                        out.push(path.strip_prefix(&base).unwrap().display().to_string());
                    }
                }
            }
            out
        }
    }
}

on_both_stores!(
    documents_are_kept_checked_shown_and_removed,
    |app: &TestApp, s3: Option<&S3Server>| async move {
        let (b, id) = applicant(app, &AMINA).await;
        let page_path = format!("/id-card/applications/{id}/documents");
        let page = b.page(&page_path).await;
        assert!(page.contains("Upload your documents"), "{page}");
        assert!(page.contains("Passport-style photo") && !page.contains("Loss declaration"));

        // A good scan: kept, re-encoded, readable by its owner only.
        let to = upload_to(&b, &id, "passport", "passport.png", good_scan()).await;
        assert_eq!(to, format!("{page_path}#passport"));
        let rows = stored_rows(app).await;
        assert_eq!(rows.len(), 1);
        let (_, key, problems) = &rows[0];
        assert_eq!(problems, "");
        assert!(
            key.starts_with(&format!("idcard/{id}/")) && key.ends_with(".png"),
            "{key}"
        );
        assert_eq!(stored_keys(app, s3), vec![key.clone()]);
        let page = b.page(&page_path).await;
        assert!(page.contains("Checked: readable"), "{page}");
        let html = crate::support::people::html(&b, &page_path).await;
        let doc_id: (String,) = sqlx::query_as("SELECT id FROM idcard_documents")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let file_url = format!("{page_path}/passport/{}", doc_id.0);
        assert!(html.contains(&file_url), "a link to the file");
        let res = b.get(&file_url).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        assert!(
            res.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
        let body = res.bytes().await.unwrap();
        assert!(body.starts_with(&[0x89, b'P', b'N', b'G']));

        // A dark photo of a bill: kept, with what to do about it, next to the document.
        upload_to(
            &b,
            &id,
            "proof_of_address",
            "bill.jpg",
            scan(1200, 1600, 30, 5, ImageFormat::Jpeg),
        )
        .await;
        let page = b.page(&page_path).await;
        assert!(
            page.contains("The image is too dark: take it again facing a window"),
            "{page}"
        );

        // The photo takes one file: a second is refused.
        upload_to(&b, &id, "photo", "me.jpg", good_photo()).await;
        let to = upload_to(&b, &id, "photo", "me-again.jpg", good_photo()).await;
        assert_eq!(to, format!("{page_path}?refused=too_many&kind=photo"));
        let page = b.page(&to).await;
        assert!(
            page.contains("already has as many files as it can take"),
            "{page}"
        );

        // Removed: the row and the file.
        let before = stored_keys(app, s3).len();
        let to = b
            .post_form(
                "/api/id-card/application/documents/remove",
                &[("id", id.as_str()), ("document", doc_id.0.as_str())],
            )
            .await;
        assert_eq!(to, page_path);
        assert_eq!(stored_keys(app, s3).len(), before - 1);
        assert!(!stored_keys(app, s3).contains(key));
        assert_eq!(b.get(&file_url).await.status(), 404);
    }
);

on_both_stores!(
    bad_files_are_refused_by_their_content_and_size,
    |app: &TestApp, s3: Option<&S3Server>| async move {
        let (b, id) = applicant(app, &AMINA).await;
        let refused = |code: &str, kind: &str| {
            format!("/id-card/applications/{id}/documents?refused={code}&kind={kind}")
        };
        // A program named .jpg, a web page named .pdf (declared as such).
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".repeat(100);
        let res = upload(&b, &id, "passport", "photo.jpg", "image/jpeg", exe).await;
        assert_eq!(
            res.headers()["location"],
            refused("not_allowed", "passport").as_str()
        );
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
        let res = upload(&b, &id, "passport", "scan.pdf", "application/pdf", html).await;
        assert_eq!(
            res.headers()["location"],
            refused("not_allowed", "passport").as_str()
        );
        let page = b.page(&refused("not_allowed", "passport")).await;
        assert!(
            page.contains("this one is something else, whatever its name says"),
            "{page}"
        );
        // A zero-byte file; the form sent with no file chosen.
        assert_eq!(
            upload_to(&b, &id, "passport", "empty.png", vec![]).await,
            refused("empty", "passport")
        );
        let nothing = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
        );
        let res = b
            .client
            .post(format!(
                "{}/id-card/applications/{id}/documents/passport",
                b.base
            ))
            .multipart(nothing)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["location"],
            refused("missing", "passport").as_str()
        );
        // A decompression bomb: refused from its header.
        assert_eq!(
            upload_to(&b, &id, "passport", "bomb.png", bomb(100_000, 100_000)).await,
            refused("too_many_pixels", "passport")
        );
        // A PDF as the photo.
        assert_eq!(
            upload_to(&b, &id, "photo", "me.pdf", pdf_with_pages(1)).await,
            refused("photo_not_image", "photo")
        );
        // One byte over the limit (lowered for the test), then exactly the limit.
        let limit = 300_000usize;
        app.execute(&format!(
            "UPDATE idcard_document_rules SET value = {limit} WHERE name = 'max_file_bytes'"
        ))
        .await;
        let mut over = pdf_with_pages(1);
        over.resize(limit + 1, b' ');
        assert_eq!(
            upload_to(&b, &id, "passport", "big.pdf", over).await,
            refused("too_large", "passport")
        );
        let mut exact = pdf_with_pages(1);
        exact.resize(limit, b' ');
        assert!(
            upload_to(&b, &id, "passport", "ok.pdf", exact)
                .await
                .ends_with("#passport")
        );
        // A 50 MB body: refused while it streams. The server stops reading at the limit and
        // answers at once; a client still sending may see the connection closed instead.
        let huge = vec![b'%'; 50 * 1024 * 1024];
        let part = reqwest::multipart::Part::bytes(huge).file_name("huge.pdf");
        let sent = b
            .client
            .post(format!(
                "{}/id-card/applications/{id}/documents/employer_letter",
                b.base
            ))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await;
        if let Ok(res) = sent {
            assert_eq!(
                res.headers()["location"],
                refused("too_large", "employer_letter").as_str()
            );
        }
        // An encrypted PDF and a corrupt one are kept, with what to do about them.
        upload_to(&b, &id, "employer_letter", "letter.pdf", encrypted_pdf()).await;
        upload_to(
            &b,
            &id,
            "residence_permit",
            "permit.pdf",
            b"%PDF-1.4\ngarbage".to_vec(),
        )
        .await;
        let page = b
            .page(&format!("/id-card/applications/{id}/documents"))
            .await;
        assert!(page.contains("protected by a password"), "{page}");
        assert!(page.contains("The PDF cannot be read"), "{page}");
        // Nothing refused was kept.
        let rows = stored_rows(app).await;
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(stored_keys(app, s3).len(), 3);
    }
);

on_both_stores!(
    another_account_or_a_visitor_reaches_no_document,
    |app: &TestApp, s3: Option<&S3Server>| async move {
        let (owner, id) = applicant(app, &AMINA).await;
        upload_to(&owner, &id, "passport", "p.png", good_scan()).await;
        let (doc,): (String,) = sqlx::query_as("SELECT id FROM idcard_documents")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let page = format!("/id-card/applications/{id}/documents");
        let file = format!("{page}/passport/{doc}");
        let (stranger, their_id) = applicant(app, &KARIM).await;
        let visitor = app.browser("en");
        // A visitor is sent to sign in; another account finds nothing.
        let nothing = |status: reqwest::StatusCode, b: &Browser| {
            if std::ptr::eq(b, &visitor) {
                status == 302
            } else {
                status == 404
            }
        };
        for b in [&stranger, &visitor] {
            let res = b.get(&file).await;
            assert!(nothing(res.status(), b), "the file: {}", res.status());
            let body = res.bytes().await.unwrap();
            assert!(!body.starts_with(&[0x89, b'P', b'N', b'G']));
            // The right document id under the stranger's own application: still nothing.
            let crossed = format!("/id-card/applications/{their_id}/documents/passport/{doc}");
            assert!(nothing(b.get(&crossed).await.status(), b), "crossed");
            let res = upload(b, &id, "passport", "x.png", "image/png", good_scan()).await;
            assert!(
                nothing(res.status(), b),
                "an upload to another's application"
            );
            let res = b
                .client
                .post(format!(
                    "{}/api/id-card/application/documents/remove",
                    b.base
                ))
                .header("accept", "text/html")
                .form(&[("id", id.as_str()), ("document", doc.as_str())])
                .send()
                .await
                .unwrap();
            let to = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string())
                .unwrap_or_default();
            assert!(
                res.status() == 404 || (res.status().is_redirection() && to != page),
                "{to}"
            );
        }
        assert_ne!(stranger.get(&page).await.status(), 200);
        // Still there for its owner.
        assert_eq!(owner.get(&file).await.status(), 200);
        assert_eq!(stored_keys(app, s3).len(), 1);
    }
);

on_both_stores!(
    the_documents_section_is_completed_when_every_document_passes,
    |app: &TestApp, _s3: Option<&S3Server>| async move {
        let (b, id) = applicant(app, &AMINA).await;
        let list = format!("/id-card/applications/{id}");
        assert!(b.page(&list).await.contains("Sections completed: 0 of 8"));
        for kind in [
            "passport",
            "residence_permit",
            "proof_of_address",
            "employer_letter",
        ] {
            upload_to(&b, &id, kind, "scan.png", good_scan()).await;
        }
        upload_to(&b, &id, "photo", "me.jpg", good_photo()).await;
        let page = b.page(&list).await;
        assert!(page.contains("Sections completed: 1 of 8"), "{page}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_may_arrive_slowly_where_a_page_may_not() {
    let Some(app) = spawn_app_with(
        Backend::Sqlite,
        &[("BAWABA_REQUEST_SECONDS", "1".to_string())],
    )
    .await
    else {
        return;
    };
    let (b, id) = applicant(&app, &AMINA).await;
    // The scan, sent in pieces over three seconds: three times the time a page may take.
    let boundary = "XbawabaX";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\
         content-type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(good_scan());
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let pieces: Vec<Vec<u8>> = body
        .chunks(body.len() / 6 + 1)
        .map(<[u8]>::to_vec)
        .collect();
    let slow = futures::stream::iter(pieces).then(|piece| async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        Ok::<_, std::io::Error>(piece)
    });
    let res = b
        .client
        .post(format!(
            "{}/id-card/applications/{id}/documents/passport",
            b.base
        ))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(reqwest::Body::wrap_stream(slow))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "not cut off after one second");
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("#passport")
    );
    // The same slowness on a page's form is cut off at the limit.
    let form =
        format!("id={id}&step=employer&employer_name=Qatar+Airways&establishment_number=12345678");
    let pieces: Vec<Vec<u8>> = form
        .as_bytes()
        .chunks(form.len() / 6 + 1)
        .map(<[u8]>::to_vec)
        .collect();
    let slow = futures::stream::iter(pieces).then(|piece| async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        Ok::<_, std::io::Error>(piece)
    });
    let res = b
        .client
        .post(format!("{}/api/id-card/application/answer", b.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body(reqwest::Body::wrap_stream(slow))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503, "cut off after one second");
    app.cleanup().await;
}
