//! The store on SQLite and on PostgreSQL: the same stories on both.

use kehoach_core::ErrorCode;
use kehoach_core::{SEED_PLAN_TOML, UnitKind, seed_plan};
use kehoach_store::testing::fresh_database_urls;
use kehoach_store::*;

const NOW: i64 = 1_781_000_000;

async fn seeded(url: &str) -> Store {
    let store = Store::open(url, true).await.unwrap();
    store.migrate().await.unwrap();
    assert!(store.import_plan(&seed_plan(), SEED_PLAN_TOML, NOW).await.unwrap());
    store
}

#[tokio::test]
async fn mistyped_sqlite_path_is_an_error_not_a_new_database() {
    let dir = std::env::temp_dir().join(format!("kh-missing-{}", new_id()));
    let path = dir.join("kehoch.sqlite");
    let err = Store::open(&format!("sqlite:{}", path.display()), false)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::MissingDatabase(_)), "{err}");
    assert!(!path.exists());
    assert!(matches!(
        Store::open("mysql://x/y", true).await.err().unwrap(),
        StoreError::BadUrl(_)
    ));
}

#[tokio::test]
async fn seed_plan_import_is_idempotent_and_units_follow_the_plan() {
    for (backend, url) in fresh_database_urls().await {
        let store = seeded(&url).await;
        let plan = seed_plan();
        assert!(
            !store.import_plan(&plan, SEED_PLAN_TOML, NOW).await.unwrap(),
            "{backend}"
        );
        assert_eq!(store.plan_ids().await.unwrap(), vec![plan.plan.id.to_string()]);
        assert_eq!(store.plan_source(&plan.plan.id).await.unwrap(), SEED_PLAN_TOML);
        let units = store.list_units(&plan.plan.id).await.unwrap();
        assert_eq!(units.len(), plan.units.len(), "{backend}");
        let school = units.iter().find(|u| u.name == "Trường Tiểu học Việt Tiến").unwrap();
        assert_eq!((school.kind.as_str(), school.has_smart_classroom), ("school", 1));
        assert!(units.iter().filter(|u| u.kind == "village").all(|u| u.sample == 1));
        store.close().await;
    }
}

#[tokio::test]
async fn units_classes_and_populations() {
    for (backend, url) in fresh_database_urls().await {
        let store = seeded(&url).await;
        let pid = seed_plan().plan.id;
        let v = store
            .create_unit(
                &pid,
                NewUnit {
                    name: "  Thôn Đông ".into(),
                    short_name: None,
                    kind: UnitKind::Village,
                    has_smart_classroom: false,
                },
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(
            (v.name.as_str(), v.slug.as_str(), v.sample),
            ("Thôn Đông", "thon-dong", 0),
            "{backend}"
        );
        // Same name ignoring diacritics and case: refused.
        let dup = store
            .create_unit(
                &pid,
                NewUnit {
                    name: "thon dong".into(),
                    short_name: None,
                    kind: UnitKind::Village,
                    has_smart_classroom: false,
                },
                NOW,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                dup,
                StoreError::Conflict {
                    code: ErrorCode::UnitNameTaken,
                    ..
                }
            ),
            "{backend}: {dup}"
        );
        let err = store
            .create_unit(
                &pid,
                NewUnit {
                    name: "Thôn Tây".into(),
                    short_name: None,
                    kind: UnitKind::Village,
                    has_smart_classroom: true,
                },
                NOW,
            )
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::Conflict {
                code: ErrorCode::SmartClassroomOnlyForSchools,
                ..
            }
        ));
        let renamed = store
            .update_unit(
                &pid,
                &v.id,
                UnitPatch {
                    name: Some("Thôn Đông Hải".into()),
                    active: Some(false),
                    ..Default::default()
                },
                NOW,
            )
            .await
            .unwrap();
        assert_eq!((renamed.name.as_str(), renamed.active), ("Thôn Đông Hải", 0));
        store
            .set_population(&pid, &v.id, "children", Some(312), NOW)
            .await
            .unwrap();
        store
            .set_population(&pid, &v.id, "children", Some(315), NOW)
            .await
            .unwrap();
        let pops = store.populations(&pid).await.unwrap();
        assert_eq!(pops.len(), 1);
        assert_eq!(pops[0].value, 315);
        assert!(store.set_population(&pid, &v.id, "cats", Some(1), NOW).await.is_err());
        assert!(
            store
                .set_population(&pid, &v.id, "children", Some(-1), NOW)
                .await
                .is_err()
        );
        assert_eq!(
            store.populations(&pid).await.unwrap()[0].value,
            315,
            "a refused write changes nothing"
        );

        let school = store
            .list_units(&pid)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.kind == "school")
            .unwrap();
        let c = store.add_class(&pid, &school.id, "7A", Some(35), NOW).await.unwrap();
        assert!(matches!(
            store.add_class(&pid, &school.id, "7a", None, NOW).await.unwrap_err(),
            StoreError::Conflict {
                code: ErrorCode::ClassNameTaken,
                ..
            }
        ));
        assert!(
            store.add_class(&pid, &v.id, "1A", None, NOW).await.is_err(),
            "villages have no classes"
        );
        store.set_class_active(&pid, &c.id, false, NOW).await.unwrap();
        assert_eq!(store.list_classes(&pid).await.unwrap()[0].active, 0);
        store.close().await;
    }
}

#[tokio::test]
async fn accounts_sessions_and_invites() {
    for (backend, url) in fresh_database_urls().await {
        let store = seeded(&url).await;
        let pid = seed_plan().plan.id;
        let setup = store
            .create_invite(
                &pid,
                NewInvite {
                    role: Role::Coordinator,
                    unit_id: None,
                    note: None,
                    created_by: None,
                    ttl_secs: 3600,
                },
                NOW,
            )
            .await
            .unwrap();
        assert!(store.pending_setup(&pid, NOW).await.unwrap());
        // A bad password gives the link back.
        assert!(
            store
                .accept_invite(&pid, &setup, "ctv.vhxh", "Nguyễn Thị Hoa", "short", NOW)
                .await
                .is_err()
        );
        let coord = store
            .accept_invite(&pid, &setup, "ctv.vhxh", "Nguyễn Thị Hoa", "mật-khẩu-dài-1", NOW)
            .await
            .unwrap();
        assert_eq!(coord.role(), Role::Coordinator, "{backend}");
        assert!(
            store
                .accept_invite(&pid, &setup, "other", "X Y", "mật-khẩu-dài-1", NOW)
                .await
                .is_err(),
            "an invite works once"
        );
        assert!(!store.pending_setup(&pid, NOW).await.unwrap());

        assert!(
            store
                .check_login(&pid, "ctv.vhxh", "sai-mat-khau-1")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .check_login(&pid, "nobody", "sai-mat-khau-1")
                .await
                .unwrap()
                .is_none()
        );
        let u = store
            .check_login(&pid, "CTV.VHXH", "mật-khẩu-dài-1")
            .await
            .unwrap()
            .unwrap();
        let (token, csrf) = store.create_session(&u.id, NOW).await.unwrap();
        let (su, scsrf) = store.session_user(&pid, &token, NOW + 10).await.unwrap().unwrap();
        assert_eq!((su.id.as_str(), scsrf.as_str()), (u.id.as_str(), csrf.as_str()));
        assert!(
            store
                .session_user(&pid, &token, NOW + SESSION_TTL_SECS + 1)
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        assert!(store.session_user(&pid, "forged", NOW).await.unwrap().is_none());

        // Reporters need a unit; usernames are unique.
        let village = store
            .list_units(&pid)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.kind == "village")
            .unwrap();
        let nu = |name: &str, role, unit: Option<String>| NewUser {
            username: name.into(),
            full_name: "Trần Văn Bình".into(),
            role,
            unit_id: unit,
            password: "mật-khẩu-dài-2".into(),
        };
        assert!(matches!(
            store
                .create_user(&pid, nu("bcv1", Role::UnitReporter, None), NOW)
                .await
                .unwrap_err(),
            StoreError::Conflict {
                code: ErrorCode::UnitRequired,
                ..
            }
        ));
        let rep = store
            .create_user(&pid, nu("bcv1", Role::UnitReporter, Some(village.id.clone())), NOW)
            .await
            .unwrap();
        assert!(matches!(
            store
                .create_user(&pid, nu("bcv1", Role::Viewer, None), NOW)
                .await
                .unwrap_err(),
            StoreError::Conflict {
                code: ErrorCode::UsernameTaken,
                ..
            }
        ));
        // The last coordinator cannot be demoted.
        let e = store
            .update_user(
                &pid,
                &coord.id,
                UserPatch {
                    role: Some(Role::Viewer),
                    ..Default::default()
                },
                NOW,
            )
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            StoreError::Conflict {
                code: ErrorCode::LastCoordinator,
                ..
            }
        ));
        // Deactivating a user ends their sessions.
        let (rt, _) = store.create_session(&rep.id, NOW).await.unwrap();
        store
            .update_user(
                &pid,
                &rep.id,
                UserPatch {
                    active: Some(false),
                    ..Default::default()
                },
                NOW,
            )
            .await
            .unwrap();
        assert!(store.session_user(&pid, &rt, NOW).await.unwrap().is_none());
        assert!(
            store
                .check_login(&pid, "bcv1", "mật-khẩu-dài-2")
                .await
                .unwrap()
                .is_none()
        );
        store.delete_session(&token).await.unwrap();
        assert!(store.session_user(&pid, &token, NOW).await.unwrap().is_none());
        store.close().await;
    }
}

#[tokio::test]
async fn backup_is_a_consistent_copy() {
    let (_, url) = fresh_database_urls().await.remove(0);
    let store = seeded(&url).await;
    let target = std::env::temp_dir().join(format!("kh-backup-{}.sqlite", new_id()));
    store.backup(&target).await.unwrap();
    assert!(store.backup(&target).await.is_err(), "never overwrites");
    let copy = Store::open(&format!("sqlite:{}", target.display()), false)
        .await
        .unwrap();
    assert_eq!(
        copy.list_units(&seed_plan().plan.id).await.unwrap().len(),
        seed_plan().units.len()
    );
}

fn turn(id: &str, plan: &str, unit: &str, by: &str) -> NewTurn {
    NewTurn {
        id: id.into(),
        plan_id: plan.into(),
        line_id: "l3-support".into(),
        unit_id: unit.into(),
        service: "asxh-vneid".into(),
        elderly: false,
        day: "2026-07-15".into(),
        recorded_at: NOW,
        created_by: by.into(),
    }
}

#[tokio::test]
async fn ingest_writer_stores_each_id_once_under_concurrency() {
    for (backend, url) in fresh_database_urls().await {
        let store = seeded(&url).await;
        let pid = seed_plan().plan.id;
        let village = store
            .list_units(&pid)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.kind == "village")
            .unwrap();
        let setup = store
            .create_invite(
                &pid,
                NewInvite {
                    role: Role::Coordinator,
                    unit_id: None,
                    note: None,
                    created_by: None,
                    ttl_secs: 3600,
                },
                NOW,
            )
            .await
            .unwrap();
        let user = store
            .accept_invite(&pid, &setup, "dieuphoi", "Điều Phối", "mat-khau-dai-2026", NOW)
            .await
            .unwrap();
        let writer = IngestWriter::start(store.clone(), kehoach_core::Clock::fixed(NOW));
        // 16 tasks send overlapping batches: 400 distinct ids, each sent twice.
        let ids: Vec<String> = (0..400).map(|_| uuid::Uuid::now_v7().to_string()).collect();
        let mut tasks = Vec::new();
        for k in 0..16 {
            let writer = writer.clone();
            let batch: Vec<NewTurn> = ids
                .iter()
                .skip(k * 50 % 400)
                .take(50)
                .map(|id| turn(id, &pid, &village.id, &user.id))
                .collect();
            tasks.push(tokio::spawn(async move { writer.write(batch).await.unwrap() }));
        }
        let mut stored = 0;
        let mut dup = 0;
        for t in tasks {
            for o in t.await.unwrap() {
                match o {
                    WriteOutcome::Stored => stored += 1,
                    WriteOutcome::Duplicate => dup += 1,
                    WriteOutcome::IdTaken => panic!("{backend}: a retry is a duplicate, not a conflict"),
                }
            }
        }
        assert_eq!((stored, dup), (400, 400), "{backend}");
        assert_eq!(store.count_turns(&pid).await.unwrap(), 400, "{backend}");
        // Soft delete: gone from counts, kept with its reason, logged.
        let gone = store
            .delete_turn(&pid, &ids[0], &user.id, "Ghi nhầm", NOW + 5)
            .await
            .unwrap();
        assert_eq!(
            (gone.deleted_at, gone.delete_reason.as_deref()),
            (Some(NOW + 5), Some("Ghi nhầm"))
        );
        assert_eq!(store.count_turns(&pid).await.unwrap(), 399);
        let log = store.audit(&pid, Some(&village.id), 10).await.unwrap();
        assert_eq!(
            (
                log[0].entity.as_str(),
                log[0].action.as_str(),
                log[0].user_id.as_deref()
            ),
            ("support_turn", "delete", Some(user.id.as_str()))
        );
        // Re-sending a deleted turn does not bring it back.
        let again = writer
            .write(vec![turn(&ids[0], &pid, &village.id, &user.id)])
            .await
            .unwrap();
        assert_eq!(again, [WriteOutcome::Duplicate]);
        assert_eq!(store.count_turns(&pid).await.unwrap(), 399, "{backend}");
        store.close().await;
    }
}
