//! The OpenAPI document of `/api/v1` (browsable offline at `/api/docs`), with the error answers every operation can give, added by rule.

use utoipa::OpenApi;

use crate::http::errors::ErrorBody;
use kehoach_core::ErrorCode;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kehoach API",
        description = "Kế hoạch, đơn vị, người dùng, lượt hỗ trợ, buổi, điểm danh và danh sách. Lỗi có mã ổn định (error.code) và thông báo tiếng Việt (error.message). Yêu cầu ghi cần tiêu đề X-CSRF-Token của phiên."
    ),
    paths(
        crate::admin::api::api_login,
        crate::admin::api::api_logout,
        crate::admin::api::me,
        crate::plan::api::plan,
        crate::board::api::api_board,
        crate::board::api::api_trace,
        crate::admin::api::units,
        crate::admin::api::create_unit,
        crate::admin::api::update_unit,
        crate::admin::api::set_population,
        crate::admin::api::add_class,
        crate::admin::api::update_class,
        crate::admin::api::users,
        crate::admin::api::create_user,
        crate::admin::api::update_user,
        crate::admin::api::create_invite,
        crate::records::turns::api::record_turn,
        crate::records::turns::api::record_turn_batch,
        crate::records::turns::api::delete_turn,
        crate::records::turns::api::list_turns,
        crate::records::sessions::api::create_session,
        crate::records::sessions::api::list_sessions,
        crate::records::sessions::api::update_session,
        crate::records::sessions::api::session_status,
        crate::records::sessions::api::delete_session,
        crate::records::sessions::api::attendance,
        crate::records::sessions::api::check_in,
        crate::records::sessions::api::remove_attendance,
        crate::records::rosters::api::people,
        crate::records::rosters::api::update_person,
        crate::records::rosters::api::import_roster,
        crate::records::rosters::api::roster_template,
        crate::records::rosters::api::roster_cards,
        crate::records::history::api::unit_history,
        crate::records::sessions::api::add_photo,
        crate::records::sessions::api::photo,
        crate::admin::api::link_person,
        crate::reminders::api::api_send,
        crate::reminders::api::api_list,
        crate::reminders::api::api_read,
        crate::reports::api::api_put_text,
        crate::reports::api::api_put_budget,
        crate::volunteers::api::api_create_shift,
        crate::volunteers::api::api_sign_up,
        crate::volunteers::api::api_cancel,
        crate::volunteers::api::api_withdraw,
        crate::propaganda::api::api_log,
        crate::propaganda::api::api_delete,
        crate::contests::api::api_settings,
        crate::contests::api::api_rubric,
        crate::contests::api::api_judges,
        crate::contests::api::api_score,
        crate::contests::api::api_recuse,
        crate::contests::api::api_lock,
        crate::contests::api::api_prize,
        crate::contests::api::api_publish,
        crate::contests::api::api_ranking
    ),
    components(schemas(ErrorBody, crate::http::errors::ErrorDetail)),
    modifiers(&ErrorAnswers)
)]
pub struct ApiDoc;

/// The error answers every operation can really give, in the one error
/// body, added by rule so that a new route cannot forget them: 400 (a
/// value that does not parse), 401 and 403 (all but login), 404 (a path
/// with an id), 409 (a client-made id taken by another record), 413 and
/// 422 (a request body), 429 (login), 500, 503 (uploads when busy).
struct ErrorAnswers;

impl utoipa::Modify for ErrorAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let answer = |code: ErrorCode| {
            ResponseBuilder::new()
                .description(format!(
                    "Lỗi (mã ổn định trong error.code), ví dụ: {}",
                    code.message_vn()
                ))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let idempotent = [
                "/api/v1/sessions",
                "/api/v1/turns",
                "/api/v1/turns/batch",
                "/api/v1/propaganda",
                "/api/v1/reminders",
            ]
            .contains(&path.as_str())
                || path.ends_with("/shifts");
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, false),
            ];
            for (op, writes) in ops {
                let Some(op) = op.as_mut() else { continue };
                let writes = writes || op.request_body.is_some();
                let mut add = |status: &str, code: ErrorCode| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| answer(code).into());
                };
                add("400", ErrorCode::BadRequest);
                add("500", ErrorCode::Internal);
                if path == "/api/v1/login" {
                    add("429", ErrorCode::LoginRateLimited);
                } else {
                    add("401", ErrorCode::Unauthenticated);
                    add("403", ErrorCode::Forbidden);
                }
                if path.contains('{') {
                    add("404", ErrorCode::NotFound);
                }
                if writes {
                    add("413", ErrorCode::BodyTooLarge);
                    add("422", ErrorCode::BadRequest);
                    if idempotent {
                        add("409", ErrorCode::IdTaken);
                    }
                }
                if path.ends_with("/import") {
                    add("503", ErrorCode::ServerBusy);
                }
            }
        }
    }
}
