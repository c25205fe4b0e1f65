//! Every refusal the system can give, once: its stable code (what the API
//! answers in `error.code`), its HTTP status and its Vietnamese message (the
//! field and the reason). One table row per code; the macro writes the
//! matches, so the compiler sees that every code has both a status and a
//! message, and there is no catch-all arm that could hide a new code.

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $message:literal;)*) => {
        /// A stable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable snake_case code the API answers.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status that says what kind of refusal it is.
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// The Vietnamese message: the field and the reason.
            pub const fn message_vn(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $message,)*
                }
            }
        }
    };
}

error_codes! {
    NameRequired = "name_required", 422, "Tên: không được để trống.";
    UnitNameTaken = "unit_name_taken", 409, "Tên: đã có đơn vị cùng loại mang tên này (không phân biệt dấu, hoa thường).";
    SmartClassroomOnlyForSchools = "smart_classroom_only_for_schools", 422, "Phòng học thông minh: chỉ áp dụng cho trường học.";
    UnknownPopulation = "unknown_population", 422, "Loại dân số: không hợp lệ.";
    PopulationOutOfRange = "population_out_of_range", 422, "Số lượng: phải là số nguyên từ 0 đến 10.000.000.";
    ClassesOnlyForSchools = "classes_only_for_schools", 422, "Lớp: chỉ trường học mới có lớp.";
    ClassNameInvalid = "class_name_invalid", 422, "Tên lớp: không được để trống và tối đa 40 ký tự.";
    ClassNameTaken = "class_name_taken", 409, "Tên lớp: trường đã có lớp này.";
    PupilsOutOfRange = "pupils_out_of_range", 422, "Sĩ số: phải từ 0 đến 200.";
    UsernameInvalid = "username_invalid", 422, "Tên đăng nhập: 3–32 ký tự, chỉ gồm chữ thường không dấu, số và . _ -";
    UsernameTaken = "username_taken", 409, "Tên đăng nhập: đã có người dùng.";
    FullNameRequired = "full_name_required", 422, "Họ và tên: không được để trống (tối đa 100 ký tự).";
    PasswordTooShort = "password_too_short", 422, "Mật khẩu: cần ít nhất 10 ký tự.";
    UnitRequired = "unit_required", 422, "Đơn vị: vai trò này phải gắn với một đơn vị.";
    UnitUnknown = "unit_unknown", 422, "Đơn vị: không tồn tại trong kế hoạch.";
    LastCoordinator = "last_coordinator", 409, "Vai trò: kế hoạch phải còn ít nhất một người điều phối đang hoạt động.";
    InviteInvalid = "invite_invalid", 422, "Liên kết mời: không hợp lệ, đã dùng hoặc đã hết hạn.";
    BackupTargetExists = "backup_target_exists", 409, "Tệp sao lưu: đã tồn tại, hãy chọn tên khác.";
    RoleInvalid = "role_invalid", 422, "Vai trò: không hợp lệ.";
    KindInvalid = "kind_invalid", 422, "Loại đơn vị: không hợp lệ.";
    NumberInvalid = "number_invalid", 422, "Số lượng: phải là số nguyên không âm.";
    IdInvalid = "id_invalid", 422, "Mã bản ghi: phải là UUID do thiết bị tạo.";
    IdTaken = "id_taken", 409, "Mã bản ghi: đã dùng cho một bản ghi khác; thiết bị hãy tạo mã mới.";
    UnitNotVillage = "unit_not_village", 422, "Thôn: đơn vị này không phải một thôn đang hoạt động.";
    DayInvalid = "day_invalid", 422, "Ngày: không đúng định dạng.";
    AsOfInvalid = "as_of_invalid", 422, "Ngày xem số liệu: viết theo dạng dd/mm/yyyy, ví dụ 15/07/2026.";
    TargetUnknown = "target_unknown", 422, "Chỉ tiêu: không có trong kế hoạch.";
    DayInFuture = "day_in_future", 422, "Ngày: không được sau hôm nay.";
    DayOutsidePeriod = "day_outside_period", 422, "Ngày: nằm ngoài thời gian của kế hoạch.";
    DayOutsideWindow = "day_outside_window", 422, "Ngày: nằm ngoài thời gian của hoạt động này.";
    LineUnknown = "line_unknown", 422, "Hoạt động: không có trong kế hoạch.";
    LineHasNoServices = "line_has_no_services", 422, "Hoạt động: không có danh mục dịch vụ hỗ trợ.";
    LineIsAHeading = "line_is_a_heading", 422, "Hoạt động: hãy chọn một hoạt động con (ví dụ 7.1, 7.2).";
    ServiceUnknown = "service_unknown", 422, "Dịch vụ: không có trong danh mục của hoạt động.";
    KindNotInLine = "kind_not_in_line", 422, "Loại buổi: hoạt động này không có loại buổi đó.";
    BatchTooLarge = "batch_too_large", 422, "Lô dữ liệu: tối đa 1.000 bản ghi mỗi lần gửi.";
    StatusInvalid = "status_invalid", 422, "Trạng thái: chỉ nhận dự kiến, đã tổ chức hoặc đã hủy.";
    HeldInFuture = "held_in_future", 422, "Trạng thái: buổi chưa diễn ra không thể ghi là đã tổ chức.";
    ClassUnknown = "class_unknown", 422, "Lớp: không có lớp này ở đơn vị đã chọn.";
    ClassRequired = "class_required", 422, "Lớp: buổi trải nghiệm phòng học thông minh phải ghi rõ lớp.";
    TimeInvalid = "time_invalid", 422, "Giờ: viết theo dạng HH:MM, ví dụ 08:00.";
    TimeOrder = "time_order", 422, "Giờ kết thúc: phải sau giờ bắt đầu.";
    TopicUnknown = "topic_unknown", 422, "Nội dung: chọn trong các nội dung của hoạt động.";
    HeadcountOutOfRange = "headcount_out_of_range", 422, "Số người tham dự: phải từ 0 đến 100.000.";
    VenueTooLong = "venue_too_long", 422, "Địa điểm: tối đa 200 ký tự.";
    NoteTooLong = "note_too_long", 422, "Ghi chú: tối đa 2.000 ký tự.";
    ReasonRequired = "reason_required", 422, "Lý do: cần ghi lý do khi xóa.";
    ReasonTooLong = "reason_too_long", 422, "Lý do: dài quá 500 ký tự.";
    SessionDeleted = "session_deleted", 422, "Buổi: đã bị xóa.";
    SessionNotHeld = "session_not_held", 422, "Điểm danh: chỉ điểm danh cho buổi đã tổ chức.";
    PersonUnknown = "person_unknown", 422, "Người tham dự: không có trong danh sách.";
    CardUnknown = "card_unknown", 422, "Thẻ QR: không nhận ra thẻ này.";
    RosterUnknown = "roster_unknown", 422, "Danh sách: không hợp lệ.";
    FileTooLarge = "file_too_large", 413, "Tệp: quá lớn (tối đa 5 MB).";
    FileNotSpreadsheet = "file_not_spreadsheet", 422, "Tệp: không phải bảng tính (XLSX, XLS, ODS hoặc CSV).";
    FileEmpty = "file_empty", 422, "Tệp: không có dữ liệu.";
    FileInflatesTooMuch = "file_inflates_too_much", 422, "Tệp: nội dung sau khi giải nén quá lớn, không đọc được.";
    FileTooManyParts = "file_too_many_parts", 422, "Tệp: có quá nhiều thành phần, không phải tệp văn phòng thông thường.";
    FileXmlDoctype = "file_xml_doctype", 422, "Tệp: chứa khai báo DOCTYPE/ENTITY trong XML; tệp bị từ chối.";
    FileTooManyRows = "file_too_many_rows", 422, "Tệp: có quá nhiều dòng; hãy chia thành nhiều tệp.";
    FileTooManyColumns = "file_too_many_columns", 422, "Tệp: có dữ liệu ngoài các cột cho phép; hãy xóa các cột thừa.";
    FileDamaged = "file_damaged", 422, "Tệp: bị hỏng hoặc không đầy đủ; hãy lưu lại và tải lên lại.";
    FileCancelled = "file_cancelled", 422, "Tệp: việc đọc tệp đã dừng vì yêu cầu bị hủy.";
    ServerBusy = "server_busy", 503, "Máy chủ đang bận xử lý nhiều yêu cầu: vui lòng thử lại sau ít phút.";
    FileColumnsMissing = "file_columns_missing", 422, "Tệp: thiếu cột “Họ và tên” hoặc “Đơn vị” (tải tệp mẫu để xem các cột).";
    ImportExpired = "import_expired", 422, "Xem trước: đã hết hạn hoặc đã lưu; hãy tải tệp lên lại.";
    PhotoTooLarge = "photo_too_large", 422, "Ảnh: quá lớn (tối đa 2 MB).";
    PhotoNotImage = "photo_not_image", 422, "Ảnh: chỉ nhận JPEG, PNG hoặc WebP.";
    TooManyPhotos = "too_many_photos", 409, "Ảnh: mỗi buổi tối đa 5 ảnh.";
    PersonNotMember = "person_not_member", 422, "Đoàn viên: chọn một người trong danh sách đoàn viên thanh niên.";
    PersonAlreadyLinked = "person_already_linked", 409, "Đoàn viên: người này đã gắn với một tài khoản khác.";
    EmailInvalid = "email_invalid", 422, "Email: địa chỉ không hợp lệ (ví dụ ten@vinhthinh.gov.vn).";
    MessageInvalid = "message_invalid", 422, "Nội dung nhắc nhở: không được để trống, tối đa 2.000 ký tự.";
    PeriodReversed = "period_reversed", 422, "Thời gian: ngày bắt đầu phải trước ngày kết thúc.";
    AmountInvalid = "amount_invalid", 422, "Số tiền: viết số nguyên đồng, ví dụ 1.500.000.";
    AmountOutOfRange = "amount_out_of_range", 422, "Số tiền: từ 0 đến 1.000 tỷ đồng.";
    AccountNotMember = "account_not_member", 422, "Tài khoản: chưa gắn với một đoàn viên trong danh sách (nhờ người điều phối gắn ở mục Người dùng).";
    ShiftFull = "shift_full", 409, "Ca: đã đủ người, hãy chọn ca khác.";
    ShiftStarted = "shift_started", 422, "Ca: đã bắt đầu hoặc đã qua, không đăng ký được nữa.";
    DayInPast = "day_in_past", 422, "Ngày: không được trước hôm nay.";
    PlacesOutOfRange = "places_out_of_range", 422, "Số người: từ 1 đến 100.";
    TeamNameTaken = "team_name_taken", 409, "Tên đội hình: đã có đội hình mang tên này.";
    ChannelUnknown = "channel_unknown", 422, "Kênh: chọn một kênh tuyên truyền của kế hoạch.";
    LinkInvalid = "link_invalid", 422, "Đường dẫn: phải bắt đầu bằng http:// hoặc https:// (tối đa 500 ký tự).";
    SectionUnknown = "section_unknown", 422, "Phần báo cáo: không có phần này.";
    ReportTextTooLong = "report_text_too_long", 422, "Nội dung: tối đa 10.000 ký tự mỗi phần.";
    EntriesNotOpen = "entries_not_open", 422, "Cuộc thi: chưa đến thời gian nhận bài.";
    EntriesClosed = "entries_closed", 422, "Cuộc thi: đã hết hạn nhận bài.";
    EntriesRateLimited = "entries_rate_limited", 429, "Gửi quá nhiều bài từ một địa chỉ: vui lòng thử lại sau một giờ.";
    EntryTitleInvalid = "entry_title_invalid", 422, "Tên bài dự thi: không được để trống, tối đa 200 ký tự.";
    EntryDescriptionInvalid = "entry_description_invalid", 422, "Mô tả: không được để trống, tối đa 5.000 ký tự.";
    CategoryUnknown = "category_unknown", 422, "Thể loại: chọn một thể loại của cuộc thi.";
    VideoLinkRequired = "video_link_required", 422, "Đường dẫn video: cuộc thi này nhận video qua đường dẫn công khai (YouTube, Facebook, TikTok…), không nhận tệp tải lên.";
    EntryWorkRequired = "entry_work_required", 422, "Bài dự thi: cần tải tệp lên hoặc ghi đường dẫn.";
    EntryFileTooLarge = "entry_file_too_large", 422, "Tệp bài dự thi: quá lớn (tối đa 10 MB).";
    EntryFileUnsupported = "entry_file_unsupported", 422, "Tệp bài dự thi: chỉ nhận PDF, DOCX, JPEG hoặc PNG.";
    EntrantKindInvalid = "entrant_kind_invalid", 422, "Người dự thi: chọn cá nhân hoặc nhóm.";
    EntrantNameRequired = "entrant_name_required", 422, "Họ và tên: không được để trống, tối đa 150 ký tự.";
    MembersTooLong = "members_too_long", 422, "Thành viên nhóm: tối đa 1.000 ký tự.";
    AffiliationTooLong = "affiliation_too_long", 422, "Lớp hoặc ghi rõ thêm: tối đa 200 ký tự.";
    ContactInvalid = "contact_invalid", 422, "Liên hệ: ghi số điện thoại (9–12 chữ số) hoặc email.";
    ConsentRequired = "consent_required", 422, "Đồng ý: cần đồng ý để Ban tổ chức lưu thông tin liên hệ.";
    ReceiptUnknown = "receipt_unknown", 422, "Mã biên nhận: không tìm thấy bài dự thi với mã này.";
    EntryWithdrawn = "entry_withdrawn", 409, "Bài dự thi: đã được rút.";
    CriterionUnknown = "criterion_unknown", 422, "Điểm: có tiêu chí không thuộc cuộc thi.";
    ScoreOutOfRange = "score_out_of_range", 422, "Điểm: chấm đủ mọi tiêu chí, mỗi tiêu chí từ 0 đến điểm tối đa.";
    JudgeRecused = "judge_recused", 409, "Chấm điểm: bạn đã khai xung đột lợi ích với bài này nên không chấm được.";
    ScoresLocked = "scores_locked", 409, "Chấm điểm: điểm của cuộc thi đã khóa.";
    ScoresNotLocked = "scores_not_locked", 409, "Trao giải: cần khóa điểm trước.";
    ResultsPublished = "results_published", 409, "Kết quả: đã công bố, không sửa được nữa.";
    RubricLocked = "rubric_locked", 409, "Tiêu chí: đã có điểm chấm, không đổi tiêu chí được nữa (điểm đã chấm được giữ nguyên).";
    RubricSize = "rubric_size", 422, "Tiêu chí: từ 1 đến 10 tiêu chí.";
    CriterionLabelInvalid = "criterion_label_invalid", 422, "Tiêu chí: tên không được để trống, tối đa 100 ký tự, không trùng nhau.";
    CriterionWeightInvalid = "criterion_weight_invalid", 422, "Trọng số: số nguyên từ 1 đến 100.";
    CriterionMaxInvalid = "criterion_max_invalid", 422, "Điểm tối đa: số nguyên từ 1 đến 100.";
    JudgeUnknown = "judge_unknown", 422, "Giám khảo: chỉ chọn tài khoản đang hoạt động có vai trò giám khảo.";
    PrizeUnknown = "prize_unknown", 422, "Giải: chọn một giải của cuộc thi.";
    PrizesInvalid = "prizes_invalid", 422, "Giải thưởng: 1–20 giải, mỗi giải tối đa 100 ký tự.";
    CategoriesInvalid = "categories_invalid", 422, "Thể loại: tối đa 20 thể loại, mỗi thể loại tối đa 100 ký tự.";
    AwardsBeforeClose = "awards_before_close", 422, "Ngày trao giải: không được trước ngày hết hạn nhận bài.";
    PlanHasRecords = "plan_has_records", 422, "Kế hoạch: kế hoạch đang dùng đã có số liệu ghi nhận, không thay được; hãy chạy kế hoạch mới với một cơ sở dữ liệu mới (kehoach serve --plan).";
    PlanHasUnitAccounts = "plan_has_unit_accounts", 422, "Kế hoạch: đã có tài khoản hoặc lời mời gắn với đơn vị của kế hoạch đang dùng; hãy khóa chúng trước khi thay kế hoạch.";
    PlanFileInvalid = "plan_file_invalid", 422, "Tệp kế hoạch: còn lỗi, hãy kiểm tra và sửa trước khi kích hoạt.";
    CommuneNameInvalid = "commune_name_invalid", 422, "Tên xã: nhập tên xã, phường (tối đa 200 ký tự), ví dụ “xã An Hòa”.";
    CommuneTaken = "commune_taken", 409, "Tên xã: tỉnh, thành phố này đã có xã cùng tên trên máy chủ.";
    CommuneHostInvalid = "commune_host_invalid", 422, "Tên miền: chỉ gồm chữ không dấu, số, dấu “-” và “.”, ví dụ an-hoa.kehoach.haiphong.gov.vn.";
    CommuneHostRequired = "commune_host_required", 422, "Tên miền: máy chủ đã có xã dùng địa chỉ chung, xã mới cần tên miền riêng.";
    CommuneHostTaken = "commune_host_taken", 409, "Tên miền: đã có xã khác dùng tên miền này.";
    CommuneHostOutsideCity = "commune_host_outside_city", 422, "Tên miền: xã của thành phố dùng tên miền con của địa chỉ thành phố (ví dụ an-hoa.<địa chỉ thành phố>); các tên miền khác do người quản trị máy chủ cấp.";
    CityNotFound = "city_not_found", 404, "Thành phố: không có thành phố, tỉnh này trên máy chủ.";
    NotACity = "not_a_city", 404, "Trang này chỉ có ở địa chỉ của thành phố, tỉnh.";
    PlanClosed = "plan_closed", 409, "Kế hoạch: kế hoạch này đã đóng, số liệu chỉ còn để xem và báo cáo; hãy chọn kế hoạch đang thực hiện ở trang Các kế hoạch.";
    PlanNotOfCommune = "plan_not_of_commune", 404, "Kế hoạch: không có kế hoạch này trong các kế hoạch của xã.";
    LoginFailed = "login_failed", 401, "Tên đăng nhập hoặc mật khẩu không đúng.";
    LoginRateLimited = "login_rate_limited", 429, "Đăng nhập sai quá nhiều lần: vui lòng thử lại sau ít phút.";
    Unauthenticated = "unauthenticated", 401, "Cần đăng nhập.";
    Forbidden = "forbidden", 403, "Vai trò hoặc đơn vị của bạn không được phép thực hiện thao tác này.";
    CsrfFailed = "csrf_failed", 403, "Phiên làm việc của biểu mẫu đã hết hạn: vui lòng tải lại trang và thử lại.";
    NotFound = "not_found", 404, "Không tìm thấy.";
    BadRequest = "bad_request", 400, "Dữ liệu gửi lên không hợp lệ.";
    BodyTooLarge = "body_too_large", 413, "Dữ liệu gửi lên quá lớn so với giới hạn của thao tác này.";
    UnsupportedMediaType = "unsupported_media_type", 415, "Kiểu dữ liệu gửi lên không được hỗ trợ (API nhận JSON).";
    MethodNotAllowed = "method_not_allowed", 405, "Địa chỉ này không nhận phương thức yêu cầu đó.";
    RequestTimeout = "request_timeout", 408, "Yêu cầu mất quá nhiều thời gian và đã dừng: vui lòng thử lại.";
    TooManyRequests = "too_many_requests", 429, "Quá nhiều yêu cầu: vui lòng thử lại sau ít phút.";
    Internal = "internal", 500, "Lỗi hệ thống: thao tác chưa được lưu, vui lòng thử lại.";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn every_code_is_distinct_snake_case_with_a_status_and_an_nfc_message() {
        let mut seen = std::collections::HashSet::new();
        for &c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s}");
            assert!((400..600).contains(&c.status()), "{s}");
            let m = c.message_vn();
            assert!(m.chars().count() > 5, "{s}: {m}");
            assert_eq!(m.nfc().collect::<String>(), m, "{s}: message not NFC");
        }
    }
}
