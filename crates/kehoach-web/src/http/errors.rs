//! The error policy.
//!
//! Every refusal has a stable snake_case `code` and, when it is about one
//! input, the `field`. The API renders `{"error": {code, field, message}}`
//! with a status that says what kind of refusal it is; pages show the same
//! Vietnamese `message` beside the form. Store conflicts map one-to-one to
//! codes; there is no catch-all arm that hides a new kind of error as 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub field: Option<&'static str>,
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code.
    pub code: String,
    /// The input field the error is about.
    pub field: Option<String>,
    /// Vietnamese explanation for people.
    pub message: String,
}

/// Vietnamese text for a code: the field and the reason.
pub fn message_vn(code: &str) -> &'static str {
    match code {
        "name_required" => "Tên: không được để trống.",
        "unit_name_taken" => "Tên: đã có đơn vị cùng loại mang tên này (không phân biệt dấu, hoa thường).",
        "smart_classroom_only_for_schools" => "Phòng học thông minh: chỉ áp dụng cho trường học.",
        "unknown_population" => "Loại dân số: không hợp lệ.",
        "population_out_of_range" => "Số lượng: phải là số nguyên từ 0 đến 10.000.000.",
        "classes_only_for_schools" => "Lớp: chỉ trường học mới có lớp.",
        "class_name_invalid" => "Tên lớp: không được để trống và tối đa 40 ký tự.",
        "class_name_taken" => "Tên lớp: trường đã có lớp này.",
        "pupils_out_of_range" => "Sĩ số: phải từ 0 đến 200.",
        "username_invalid" => "Tên đăng nhập: 3–32 ký tự, chỉ gồm chữ thường không dấu, số và . _ -",
        "username_taken" => "Tên đăng nhập: đã có người dùng.",
        "full_name_required" => "Họ và tên: không được để trống (tối đa 100 ký tự).",
        "password_too_short" => "Mật khẩu: cần ít nhất 10 ký tự.",
        "unit_required" => "Đơn vị: vai trò này phải gắn với một đơn vị.",
        "unit_unknown" => "Đơn vị: không tồn tại trong kế hoạch.",
        "last_coordinator" => "Vai trò: kế hoạch phải còn ít nhất một người điều phối đang hoạt động.",
        "invite_invalid" => "Liên kết mời: không hợp lệ, đã dùng hoặc đã hết hạn.",
        "backup_target_exists" => "Tệp sao lưu: đã tồn tại, hãy chọn tên khác.",
        "role_invalid" => "Vai trò: không hợp lệ.",
        "kind_invalid" => "Loại đơn vị: không hợp lệ.",
        "number_invalid" => "Số lượng: phải là số nguyên không âm.",
        "id_invalid" => "Mã bản ghi: phải là UUID do thiết bị tạo.",
        "id_taken" => "Mã bản ghi: đã dùng cho một bản ghi khác; thiết bị hãy tạo mã mới.",
        "unit_not_village" => "Thôn: đơn vị này không phải một thôn đang hoạt động.",
        "day_invalid" => "Ngày: không đúng định dạng.",
        "as_of_invalid" => "Ngày xem số liệu: viết theo dạng dd/mm/yyyy, ví dụ 15/07/2026.",
        "target_unknown" => "Chỉ tiêu: không có trong kế hoạch.",
        "day_in_future" => "Ngày: không được sau hôm nay.",
        "day_outside_period" => "Ngày: nằm ngoài thời gian của kế hoạch.",
        "day_outside_window" => "Ngày: nằm ngoài thời gian của hoạt động này.",
        "line_unknown" => "Hoạt động: không có trong kế hoạch.",
        "line_has_no_services" => "Hoạt động: không có danh mục dịch vụ hỗ trợ.",
        "line_is_a_heading" => "Hoạt động: hãy chọn một hoạt động con (ví dụ 7.1, 7.2).",
        "service_unknown" => "Dịch vụ: không có trong danh mục của hoạt động.",
        "kind_not_in_line" => "Loại buổi: hoạt động này không có loại buổi đó.",
        "batch_too_large" => "Lô dữ liệu: tối đa 1.000 bản ghi mỗi lần gửi.",
        "status_invalid" => "Trạng thái: chỉ nhận dự kiến, đã tổ chức hoặc đã hủy.",
        "held_in_future" => "Trạng thái: buổi chưa diễn ra không thể ghi là đã tổ chức.",
        "class_unknown" => "Lớp: không có lớp này ở đơn vị đã chọn.",
        "class_required" => "Lớp: buổi trải nghiệm phòng học thông minh phải ghi rõ lớp.",
        "time_invalid" => "Giờ: viết theo dạng HH:MM, ví dụ 08:00.",
        "time_order" => "Giờ kết thúc: phải sau giờ bắt đầu.",
        "topic_unknown" => "Nội dung: chọn trong các nội dung của hoạt động.",
        "headcount_out_of_range" => "Số người tham dự: phải từ 0 đến 100.000.",
        "venue_too_long" => "Địa điểm: tối đa 200 ký tự.",
        "note_too_long" => "Ghi chú: tối đa 2.000 ký tự.",
        "reason_required" => "Lý do: cần ghi lý do khi xóa.",
        "reason_too_long" => "Lý do: dài quá 500 ký tự.",
        "session_deleted" => "Buổi: đã bị xóa.",
        "session_not_held" => "Điểm danh: chỉ điểm danh cho buổi đã tổ chức.",
        "person_unknown" => "Người tham dự: không có trong danh sách.",
        "card_unknown" => "Thẻ QR: không nhận ra thẻ này.",
        "roster_unknown" => "Danh sách: không hợp lệ.",
        "file_too_large" => "Tệp: quá lớn (tối đa 5 MB).",
        "file_not_spreadsheet" => "Tệp: không phải bảng tính (XLSX, XLS, ODS hoặc CSV).",
        "file_empty" => "Tệp: không có dữ liệu.",
        "file_inflates_too_much" => "Tệp: nội dung sau khi giải nén quá lớn, không đọc được.",
        "file_too_many_parts" => "Tệp: có quá nhiều thành phần, không phải tệp văn phòng thông thường.",
        "file_xml_doctype" => "Tệp: chứa khai báo DOCTYPE/ENTITY trong XML; tệp bị từ chối.",
        "file_too_many_rows" => "Tệp: có quá nhiều dòng; hãy chia thành nhiều tệp.",
        "file_too_many_columns" => "Tệp: có dữ liệu ngoài các cột cho phép; hãy xóa các cột thừa.",
        "file_damaged" => "Tệp: bị hỏng hoặc không đầy đủ; hãy lưu lại và tải lên lại.",
        "file_cancelled" => "Tệp: việc đọc tệp đã dừng vì yêu cầu bị hủy.",
        "server_busy" => "Máy chủ đang bận xử lý nhiều yêu cầu: vui lòng thử lại sau ít phút.",
        "file_columns_missing" => "Tệp: thiếu cột “Họ và tên” hoặc “Đơn vị” (tải tệp mẫu để xem các cột).",
        "import_expired" => "Xem trước: đã hết hạn hoặc đã lưu; hãy tải tệp lên lại.",
        "photo_too_large" => "Ảnh: quá lớn (tối đa 2 MB).",
        "photo_not_image" => "Ảnh: chỉ nhận JPEG, PNG hoặc WebP.",
        "too_many_photos" => "Ảnh: mỗi buổi tối đa 5 ảnh.",
        "person_not_member" => "Đoàn viên: chọn một người trong danh sách đoàn viên thanh niên.",
        "person_already_linked" => "Đoàn viên: người này đã gắn với một tài khoản khác.",
        "email_invalid" => "Email: địa chỉ không hợp lệ (ví dụ ten@vinhthinh.gov.vn).",
        "message_invalid" => "Nội dung nhắc nhở: không được để trống, tối đa 2.000 ký tự.",
        "period_reversed" => "Thời gian: ngày bắt đầu phải trước ngày kết thúc.",
        "amount_invalid" => "Số tiền: viết số nguyên đồng, ví dụ 1.500.000.",
        "amount_out_of_range" => "Số tiền: từ 0 đến 1.000 tỷ đồng.",
        "account_not_member" => {
            "Tài khoản: chưa gắn với một đoàn viên trong danh sách (nhờ người điều phối gắn ở mục Người dùng)."
        }
        "shift_full" => "Ca: đã đủ người, hãy chọn ca khác.",
        "shift_started" => "Ca: đã bắt đầu hoặc đã qua, không đăng ký được nữa.",
        "day_in_past" => "Ngày: không được trước hôm nay.",
        "places_out_of_range" => "Số người: từ 1 đến 100.",
        "team_name_taken" => "Tên đội hình: đã có đội hình mang tên này.",
        "channel_unknown" => "Kênh: chọn một kênh tuyên truyền của kế hoạch.",
        "link_invalid" => "Đường dẫn: phải bắt đầu bằng http:// hoặc https:// (tối đa 500 ký tự).",
        "section_unknown" => "Phần báo cáo: không có phần này.",
        "report_text_too_long" => "Nội dung: tối đa 10.000 ký tự mỗi phần.",
        "entries_not_open" => "Cuộc thi: chưa đến thời gian nhận bài.",
        "entries_closed" => "Cuộc thi: đã hết hạn nhận bài.",
        "entries_rate_limited" => "Gửi quá nhiều bài từ một địa chỉ: vui lòng thử lại sau một giờ.",
        "entry_title_invalid" => "Tên bài dự thi: không được để trống, tối đa 200 ký tự.",
        "entry_description_invalid" => "Mô tả: không được để trống, tối đa 5.000 ký tự.",
        "category_unknown" => "Thể loại: chọn một thể loại của cuộc thi.",
        "video_link_required" => {
            "Đường dẫn video: cuộc thi này nhận video qua đường dẫn công khai (YouTube, Facebook, TikTok…), không nhận tệp tải lên."
        }
        "entry_work_required" => "Bài dự thi: cần tải tệp lên hoặc ghi đường dẫn.",
        "entry_file_too_large" => "Tệp bài dự thi: quá lớn (tối đa 10 MB).",
        "entry_file_unsupported" => "Tệp bài dự thi: chỉ nhận PDF, DOCX, JPEG hoặc PNG.",
        "entrant_kind_invalid" => "Người dự thi: chọn cá nhân hoặc nhóm.",
        "entrant_name_required" => "Họ và tên: không được để trống, tối đa 150 ký tự.",
        "members_too_long" => "Thành viên nhóm: tối đa 1.000 ký tự.",
        "affiliation_too_long" => "Lớp hoặc ghi rõ thêm: tối đa 200 ký tự.",
        "contact_invalid" => "Liên hệ: ghi số điện thoại (9–12 chữ số) hoặc email.",
        "consent_required" => "Đồng ý: cần đồng ý để Ban tổ chức lưu thông tin liên hệ.",
        "receipt_unknown" => "Mã biên nhận: không tìm thấy bài dự thi với mã này.",
        "entry_withdrawn" => "Bài dự thi: đã được rút.",
        "criterion_unknown" => "Điểm: có tiêu chí không thuộc cuộc thi.",
        "score_out_of_range" => "Điểm: chấm đủ mọi tiêu chí, mỗi tiêu chí từ 0 đến điểm tối đa.",
        "judge_recused" => "Chấm điểm: bạn đã khai xung đột lợi ích với bài này nên không chấm được.",
        "scores_locked" => "Chấm điểm: điểm của cuộc thi đã khóa.",
        "scores_not_locked" => "Trao giải: cần khóa điểm trước.",
        "results_published" => "Kết quả: đã công bố, không sửa được nữa.",
        "rubric_locked" => "Tiêu chí: đã có điểm chấm, không đổi tiêu chí được nữa (điểm đã chấm được giữ nguyên).",
        "rubric_size" => "Tiêu chí: từ 1 đến 10 tiêu chí.",
        "criterion_label_invalid" => "Tiêu chí: tên không được để trống, tối đa 100 ký tự, không trùng nhau.",
        "criterion_weight_invalid" => "Trọng số: số nguyên từ 1 đến 100.",
        "criterion_max_invalid" => "Điểm tối đa: số nguyên từ 1 đến 100.",
        "judge_unknown" => "Giám khảo: chỉ chọn tài khoản đang hoạt động có vai trò giám khảo.",
        "prize_unknown" => "Giải: chọn một giải của cuộc thi.",
        "prizes_invalid" => "Giải thưởng: 1–20 giải, mỗi giải tối đa 100 ký tự.",
        "categories_invalid" => "Thể loại: tối đa 20 thể loại, mỗi thể loại tối đa 100 ký tự.",
        "awards_before_close" => "Ngày trao giải: không được trước ngày hết hạn nhận bài.",
        "plan_has_records" => {
            "Kế hoạch: kế hoạch đang dùng đã có số liệu ghi nhận, không thay được; hãy chạy kế hoạch mới với một cơ sở dữ liệu mới (kehoach serve --plan)."
        }
        "plan_has_unit_accounts" => {
            "Kế hoạch: đã có tài khoản hoặc lời mời gắn với đơn vị của kế hoạch đang dùng; hãy khóa chúng trước khi thay kế hoạch."
        }
        "plan_file_invalid" => "Tệp kế hoạch: còn lỗi, hãy kiểm tra và sửa trước khi kích hoạt.",
        "login_failed" => "Tên đăng nhập hoặc mật khẩu không đúng.",
        "login_rate_limited" => "Đăng nhập sai quá nhiều lần: vui lòng thử lại sau ít phút.",
        "unauthenticated" => "Cần đăng nhập.",
        "forbidden" => "Vai trò hoặc đơn vị của bạn không được phép thực hiện thao tác này.",
        "csrf_failed" => "Phiên làm việc của biểu mẫu đã hết hạn: vui lòng tải lại trang và thử lại.",
        "not_found" => "Không tìm thấy.",
        "bad_request" => "Dữ liệu gửi lên không hợp lệ.",
        "body_too_large" => "Dữ liệu gửi lên quá lớn so với giới hạn của thao tác này.",
        "unsupported_media_type" => "Kiểu dữ liệu gửi lên không được hỗ trợ (API nhận JSON).",
        "method_not_allowed" => "Địa chỉ này không nhận phương thức yêu cầu đó.",
        "request_timeout" => "Yêu cầu mất quá nhiều thời gian và đã dừng: vui lòng thử lại.",
        "internal" => "Lỗi hệ thống: thao tác chưa được lưu, vui lòng thử lại.",
        _ => "Thao tác không hợp lệ.",
    }
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, field: Option<&'static str>) -> AppError {
        AppError {
            status,
            code,
            field,
            message: message_vn(code).to_string(),
        }
    }
    pub fn unauthenticated() -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, "unauthenticated", None)
    }
    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", None)
    }
    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", None)
    }
    pub fn invalid(code: &'static str, field: &'static str) -> AppError {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, Some(field))
    }
    pub fn bad_request(detail: String) -> AppError {
        AppError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            field: None,
            message: format!("Dữ liệu gửi lên không hợp lệ: {detail}"),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict { code, field } => {
                let status = match code {
                    "unit_name_taken"
                    | "class_name_taken"
                    | "username_taken"
                    | "backup_target_exists"
                    | "last_coordinator"
                    | "too_many_photos"
                    | "person_already_linked"
                    | "team_name_taken"
                    | "rubric_locked"
                    | "judge_recused"
                    | "scores_locked"
                    | "scores_not_locked"
                    | "results_published"
                    | "entry_withdrawn"
                    | "id_taken" => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                AppError::new(status, code, Some(field))
            }
            StoreError::NotFound(_) => AppError::not_found(),
            StoreError::Db(_)
            | StoreError::Migrate(_)
            | StoreError::MissingDatabase(_)
            | StoreError::BadUrl(_)
            | StoreError::Unsupported(_) => {
                tracing::error!(error = %e, "store error");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None)
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                field: self.field.map(str::to_string),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::message_vn;

    /// Every code the code base can produce has its own Vietnamese message.
    #[test]
    fn every_error_code_has_a_vietnamese_message() {
        // Every source file of this crate, and the store and core files that make codes.
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).expect("source folder").flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(std::fs::read_to_string(&p).expect("source file"));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        walk(&root.join("src"), &mut sources);
        walk(&root.join("../kehoach-store/src"), &mut sources);
        sources.push(include_str!("../../../kehoach-core/src/records.rs").to_string());
        let fallback = message_vn("no_such_code_at_all");
        let mut checked = 0;
        for src in &sources {
            for marker in ["invalid(\"", "code: \"", "refuse(\"", ", \"", "rejected(&id, \""] {
                for (i, _) in src.match_indices(marker) {
                    let rest = &src[i + marker.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let code = &rest[..end];
                    let is_code = code.len() > 3
                        && code.contains('_')
                        && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                    // Only codes that reach AppError/StoreError/Refusal: skip field names and SQL.
                    let mut from = i.saturating_sub(60);
                    while !src.is_char_boundary(from) {
                        from -= 1;
                    }
                    let ctx = &src[from..i];
                    let in_error = marker != ", \"" || ctx.contains("AppError::new(") || ctx.contains("StatusCode::");
                    if is_code && in_error && !code.ends_with("_id") {
                        assert_ne!(message_vn(code), fallback, "no Vietnamese message for code “{code}”");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 40, "only {checked} codes found: the scan is broken");
    }
}
