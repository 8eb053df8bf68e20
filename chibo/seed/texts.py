"""What seeded meetings say: topics, opinions, tasks, reasons, in Vietnamese.

Plain data, not translated: these are what members wrote, as they would write it.
"""

# Thematic topics (chuyên đề), by kind of cell; every cell also draws from COMMON_TOPICS.
COMMON_TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tinh thần trách nhiệm "
    "và nêu gương của cán bộ, đảng viên",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về thực hành tiết kiệm, "
    "chống lãng phí",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về đoàn kết, gắn bó mật "
    "thiết với nhân dân",
    "Chuyển đổi số: đảng viên sử dụng thành thạo dịch vụ công trực tuyến và Sổ tay đảng viên "
    "điện tử",
    "Bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch "
    "trên không gian mạng",
    "Quán triệt Nghị quyết Đại hội Đảng bộ tỉnh nhiệm kỳ 2025–2030",
)
TOPICS = {
    "residential": (
        "Xây dựng nông thôn mới và thôn kiểu mẫu: vai trò của đảng viên trong vận động nhân dân",
        "Phát triển kinh tế hộ gia đình, giảm nghèo bền vững ở thôn",
        "Phòng, chống ma túy và mua bán người ở khu vực biên giới",
        "Giữ gìn bản sắc văn hóa dân tộc, xóa bỏ hủ tục trong cưới hỏi, tang ma",
        "Bảo vệ rừng, phòng chống cháy rừng mùa khô",
    ),
    "agency": (
        "Cải cách hành chính, nâng cao chỉ số hài lòng của người dân",
        "Chuyển đổi số trong xử lý văn bản và hồ sơ công việc của cơ quan",
        "Phòng, chống tham nhũng, tiêu cực trong thực thi công vụ",
    ),
    "school": (
        "Đổi mới phương pháp dạy học theo Chương trình giáo dục phổ thông 2018",
        "Nâng cao chất lượng dạy tiếng Việt cho học sinh dân tộc thiểu số",
        "Xây dựng trường học an toàn, thân thiện; phòng, chống bạo lực học đường",
        "Ứng dụng công nghệ thông tin và chuyển đổi số trong dạy học",
    ),
    "public_service": (
        "Nâng cao y đức, đổi mới phong cách, thái độ phục vụ người bệnh",
        "Chuyển đổi số trong khám chữa bệnh: hồ sơ sức khỏe điện tử",
        "Chăm sóc sức khỏe ban đầu cho đồng bào vùng cao",
    ),
    "enterprise": (
        "Phát triển vùng nguyên liệu chè Shan tuyết gắn với bảo vệ môi trường",
        "Vai trò của tổ chức đảng trong sản xuất kinh doanh và chăm lo đời sống người lao động",
        "Chuyển đổi số trong quản trị doanh nghiệp",
    ),
    "armed_forces": (
        "Xây dựng lực lượng cách mạng, chính quy, tinh nhuệ, từng bước hiện đại",
        "Bảo vệ chủ quyền lãnh thổ, an ninh biên giới quốc gia trong tình hình mới",
        "Phát huy phẩm chất Bộ đội Cụ Hồ, gắn bó với nhân dân vùng biên",
    ),
}

# One-line opinions of speakers, by the agenda item they speak on.
OPINIONS = {
    "previous_resolution": (
        "Nhất trí với báo cáo; đề nghị làm rõ nguyên nhân của nhiệm vụ chưa hoàn thành.",
        "Đề nghị chi ủy đôn đốc các đồng chí chưa hoàn thành nhiệm vụ được giao.",
        "Kết quả tháng trước cơ bản đạt, cần rút kinh nghiệm về tiến độ.",
        "Tôi xin báo cáo bổ sung: phần việc được giao đã xong, có sản phẩm kèm theo.",
    ),
    "current_events": (
        "Đề nghị phổ biến kỹ hơn chủ trương sắp xếp đơn vị hành chính để quần chúng hiểu rõ.",
        "Cần cảnh giác với thông tin sai lệch trên mạng xã hội, không chia sẻ tin chưa kiểm chứng.",
        "Đề nghị cấp trên sớm hướng dẫn chế độ cho người làm công tác ở cơ sở.",
        "Tình hình an ninh trật tự ổn định; đề nghị duy trì tổ tự quản.",
    ),
    "member_tasks": (
        "Tôi nhận vận động thêm ba hộ tham gia bảo hiểm y tế trong tháng tới.",
        "Đề nghị phân công đảng viên trẻ hỗ trợ người dân dùng dịch vụ công trực tuyến.",
        "Tháng tới cần tập trung phòng chống rét cho người và gia súc.",
        "Tôi đăng ký hoàn thành phần việc của mình trước ngày sinh hoạt kỳ sau.",
        "Đề nghị giao nhiệm vụ cụ thể hơn, có người chịu trách nhiệm chính.",
    ),
    "thematic": (
        "Chuyên đề thiết thực; tôi sẽ liên hệ với việc làm cụ thể của bản thân.",
        "Đề nghị mỗi đảng viên đăng ký một việc làm theo gương Bác trong năm.",
        "Cần gắn chuyên đề với nhiệm vụ chính trị của chi bộ, tránh hình thức.",
        "Tôi nhận thấy mình còn ngại phát biểu, xin khắc phục từ kỳ này.",
    ),
    "discussion": (
        "Tôi tự nhận thấy tháng qua còn chậm nộp đảng phí, xin rút kinh nghiệm.",
        "Nhất trí với dự thảo nghị quyết; đề nghị bổ sung chỉ tiêu về vệ sinh môi trường.",
        "Đề nghị đồng chí phụ trách địa bàn sát sao hơn với hộ khó khăn.",
        "Nội dung sinh hoạt đầy đủ; đề nghị dành thêm thời gian cho phê bình và tự phê bình.",
        "Tôi góp ý đồng chí tổ trưởng cần thông báo lịch công việc sớm hơn.",
        "Nhất trí cao với dự thảo, không có ý kiến khác.",
    ),
}
# Opinions members post in advance, before the meeting.
PREPARED_OPINIONS = (
    "Đề nghị chi bộ thảo luận thêm về việc hỗ trợ hộ nghèo sửa nhà trước mùa mưa.",
    "Tôi xin góp ý trước: dự thảo nghị quyết nên có thời hạn cụ thể cho từng việc.",
    "Đề nghị đưa nội dung chuyển đổi số vào nhiệm vụ tháng tới.",
    "Tôi đề nghị biểu dương các đảng viên hoàn thành tốt nhiệm vụ tháng trước.",
)

# The resolution's tasks: (what is to be done, what is to be delivered).
COMMON_TASKS = (
    ("Nộp đảng phí đúng hạn, đầy đủ", "Sổ thu đảng phí của chi bộ"),
    ("Hướng dẫn người dân kích hoạt tài khoản định danh điện tử VNeID", "Số người được hỗ trợ"),
    ("Cập nhật Sổ tay đảng viên điện tử và đọc tài liệu trước kỳ sinh hoạt", "Báo cáo của chi ủy"),
)
TASKS = {
    "residential": (
        ("Vận động các hộ góp ngày công làm đường bê tông liên thôn", "Danh sách hộ đăng ký"),
        ("Tuyên truyền phòng chống rét cho gia súc", "Số hộ đã che chắn chuồng trại"),
        ("Thu quỹ khuyến học của thôn", "Sổ thu quỹ"),
        ("Vận động người dân tham gia bảo hiểm y tế", "Danh sách hộ tham gia"),
        ("Tổng vệ sinh đường làng, khơi thông cống rãnh", "Số buổi ra quân"),
        ("Thăm hỏi, hỗ trợ hộ nghèo sửa nhà", "Biên bản bàn giao"),
    ),
    "agency": (
        ("Hoàn thành báo cáo sơ kết quý", "Báo cáo trình lãnh đạo"),
        ("Số hóa hồ sơ lưu trữ", "Danh mục hồ sơ đã số hóa"),
        ("Rà soát thủ tục hành chính thuộc thẩm quyền", "Danh mục đề xuất cắt giảm"),
        ("Giải quyết hồ sơ đúng hạn trên hệ thống một cửa", "Tỷ lệ hồ sơ đúng hạn"),
    ),
    "school": (
        ("Bồi dưỡng học sinh giỏi cấp tỉnh", "Danh sách đội tuyển"),
        ("Vận động học sinh bỏ học trở lại lớp", "Số học sinh trở lại lớp"),
        ("Dự giờ, góp ý chuyên môn cho giáo viên trẻ", "Phiếu dự giờ"),
        ("Hoàn thành hồ sơ kiểm định chất lượng giáo dục", "Bộ hồ sơ"),
    ),
    "public_service": (
        ("Tổ chức khám sức khỏe cho người cao tuổi", "Danh sách người được khám"),
        ("Tiêm chủng mở rộng đợt trong tháng", "Tỷ lệ trẻ được tiêm"),
        ("Cập nhật hồ sơ sức khỏe điện tử", "Số hồ sơ được cập nhật"),
    ),
    "enterprise": (
        ("Hoàn thành kế hoạch thu mua chè búp tươi", "Sản lượng thu mua"),
        ("Kiểm tra an toàn lao động tại xưởng", "Biên bản kiểm tra"),
        ("Chăm lo Tết cho người lao động", "Danh sách người được hỗ trợ"),
    ),
    "armed_forces": (
        ("Tuần tra bảo vệ đường biên, mốc giới", "Báo cáo kết quả tuần tra"),
        ("Giúp dân sửa nhà, làm đường", "Số ngày công"),
        ("Huấn luyện điều lệnh, võ thuật", "Kết quả kiểm tra"),
        ("Nắm tình hình địa bàn, phòng chống tội phạm ma túy", "Báo cáo tình hình"),
    ),
}
THEMATIC_TASK = (
    "Viết bài thu hoạch và đăng ký việc làm theo chuyên đề",
    "Bài thu hoạch, bản đăng ký của từng đảng viên",
)

REVIEW_NOTES = {
    "done": (
        "Hoàn thành đúng hạn.",
        "Đã hoàn thành, đạt yêu cầu.",
        "Hoàn thành tốt, vượt chỉ tiêu.",
    ),
    "late": (
        "Hoàn thành chậm do thời tiết mưa rét.",
        "Hoàn thành chậm một tuần vì vào mùa vụ.",
        "Hoàn thành nhưng chậm so với thời hạn.",
    ),
    "not_done": (
        "Chưa thực hiện do đường sạt lở; chuyển sang tháng sau.",
        "Chưa hoàn thành, đồng chí phụ trách đi công tác dài ngày.",
        "Chưa bố trí được kinh phí; chi ủy tiếp tục đôn đốc.",
    ),
}

ABSENCE_REASONS = (
    "Đi công tác",
    "Ốm, đang điều trị",
    "Con ốm, phải đưa đi viện",
    "Việc gia đình (đám cưới)",
    "Việc gia đình (tang lễ)",
    "Đi làm nương xa, không về kịp",
    "Tập huấn tại tỉnh",
    "Đi học lớp trung cấp lý luận chính trị",
    "Trực cơ quan",
)
MOVED_REASONS = (
    "Trùng lịch hội nghị của cấp ủy cấp trên",
    "Bí thư chi bộ đi tập huấn",
    "Mưa lũ, đường vào thôn bị sạt lở",
    "Trùng lịch tiêm chủng của xã",
    "Đảng viên tập trung thu hoạch mùa vụ",
    "Trùng lịch kiểm tra của cấp trên",
)
TET_REASON = "Nghỉ Tết Nguyên đán"
CANCELLED_REASONS = (
    "Mưa lũ chia cắt, không tổ chức được; nội dung chuyển sang kỳ sau",
    "Trùng dịp Tết Nguyên đán, chi bộ ghép nội dung vào kỳ sau",
    "Phần lớn đảng viên đi làm ăn xa theo mùa vụ",
)

# The higher committee's members who follow the cells (cấp ủy viên phụ trách).
FOLLOWERS = (
    "Hoàng Văn Khiêm",
    "Lục Thị Mai",
    "Vàng Mí Sính",
    "Nông Đức Thuận",
    "Trần Thu Hương",
    "Sùng Seo Chứ",
    "Ma Văn Tiến",
    "Nguyễn Thị Hạnh",
)

# The narrative parts of the minutes, written by the minute-taker.
MINUTES_OPENING = (
    "Đồng chí {chair}, Bí thư chi bộ, khai mạc, nêu lý do, mục đích buổi sinh hoạt; chi bộ "
    "thông qua chương trình và cử đồng chí {taker} làm thư ký."
)
MINUTES_SUMMARIES = (
    "Chi bộ thảo luận dân chủ, thẳng thắn; {speakers} đồng chí phát biểu, tập trung vào kết quả "
    "thực hiện nghị quyết kỳ trước và nhiệm vụ tháng tới.",
    "Các ý kiến thống nhất cao với báo cáo của chi ủy; {speakers} đồng chí phát biểu, nêu rõ "
    "nguyên nhân hạn chế và đề xuất giải pháp khắc phục.",
    "{speakers} đồng chí phát biểu; chi bộ dành thời gian tự phê bình và phê bình, góp ý "
    "cụ thể cho từng đồng chí chưa hoàn thành nhiệm vụ.",
)
MINUTES_THEMATIC_SUMMARY = (
    "Chi bộ nghe trình bày chuyên đề “{topic}”; {speakers} đồng chí phát biểu, liên hệ với "
    "việc làm của bản thân và của chi bộ."
)
MINUTES_CONCLUSIONS = (
    "Đồng chí chủ trì kết luận, giao nhiệm vụ cụ thể cho từng đảng viên; chi bộ biểu quyết "
    "thông qua nghị quyết.",
    "Chi bộ thống nhất nghị quyết tháng, giao chi ủy đôn đốc thực hiện và kiểm điểm tại kỳ "
    "sinh hoạt sau.",
)
MINUTES_THEMATIC_CONCLUSION = (
    "Đồng chí chủ trì kết luận chuyên đề; mỗi đảng viên viết bài thu hoạch và đăng ký việc "
    "làm cụ thể để thực hiện."
)
MINUTES_TOPIC_SENTENCE = (
    "Chi bộ nghe trình bày chuyên đề “{topic}”, các đồng chí liên hệ với việc làm của bản thân."
)
