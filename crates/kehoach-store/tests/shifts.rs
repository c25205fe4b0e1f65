//! A shift is never over-filled: members sign up at the same moment for a
//! shift with fewer places than them; exactly `places` succeed, the others
//! are told it is full; the same member twice takes one place. SQLite and
//! PostgreSQL.

use kehoach_core::{ErrorCode, SEED_PLAN_TOML, seed_plan};
use kehoach_store::testing::{self, fresh_database_urls};
use kehoach_store::*;

const NOW: i64 = 1_781_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ups_fill_a_shift_exactly() {
    for (backend, url) in fresh_database_urls().await {
        let store = Store::open(&url, true).await.unwrap();
        store.migrate().await.unwrap();
        let plan = seed_plan();
        store.import_plan(&plan, SEED_PLAN_TOML, NOW).await.unwrap();
        let pid = plan.plan.id.clone();
        let units = store.list_units(&pid).await.unwrap();
        let village = units.iter().find(|u| u.kind == "village").unwrap().id.clone();
        let union = units.iter().find(|u| u.kind == "youth_union").unwrap().id.clone();
        let user = store
            .create_user(
                &pid,
                NewUser {
                    username: "bithu".into(),
                    full_name: "Bí thư Đoàn".into(),
                    role: Role::Coordinator,
                    unit_id: None,
                    password: "mat-khau-dai-2026".into(),
                },
                NOW,
            )
            .await
            .unwrap();
        let members: Vec<PersonInput> = (0..12)
            .map(|i| testing::person(&format!("Đoàn viên {i:02}"), 2002, &union))
            .collect();
        store
            .import_roster(&pid, "youth_members", &members, false, &user.id, NOW)
            .await
            .unwrap();
        let people: Vec<String> = store
            .roster_people(&pid, Some("youth_members"), None)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let team = store
            .create_team(
                &pid,
                "Đội hình thôn mẫu 1",
                Some(&people[0]),
                &people[1..6],
                std::slice::from_ref(&village),
                &user.id,
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(team.members, 6, "{backend}");
        assert_eq!(
            store.team_villages(&pid).await.unwrap(),
            vec![(team.id.clone(), village.clone())],
            "{backend}"
        );
        store
            .launch_teams(&pid, std::slice::from_ref(&team.id), "2026-06-05")
            .await
            .unwrap();
        assert_eq!(
            store.teams(&pid).await.unwrap()[0].launched_on.as_deref(),
            Some("2026-06-05"),
            "{backend}"
        );
        let shift = store
            .create_shift(
                NewShift {
                    team_id: Some(team.id.clone()),
                    places: 3,
                    ..testing::shift(&pid, &village, day("2026-07-12"), &user.id)
                },
                NOW,
            )
            .await
            .unwrap();

        // Twelve members at once for three places.
        let mut tasks = Vec::new();
        for p in &people {
            let (store, pid, shift, p, u) = (store.clone(), pid.clone(), shift.id.clone(), p.clone(), user.id.clone());
            tasks.push(tokio::spawn(
                async move { store.sign_up(&pid, &shift, &p, &u, NOW).await },
            ));
        }
        let mut taken = 0;
        let mut full = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(SignUp::Taken) => taken += 1,
                Err(StoreError::Conflict {
                    code: ErrorCode::ShiftFull,
                    ..
                }) => full += 1,
                other => panic!("{backend}: unexpected {other:?}"),
            }
        }
        assert_eq!((taken, full), (3, 9), "{backend}");
        let s = store.shift(&pid, &shift.id).await.unwrap();
        assert_eq!((s.taken, s.places), (3, 3), "{backend}");
        let signed: usize = {
            let mut n = 0;
            for p in &people {
                n += store.person_shifts(&pid, p).await.unwrap().len();
            }
            n
        };
        assert_eq!(signed, 3, "{backend}: three sign-ups stored, no more");

        // The same member twice at once on a roomy shift: one place.
        let roomy = store
            .create_shift(
                NewShift {
                    start_time: "14:00".into(),
                    end_time: "16:00".into(),
                    places: 10,
                    ..testing::shift(&pid, &village, day("2026-07-13"), &user.id)
                },
                NOW,
            )
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            store.sign_up(&pid, &roomy.id, &people[0], &user.id, NOW),
            store.sign_up(&pid, &roomy.id, &people[0], &user.id, NOW)
        );
        let mut outcomes = [a.unwrap(), b.unwrap()];
        outcomes.sort_by_key(|o| *o == SignUp::Already);
        assert_eq!(outcomes, [SignUp::Taken, SignUp::Already], "{backend}");
        assert_eq!(store.shift(&pid, &roomy.id).await.unwrap().taken, 1, "{backend}");
        // Not a youth-union member: refused.
        let officials = store.roster_people(&pid, Some("officials"), None).await.unwrap();
        assert!(officials.is_empty());
        let e = store
            .sign_up(&pid, &roomy.id, "khong-co", &user.id, NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::Conflict {
                    code: ErrorCode::PersonNotMember,
                    ..
                }
            ),
            "{backend}"
        );
        store.close().await;
    }
}

fn day(iso: &str) -> kehoach_core::Day {
    kehoach_core::Day::parse_iso(iso).expect("a day")
}
