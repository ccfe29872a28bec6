use crate::{on_both_backends, support::app};

on_both_backends!(
    healthz_answers_while_the_process_runs,
    |app: &TestApp| async move {
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("\"ok\""));
    }
);

on_both_backends!(
    readyz_is_ready_once_migrations_are_applied,
    |app: &TestApp| async move {
        let res = app.get("/readyz").await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("\"ready\""));
    }
);

on_both_backends!(
    readyz_is_not_ready_when_a_migration_is_missing,
    |app: &TestApp| async move {
        // Arrange: forget the newest applied migration, as if this server were newer than the database.
        app.execute("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)").await;
        // Act
        let res = app.get("/readyz").await;
        // Assert: not ready, and no internal detail leaks.
        assert_eq!(res.status(), 503);
        let body = res.text().await.unwrap();
        assert!(body.contains("not_ready"));
        assert!(!body.contains("migration"));
    }
);

on_both_backends!(
    two_app_servers_starting_together_on_a_new_database_both_become_ready,
    |app: &TestApp| async move {
        // Two more servers start at the same moment against a new, empty database of the same
        // backend: their migrations must not collide.
        let (url, data_dir, pg) = app::fresh_database(app.backend()).await.unwrap();
        let (a, b) = tokio::join!(
            bawaba::server::build_state(app::settings(&data_dir, &url)),
            bawaba::server::build_state(app::settings(&data_dir, &url)),
        );
        let (a, b) = (
            a.expect("first server starts"),
            b.expect("second server starts"),
        );
        a.db.check_ready().await.expect("first ready");
        b.db.check_ready().await.expect("second ready");
        a.db.close().await;
        b.db.close().await;
        app::drop_database(data_dir, pg).await;
    }
);

on_both_backends!(
    the_serving_process_has_transparent_huge_pages_off,
    |app: &TestApp| async move {
        assert_eq!(app.get("/healthz").await.status(), 200);
        // Linux says so in the process's status (since 5.0); elsewhere there is nothing to turn off.
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) else {
            eprintln!(
                "no THP_enabled in /proc/self/status: not Linux, or too old a kernel; skipped"
            );
            return;
        };
        assert_eq!(
            line.split_whitespace().nth(1),
            Some("0"),
            "the allocator's page faults would zero 2 MiB pages (issue 23): {line}"
        );
    }
);
