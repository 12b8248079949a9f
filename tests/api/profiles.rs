//! The native profiles API: every route, its success and its errors.

use crate::helpers::spawn_app;
use serde_json::json;

#[test]
fn healthz_returns_ok() {
    let app = spawn_app();
    let res = app.healthz();
    assert_eq!(res.status, 200);
    assert_eq!(res.body, json!({"status": "ok"}));
}

#[test]
fn create_profile_returns_201_with_every_field() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = app.create_profile(
        &key,
        &json!({"name": "Alice's Brand", "externalId": "user-42", "username": "alice",
                "metadata": {"tier": "pro", "z": 1, "a": [1, 2]}}),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    let p = &res.body;
    assert_eq!(p["name"], "Alice's Brand");
    assert_eq!(p["externalId"], "user-42");
    assert_eq!(p["username"], "alice");
    // Stored as is: same keys, same order.
    let stored = r#""metadata":{"tier":"pro","z":1,"a":[1,2]}"#;
    assert!(res.text.contains(stored), "{}", res.text);
    assert!(uuid::Uuid::parse_str(p["id"].as_str().unwrap()).is_ok());
    assert!(p["profileKey"].as_str().unwrap().starts_with("prof_"));
    assert_eq!(p["createdAt"], p["updatedAt"]);
    assert!(chrono::DateTime::parse_from_rfc3339(p["createdAt"].as_str().unwrap()).is_ok());
}

#[test]
fn create_profile_sets_absent_optionals_to_null() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = app.create_profile(&key, &json!({"name": "Bob"}));
    assert_eq!(res.status, 201);
    for field in ["externalId", "username", "metadata"] {
        assert!(res.body.get(field).is_some_and(|v| v.is_null()), "{field} should be null: {}", res.text);
    }
}

#[test]
fn create_profile_returns_409_when_external_id_is_taken() {
    let app = spawn_app();
    let key = app.key("acme");
    assert_eq!(app.create_profile(&key, &json!({"name": "A", "externalId": "u1"})).status, 201);
    let res = app.create_profile(&key, &json!({"name": "B", "externalId": "u1"}));
    assert_eq!(res.status, 409);
    assert_eq!(res.header("content-type"), Some("application/problem+json"));
    assert_eq!(res.body["status"], 409);
    assert_eq!(res.problem_field(), "externalId");
}

#[test]
fn create_profile_returns_409_when_username_is_taken() {
    let app = spawn_app();
    let key = app.key("acme");
    assert_eq!(app.create_profile(&key, &json!({"name": "A", "username": "al"})).status, 201);
    let res = app.create_profile(&key, &json!({"name": "B", "username": "al"}));
    assert_eq!(res.status, 409);
    assert_eq!(res.problem_field(), "username");
}

#[test]
fn the_same_external_id_may_be_used_in_two_workspaces() {
    let app = spawn_app();
    let (a, b) = (app.key("a"), app.key("b"));
    assert_eq!(app.create_profile(&a, &json!({"name": "A", "externalId": "u1"})).status, 201);
    assert_eq!(app.create_profile(&b, &json!({"name": "B", "externalId": "u1"})).status, 201);
}

#[test]
fn create_profile_returns_400_naming_the_invalid_field() {
    let app = spawn_app();
    let key = app.key("acme");
    let long = |n: usize| "x".repeat(n);
    let big_metadata = json!({"name": "A", "metadata": {"blob": long(17 * 1024)}});
    let cases = [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": long(101)}), "name"),
        (json!({"name": 5}), "name"),
        (json!({"name": null}), "name"),
        (json!({"name": "ok\u{0007}"}), "name"),
        (json!({"name": "A", "externalId": long(201)}), "externalId"),
        (json!({"name": "A", "externalId": ""}), "externalId"),
        (json!({"name": "A", "externalId": 42}), "externalId"),
        (json!({"name": "A", "username": "has space"}), "username"),
        (json!({"name": "A", "username": ["x"]}), "username"),
        (json!({"name": "A", "metadata": [1, 2]}), "metadata"),
        (json!({"name": "A", "metadata": "tier=pro"}), "metadata"),
        (big_metadata, "metadata"),
        (json!({"name": "A", "external_id": "u1"}), "external_id"),
        (json!(["name"]), "body"),
    ];
    for (body, field) in cases {
        let res = app.create_profile(&key, &body);
        let shown = &body.to_string()[..body.to_string().len().min(80)];
        assert_eq!(res.status, 400, "{shown} -> {}", res.text);
        assert_eq!(res.header("content-type"), Some("application/problem+json"));
        assert_eq!(res.problem_field(), field, "{shown} -> {}", res.text);
        assert_eq!(res.body["status"], 400);
        assert!(res.body["detail"].as_str().unwrap().contains(field), "{}", res.text);
    }
}

#[test]
fn name_of_100_characters_and_external_id_of_200_are_accepted() {
    let app = spawn_app();
    let key = app.key("acme");
    let name = "é".repeat(100);
    let res = app.create_profile(&key, &json!({"name": name, "externalId": "x".repeat(200)}));
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["name"], name);
}

#[test]
fn get_profile_returns_the_profile_and_404_for_an_unknown_id() {
    let app = spawn_app();
    let key = app.key("acme");
    let created = app.new_profile(&key, "Alice");
    let id = created["id"].as_str().unwrap();
    let res = app.get_profile(&key, id);
    assert_eq!(res.status, 200);
    assert_eq!(res.body, created);
    for unknown in ["3f2b8c1e-0000-4000-8000-000000000000", "not-a-uuid"] {
        let res = app.get_profile(&key, unknown);
        assert_eq!(res.status, 404, "{unknown}");
        assert_eq!(res.body["type"], "urn:hitchpost:problem:not-found");
    }
}

#[test]
fn list_profiles_pages_through_every_profile_once() {
    let app = spawn_app();
    let key = app.key("acme");
    let ids: Vec<String> =
        (0..5).map(|i| app.new_profile(&key, &format!("p{i}"))["id"].as_str().unwrap().to_string()).collect();
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_string();
    loop {
        let res = app.list_profiles(&key, &query);
        assert_eq!(res.status, 200, "{}", res.text);
        let page = res.body["data"].as_array().unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|p| p["id"].as_str().unwrap().to_string()));
        match res.body["nextCursor"].as_str() {
            Some(c) => query = format!("?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

#[test]
fn list_profiles_defaults_to_50_and_says_when_there_is_no_next_page() {
    let app = spawn_app();
    let key = app.key("acme");
    app.new_profile(&key, "only");
    let res = app.list_profiles(&key, "");
    assert_eq!(res.status, 200);
    assert_eq!(res.body["data"].as_array().unwrap().len(), 1);
    assert!(res.body["nextCursor"].is_null());
}

#[test]
fn list_profiles_filters_by_external_id_and_username() {
    let app = spawn_app();
    let key = app.key("acme");
    app.create_profile(&key, &json!({"name": "A", "externalId": "ext-a", "username": "aa"}));
    app.create_profile(&key, &json!({"name": "B", "externalId": "ext-b", "username": "bb"}));
    let res = app.list_profiles(&key, "?externalId=ext-b");
    assert_eq!(res.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(res.body["data"][0]["name"], "B");
    let res = app.list_profiles(&key, "?username=aa");
    assert_eq!(res.body["data"][0]["name"], "A");
    let res = app.list_profiles(&key, "?externalId=nobody");
    assert_eq!(res.body["data"], json!([]));
}

#[test]
fn list_profiles_returns_400_for_a_bad_limit_or_cursor() {
    let app = spawn_app();
    let key = app.key("acme");
    let cases = [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=-5", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=bogus", "cursor"),
        ("?cursor=p", "cursor"),
        ("?username=a%20b", "username"),
    ];
    for (query, field) in cases {
        let res = app.list_profiles(&key, query);
        assert_eq!(res.status, 400, "{query}: {}", res.text);
        assert_eq!(res.problem_field(), field, "{query}");
    }
}

#[test]
fn update_profile_changes_only_the_given_fields() {
    let app = spawn_app();
    let key = app.key("acme");
    let p = app
        .create_profile(&key, &json!({"name": "A", "externalId": "e1", "username": "u1", "metadata": {"k": 1}}))
        .body;
    let id = p["id"].as_str().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let res = app.update_profile(&key, id, &json!({"name": "Renamed"}));
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["name"], "Renamed");
    assert_eq!(res.body["externalId"], "e1");
    assert_eq!(res.body["username"], "u1");
    assert_eq!(res.body["metadata"], json!({"k": 1}));
    assert_eq!(res.body["createdAt"], p["createdAt"]);
    assert_ne!(res.body["updatedAt"], p["updatedAt"]);
    // And it is stored, not just echoed.
    assert_eq!(app.get_profile(&key, id).body, res.body);
}

#[test]
fn update_profile_with_null_clears_an_optional_field() {
    let app = spawn_app();
    let key = app.key("acme");
    let p = app.create_profile(&key, &json!({"name": "A", "externalId": "e1", "metadata": {"k": 1}})).body;
    let id = p["id"].as_str().unwrap();
    let res = app.update_profile(&key, id, &json!({"externalId": null, "metadata": null, "username": "new"}));
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["externalId"].is_null());
    assert!(res.body["metadata"].is_null());
    assert_eq!(res.body["username"], "new");
    // The freed externalId can be taken by another profile.
    assert_eq!(app.create_profile(&key, &json!({"name": "B", "externalId": "e1"})).status, 201);
}

#[test]
fn update_profile_returns_409_400_and_404() {
    let app = spawn_app();
    let key = app.key("acme");
    app.create_profile(&key, &json!({"name": "A", "externalId": "taken"}));
    let id = app.new_profile(&key, "B")["id"].as_str().unwrap().to_string();
    let res = app.update_profile(&key, &id, &json!({"externalId": "taken"}));
    assert_eq!(res.status, 409);
    assert_eq!(res.problem_field(), "externalId");
    let res = app.update_profile(&key, &id, &json!({"name": ""}));
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "name");
    let res = app.update_profile(&key, &id, &json!({"name": null}));
    assert_eq!(res.status, 400, "name may not be cleared: {}", res.text);
    let res = app.update_profile(&key, &id, &json!({"colour": "red"}));
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "colour");
    let res = app.update_profile(&key, "3f2b8c1e-0000-4000-8000-000000000000", &json!({"name": "X"}));
    assert_eq!(res.status, 404);
    // The failed updates changed nothing.
    assert_eq!(app.get_profile(&key, &id).body["name"], "B");
}

#[test]
fn delete_profile_returns_204_then_404() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "A")["id"].as_str().unwrap().to_string();
    let res = app.delete_profile(&key, &id);
    assert_eq!(res.status, 204);
    assert_eq!(res.text, "");
    assert_eq!(app.get_profile(&key, &id).status, 404);
    assert_eq!(app.delete_profile(&key, &id).status, 404);
}

#[test]
fn create_profile_returns_402_at_the_profile_limit_and_a_delete_frees_a_slot() {
    let app = spawn_app();
    let key = app.key_with_limit("small", 2);
    let first = app.new_profile(&key, "one");
    app.new_profile(&key, "two");
    let res = app.create_profile(&key, &serde_json::json!({"name": "three"}));
    assert_eq!(res.status, 402, "{}", res.text);
    assert_eq!(res.body["type"], "urn:hitchpost:problem:plan-limit");
    assert_eq!(res.body["status"], 402);
    assert_eq!(app.list_profiles(&key, "").body["data"].as_array().unwrap().len(), 2);
    assert_eq!(app.delete_profile(&key, first["id"].as_str().unwrap()).status, 204);
    assert_eq!(app.create_profile(&key, &serde_json::json!({"name": "three"})).status, 201);
}

#[test]
fn fifty_concurrent_creates_with_one_external_id_give_one_201_and_49_409s() {
    let app = spawn_app();
    let key = app.key("acme");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let (app, key) = (&app, &key);
                s.spawn(move || {
                    app.create_profile(key, &json!({"name": format!("racer {i}"), "externalId": "same"})).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
    assert_eq!(app.list_profiles(&key, "?externalId=same").body["data"].as_array().unwrap().len(), 1);
}

#[test]
fn profiles_survive_a_restart_of_the_server_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hitchpost.db");
    let (key, id) = {
        let app = crate::helpers::spawn_app_on(&db);
        let key = app.key("acme");
        (key.clone(), app.new_profile(&key, "Persistent")["id"].as_str().unwrap().to_string())
    };
    let app = crate::helpers::spawn_app_on(&db);
    let res = app.get_profile(&key, &id);
    assert_eq!(res.status, 200);
    assert_eq!(res.body["name"], "Persistent");
}

#[test]
fn the_synposter_seed_example_works_as_documented_with_x_api_key() {
    let app = spawn_app();
    let key = app.key_with_limit("synposter", 1);
    let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
    let body = br#"{"name": "Alice's Brand", "externalId": "user-42", "metadata": {"tier": "pro"}}"#.to_vec();
    let res = app.send("POST", "/v1/profiles", &headers, Some(body.clone()));
    assert_eq!(res.status, 201);
    for field in ["id", "name", "externalId", "metadata", "createdAt", "updatedAt"] {
        assert!(res.body.get(field).is_some(), "{field}");
    }
    assert_eq!(res.body["name"], "Alice's Brand");
    assert_eq!(res.body["externalId"], "user-42");
    assert_eq!(res.body["metadata"], json!({"tier": "pro"}));
    assert_eq!(res.body["createdAt"], res.body["updatedAt"]);
    // 409 before 402: the same externalId is a conflict even when the plan is full.
    let again = app.send("POST", "/v1/profiles", &headers, Some(body));
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.problem_field(), "externalId");
    let other = br#"{"name": "Bob", "externalId": "user-43"}"#.to_vec();
    let full = app.send("POST", "/v1/profiles", &headers, Some(other));
    assert_eq!(full.status, 402);
    assert_eq!(full.body["status"], 402);
    assert_eq!(full.body["title"], "Plan limit reached");
    assert!(full.body["detail"].as_str().unwrap().contains("1 profiles"));
}

#[test]
fn profile_ids_and_keys_sort_by_creation_and_keys_keep_their_shape() {
    let app = spawn_app();
    let key = app.key("acme");
    let made: Vec<serde_json::Value> = (0..3)
        .map(|i| {
            std::thread::sleep(std::time::Duration::from_millis(3));
            app.new_profile(&key, &format!("p{i}"))
        })
        .collect();
    let ids: Vec<&str> = made.iter().map(|p| p["id"].as_str().unwrap()).collect();
    let keys: Vec<&str> = made.iter().map(|p| p["profileKey"].as_str().unwrap()).collect();
    for id in &ids {
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "7", "a time-ordered (v7) UUID: {id}");
    }
    for k in &keys {
        let tail = k.strip_prefix("prof_").unwrap();
        assert_eq!(tail.len(), 24, "{k}");
        assert!(tail.chars().all(|c| c.is_ascii_alphanumeric()), "{k}");
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    assert_ne!(keys[0][12..], keys[1][12..], "the random part differs");
}
