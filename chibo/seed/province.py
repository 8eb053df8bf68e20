"""The Hà Giang provincial organisation at its published size (DOMAIN.md, seed 003).

15 subordinate committees (11 district and city committees, 3 of the armed forces, the
provincial agencies and enterprises bloc); 844 grassroots organisations: 305 grassroots
committees and 539 grassroots cells; 3,743 cells under the grassroots committees; 73,551
members, 70,555 official and 2,996 probationary.

The actions add one row at a time with their checks and audit events, which would take many
minutes here. This module writes the rows the actions would write, with bulk_create: the
materialised paths treebeard gives (see child_path), name_folded that save() fills, a
"founded" OrgChange per organisation and one open MembershipPeriod per member. One audit
event records the seed itself instead of 78,000. Twelve months of meetings of every cell
follow, written the same way (chibo.seed.province_history).
"""

import datetime
import random
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleKind
from chibo.audit.log import record
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.orgs.models import Level, Organisation, OrgChange
from chibo.oversight import rollups, warnings
from chibo.seed.demo import FOUNDED, Account, create_accounts, leader_positions, system_user
from chibo.seed.names import People, add_years
from chibo.seed.province_history import ProvinceHistory
from chibo.text import fold

SUPERIOR_COMMITTEES = 15
GRASSROOTS_COMMITTEES = 305
GRASSROOTS_CELLS = 539
CELLS = 3743
MEMBERS = 73551
PROBATIONARY = 2996

PROVINCE_ACCOUNTS = (
    Account("admin", RoleKind.ADMINISTRATOR, "HG", "Nguyễn Quang Huy"),
    Account("tochuc", RoleKind.ORGANISATION_STAFF, "HG", "Trần Thị Thu Hà"),
    Account("kiemtra", RoleKind.INSPECTION_STAFF, "HG", "Lê Văn Thắng"),
    Account("thuongvu", RoleKind.STANDING_MEMBER, "HG-02", "Hoàng Văn Khiêm"),
    # The first cell of a commune is a village cell (see _plan_subordinate_cells).
    Account("bithu", RoleKind.SECRETARY, "HG-02-003-001"),
)

MEMBER_BATCH = 5000
# Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement (SQLite's
# limit is smaller still, and Django lowers the batch for it by itself).
INSERT_BATCH = 1000


@dataclass(frozen=True)
class Superior:
    """A committee directly under the province, with how many grassroots bodies it holds."""

    name: str
    kind: str  # district, army, police, border or bloc
    mix: str  # which peoples its members come from, see names.MIXES
    committees: int
    cells: int
    places: tuple[str, ...]  # communes of a district, or the units of the others


def _places(prefix: str, names: str) -> tuple[str, ...]:
    return tuple(f"{prefix} {n.strip()}" for n in names.split(","))


SUPERIORS = (
    Superior(
        "Đảng bộ thành phố Hà Giang",
        "district",
        "town",
        10,
        45,
        _places("phường", "Quang Trung, Trần Phú, Ngọc Hà, Nguyễn Trãi, Minh Khai")
        + _places("xã", "Ngọc Đường, Phương Độ, Phương Thiện"),
    ),
    Superior(
        "Đảng bộ huyện Đồng Văn",
        "district",
        "highland",
        20,
        38,
        _places("thị trấn", "Đồng Văn, Phó Bảng")
        + _places(
            "xã",
            "Lũng Cú, Má Lé, Lũng Táo, Phố Là, Thài Phìn Tủng, Sủng Là, Xà Phìn, "
            "Tả Phìn, Tả Lủng, Phố Cáo, Sính Lủng, Sảng Tủng, Lũng Thầu, "
            "Hố Quáng Phìn, Vần Chải, Lũng Phìn, Sủng Trái",
        ),
    ),
    Superior(
        "Đảng bộ huyện Mèo Vạc",
        "district",
        "highland",
        19,
        37,
        _places("thị trấn", "Mèo Vạc")
        + _places(
            "xã",
            "Pả Vi, Pải Lủng, Xín Cái, Giàng Chu Phìn, Sơn Vĩ, Thượng Phùng, "
            "Cán Chu Phìn, Lũng Pù, Lũng Chinh, Tát Ngà, Nậm Ban, Khâu Vai, Niêm Sơn, "
            "Niêm Tòng, Tả Lủng, Sủng Trà, Sủng Máng",
        ),
    ),
    Superior(
        "Đảng bộ huyện Yên Minh",
        "district",
        "highland",
        19,
        40,
        _places("thị trấn", "Yên Minh")
        + _places(
            "xã",
            "Thắng Mố, Phú Lũng, Sủng Tráng, Bạch Đích, Na Khê, Sủng Thài, "
            "Hữu Vinh, Lao Và Chải, Mậu Duệ, Đông Minh, Mậu Long, Ngam La, Ngọc Long, "
            "Đường Thượng, Lũng Hồ, Du Tiến, Du Già",
        ),
    ),
    Superior(
        "Đảng bộ huyện Quản Bạ",
        "district",
        "highland",
        14,
        33,
        _places("thị trấn", "Tam Sơn")
        + _places(
            "xã",
            "Bát Đại Sơn, Nghĩa Thuận, Cán Tỷ, Cao Mã Pờ, Thanh Vân, Tùng Vài, "
            "Đông Hà, Quản Bạ, Lùng Tám, Quyết Tiến, Tả Ván, Thái An",
        ),
    ),
    Superior(
        "Đảng bộ huyện Bắc Mê",
        "district",
        "midland",
        14,
        33,
        _places("thị trấn", "Yên Phú")
        + _places(
            "xã",
            "Minh Ngọc, Yên Cường, Lạc Nông, Đường Âm, Đường Hồng, Giáp Trung, "
            "Phiêng Luông, Yên Định, Minh Sơn, Yên Phong, Thượng Tân, Phú Nam",
        ),
    ),
    Superior(
        "Đảng bộ huyện Vị Xuyên",
        "district",
        "midland",
        25,
        50,
        _places("thị trấn", "Vị Xuyên, Việt Lâm")
        + _places(
            "xã",
            "Thanh Thủy, Thanh Đức, Xín Chải, Lao Chải, Phương Tiến, Tùng Bá, "
            "Thuận Hòa, Minh Tân, Phong Quang, Cao Bồ, Đạo Đức, Linh Hồ, Bạch Ngọc, "
            "Ngọc Linh, Ngọc Minh, Trung Thành, Quảng Ngần, Thượng Sơn, Kim Thạch, "
            "Phú Linh, Kim Linh",
        ),
    ),
    Superior(
        "Đảng bộ huyện Bắc Quang",
        "district",
        "midland",
        25,
        52,
        _places("thị trấn", "Việt Quang, Vĩnh Tuy")
        + _places(
            "xã",
            "Tân Lập, Tân Thành, Đồng Tiến, Đồng Tâm, Tân Quang, Thượng Bình, "
            "Hữu Sản, Kim Ngọc, Việt Vinh, Bằng Hành, Quang Minh, Liên Hiệp, Vô Điếm, "
            "Việt Hồng, Hùng An, Đức Xuân, Tiên Kiều, Vĩnh Hảo, Vĩnh Phúc, Đồng Yên, "
            "Đông Thành",
        ),
    ),
    Superior(
        "Đảng bộ huyện Quang Bình",
        "district",
        "midland",
        16,
        36,
        _places("thị trấn", "Yên Bình")
        + _places(
            "xã",
            "Tân Trịnh, Tân Bắc, Tiên Yên, Yên Thành, Bằng Lang, Xuân Giang, "
            "Nà Khương, Tiên Nguyên, Hương Sơn, Yên Hà, Vĩ Thượng, Tân Nam, Xuân Minh",
        ),
    ),
    Superior(
        "Đảng bộ huyện Hoàng Su Phì",
        "district",
        "hills",
        26,
        45,
        _places("thị trấn", "Vinh Quang")
        + _places(
            "xã",
            "Bản Máy, Thàng Tín, Thèn Chu Phìn, Pố Lồ, Bản Phùng, Túng Sán, "
            "Chiến Phố, Đản Ván, Tụ Nhân, Tân Tiến, Nàng Đôn, Pờ Ly Ngài, Sán Xả Hồ, "
            "Bản Luốc, Ngàm Đăng Vài, Bản Nhùng, Tả Sử Choóng, Nậm Dịch, Hồ Thầu, "
            "Nam Sơn, Nậm Ty, Thông Nguyên, Nậm Khòa, Bản Péo",
        ),
    ),
    Superior(
        "Đảng bộ huyện Xín Mần",
        "district",
        "hills",
        20,
        40,
        _places("thị trấn", "Cốc Pài")
        + _places(
            "xã",
            "Nàn Xỉn, Bản Díu, Chí Cà, Xín Mần, Thèn Phàng, Trung Thịnh, "
            "Pà Vầy Sủ, Cốc Rế, Thu Tà, Nàn Ma, Tả Nhìu, Bản Ngò, Chế Là, Nấm Dẩn, "
            "Quảng Nguyên, Nà Chì, Khuôn Lùng",
        ),
    ),
    Superior("Đảng bộ Quân sự tỉnh", "army", "province", 22, 10, ()),
    Superior("Đảng bộ Công an tỉnh", "police", "province", 20, 14, ()),
    Superior("Đảng bộ Bộ đội Biên phòng tỉnh", "border", "province", 20, 6, ()),
    Superior("Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh", "bloc", "province", 35, 60, ()),
)

DISTRICTS = tuple(s.name.removeprefix("Đảng bộ ") for s in SUPERIORS if s.kind == "district")
# Where members of the armed forces and the provincial bloc live: anywhere in the province.
ALL_HOMES = tuple(
    f"{p}, {s.name.removeprefix('Đảng bộ ')}, tỉnh Hà Giang" for s in SUPERIORS for p in s.places
)


def _split(names: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in names.split(";"))


# Grassroots committees of the armed forces and the bloc; districts use their communes.
COMMITTEES = {
    "army": tuple(f"Đảng bộ Ban Chỉ huy Quân sự {d}" for d in DISTRICTS)
    + _split(
        "Đảng bộ Cơ quan Bộ Chỉ huy Quân sự tỉnh; Đảng bộ Trung đoàn 877; "
        "Đảng bộ Tiểu đoàn Huấn luyện – Cơ động; Đảng bộ Trường Quân sự tỉnh; "
        "Đảng bộ Phòng Tham mưu; Đảng bộ Phòng Chính trị; Đảng bộ Phòng Hậu cần – Kỹ thuật"
    ),
    "police": tuple(f"Đảng bộ Công an {d}" for d in DISTRICTS)
    + _split(
        "Đảng bộ Phòng An ninh chính trị nội bộ; Đảng bộ Phòng Cảnh sát hình sự; "
        "Đảng bộ Phòng Cảnh sát giao thông; Đảng bộ Phòng Cảnh sát PCCC và CNCH; "
        "Đảng bộ Phòng Tham mưu Công an tỉnh; Đảng bộ Phòng Cảnh sát quản lý hành chính; "
        "Đảng bộ Trại tạm giam Công an tỉnh; Đảng bộ Phòng Hậu cần Công an tỉnh; "
        "Đảng bộ Phòng An ninh kinh tế"
    ),
    "border": tuple(
        f"Đảng bộ Đồn Biên phòng {p}"
        for p in _split(
            "Lũng Cú; Sơn Vĩ; Xín Cái; Bạch Đích; Phó Bảng; Nghĩa Thuận; Thanh Thủy; Xín Mần; "
            "Săm Pun; Mậu Duệ; Lũng Làn; Cán Chu Phìn; Thèn Chu Phìn; Sủng Trái; Pà Vầy Sủ; "
            "Bản Máy; Tùng Vài; Thanh Đức"
        )
    )
    + _split(
        "Đảng bộ Cơ quan Bộ Chỉ huy Bộ đội Biên phòng tỉnh; "
        "Đảng bộ Tiểu đoàn Huấn luyện – Cơ động Biên phòng"
    ),
    "bloc": _split(
        "Đảng bộ Văn phòng Tỉnh ủy; Đảng bộ Văn phòng UBND tỉnh; "
        "Đảng bộ Sở Giáo dục và Đào tạo; Đảng bộ Sở Y tế; Đảng bộ Bệnh viện Đa khoa tỉnh; "
        "Đảng bộ Sở Nông nghiệp và Phát triển nông thôn; Đảng bộ Sở Tài chính; "
        "Đảng bộ Sở Kế hoạch và Đầu tư; Đảng bộ Sở Nội vụ; Đảng bộ Sở Tư pháp; "
        "Đảng bộ Sở Giao thông vận tải; Đảng bộ Sở Xây dựng; "
        "Đảng bộ Sở Tài nguyên và Môi trường; Đảng bộ Sở Văn hóa, Thể thao và Du lịch; "
        "Đảng bộ Sở Lao động – Thương binh và Xã hội; Đảng bộ Sở Công Thương; "
        "Đảng bộ Sở Khoa học và Công nghệ; Đảng bộ Sở Thông tin và Truyền thông; "
        "Đảng bộ Thanh tra tỉnh; Đảng bộ Ban Dân tộc tỉnh; Đảng bộ Trường Chính trị tỉnh; "
        "Đảng bộ Trường Cao đẳng Hà Giang; Đảng bộ Trường THPT Chuyên Hà Giang; "
        "Đảng bộ Đài Phát thanh và Truyền hình tỉnh; Đảng bộ Báo Hà Giang; "
        "Đảng bộ Cục Thuế tỉnh; Đảng bộ Kho bạc Nhà nước tỉnh; "
        "Đảng bộ Bảo hiểm xã hội tỉnh; Đảng bộ Ngân hàng Nhà nước chi nhánh Hà Giang; "
        "Đảng bộ Công ty Điện lực Hà Giang; Đảng bộ Bưu điện tỉnh; "
        "Đảng bộ Viettel Hà Giang; Đảng bộ Ngân hàng Nông nghiệp chi nhánh Hà Giang; "
        "Đảng bộ Tòa án nhân dân tỉnh; Đảng bộ Viện Kiểm sát nhân dân tỉnh"
    ),
}
# A district also has two grassroots committees that are not communes.
DISTRICT_COMMITTEES = ("Đảng bộ Cơ quan Chính quyền", "Đảng bộ Trung tâm Y tế")

# Cells under a grassroots committee, by what the committee is.
SUBORDINATE_CELLS = {
    "commune": _split("Chi bộ Cơ quan; Chi bộ Quân sự; Chi bộ Công an; Chi bộ Trường học"),
    "army": _split(
        "Chi bộ Chỉ huy; Chi bộ Cơ quan Tham mưu; Chi bộ Cơ quan Chính trị; "
        "Chi bộ Hậu cần – Kỹ thuật"
    ),
    "police": _split(
        "Chi bộ Đội Tổng hợp; Chi bộ Đội An ninh; Chi bộ Đội Cảnh sát hình sự; "
        "Chi bộ Đội Cảnh sát giao thông; Chi bộ Đội Cảnh sát kinh tế"
    ),
    "border": _split(
        "Chi bộ Chỉ huy; Chi bộ Đội Vũ trang; Chi bộ Đội Trinh sát; "
        "Chi bộ Đội Vận động quần chúng; Chi bộ Trạm Kiểm soát Biên phòng"
    ),
    "office": _split(
        "Chi bộ Văn phòng; Chi bộ Phòng Tổ chức – Hành chính; "
        "Chi bộ Phòng Kế hoạch – Tài chính; Chi bộ Thanh tra"
    ),
    "health": _split(
        "Chi bộ Khoa Khám bệnh; Chi bộ Khoa Nội; Chi bộ Khoa Ngoại; "
        "Chi bộ Khoa Sản; Chi bộ Khoa Nhi; Chi bộ Khoa Hồi sức cấp cứu; "
        "Chi bộ Khoa Y tế công cộng; Chi bộ Phòng Kế hoạch – Nghiệp vụ"
    ),
}
NUMBERED_CELL = {
    "army": "Chi bộ Đại đội {}",
    "police": "Chi bộ Đội Công tác {}",
    "border": "Chi bộ Tổ Công tác {}",
    "office": "Chi bộ Phòng Nghiệp vụ {}",
    "health": "Chi bộ Trạm Y tế cụm {}",
}

# Grassroots cells directly under a superior committee.
DISTRICT_OFFICES = _split(
    "Phòng Giáo dục và Đào tạo; Phòng Tài chính – Kế hoạch; Phòng Nông nghiệp và PTNT; "
    "Phòng Tài nguyên và Môi trường; Phòng Lao động – Thương binh và Xã hội; "
    "Phòng Văn hóa và Thông tin; Phòng Tư pháp; Phòng Kinh tế và Hạ tầng; Thanh tra; "
    "Kho bạc Nhà nước; Chi cục Thuế; Ngân hàng Chính sách xã hội; Ngân hàng Nông nghiệp; "
    "Viện Kiểm sát nhân dân; Tòa án nhân dân; Chi cục Thi hành án dân sự; Hạt Kiểm lâm; "
    "Bưu điện; Điện lực; Trường THPT; Trường PTDT Nội trú; Trung tâm GDNN – GDTX; "
    "Ban Quản lý dự án"
)
SCHOOLS = ("Trường Mầm non", "Trường Tiểu học", "Trường THCS")
GRASSROOTS_CELL_NAMES = {
    "army": _split(
        "Chi bộ Đại đội Thông tin; Chi bộ Đại đội Công binh; "
        "Chi bộ Kho Vũ khí – Đạn; Chi bộ Bệnh xá Quân sự; Chi bộ Đại đội Trinh sát"
    ),
    "police": _split(
        "Chi bộ Phòng Cảnh sát môi trường; Chi bộ Phòng Xuất nhập cảnh; "
        "Chi bộ Phòng Cảnh sát kinh tế; Chi bộ Phòng Kỹ thuật hình sự; "
        "Chi bộ Phòng Công tác đảng và Công tác chính trị; "
        "Chi bộ Phòng Cảnh sát điều tra tội phạm về ma túy"
    ),
    "border": _split(
        "Chi bộ Đội Đặc nhiệm Phòng chống ma túy và tội phạm; "
        "Chi bộ Đội Thông tin; Chi bộ Bệnh xá Biên phòng; Chi bộ Đội Huấn luyện; "
        "Chi bộ Trạm Biên phòng cửa khẩu Thanh Thủy; Chi bộ Kho Biên phòng"
    ),
    "bloc": _split(
        "Chi bộ Ban Tổ chức Tỉnh ủy; Chi bộ Ban Tuyên giáo Tỉnh ủy; "
        "Chi bộ Ủy ban Kiểm tra Tỉnh ủy; Chi bộ Ban Dân vận Tỉnh ủy; Chi bộ Ban Nội chính Tỉnh ủy; "
        "Chi bộ Cơ quan Ủy ban MTTQ tỉnh; Chi bộ Tỉnh đoàn; Chi bộ Hội Liên hiệp Phụ nữ tỉnh; "
        "Chi bộ Hội Nông dân tỉnh; Chi bộ Hội Cựu chiến binh tỉnh; "
        "Chi bộ Liên đoàn Lao động tỉnh; Chi bộ Văn phòng Đoàn ĐBQH và HĐND tỉnh; "
        "Chi bộ Sở Ngoại vụ; Chi bộ Liên minh Hợp tác xã tỉnh; Chi bộ Hội Chữ thập đỏ tỉnh; "
        "Chi bộ Hội Văn học Nghệ thuật tỉnh; Chi bộ Bệnh viện Y dược cổ truyền; "
        "Chi bộ Bệnh viện Phục hồi chức năng; Chi bộ Trung tâm Kiểm soát bệnh tật tỉnh; "
        "Chi bộ Trường THPT Lê Hồng Phong; Chi bộ Trường PTDT Nội trú tỉnh; "
        "Chi bộ Công ty Cổ phần Xi măng Hà Giang; Chi bộ Công ty Cổ phần Chè Hà Giang; "
        "Chi bộ Công ty Xổ số kiến thiết Hà Giang; Chi bộ Công ty Cấp thoát nước Hà Giang; "
        "Chi bộ Công ty Môi trường đô thị Hà Giang; Chi bộ Công ty Vận tải ô tô Hà Giang; "
        "Chi bộ Ngân hàng Chính sách xã hội tỉnh; Chi bộ Ngân hàng Công thương Hà Giang; "
        "Chi bộ Ngân hàng Đầu tư và Phát triển Hà Giang; Chi bộ Cục Thống kê tỉnh; "
        "Chi bộ Cục Thi hành án dân sự tỉnh; Chi bộ Quỹ Đầu tư phát triển tỉnh; "
        "Chi bộ Ban Quản lý các khu công nghiệp; Chi bộ Ban Quản lý Công viên địa chất; "
        "Chi bộ Thư viện tỉnh; Chi bộ Bảo tàng tỉnh; Chi bộ Nhà khách Tỉnh ủy; "
        "Chi bộ Trung tâm Xúc tiến Đầu tư"
    ),
}
NUMBERED_GRASSROOTS_CELL = {
    "army": "Chi bộ Đại đội Dân quân thường trực {}",
    "police": "Chi bộ Đội Cơ động {}",
    "border": "Chi bộ Trạm Biên phòng {}",
    "bloc": "Chi bộ Hợp tác xã số {}",
}

# The kind of cell, from words in its name; the first match wins.
CELL_TYPE_WORDS = (
    ("residential", ("Chi bộ thôn", "Chi bộ tổ dân phố", "Khu tập thể")),
    (
        "armed_forces",
        (
            "Quân sự",
            "Công an",
            "Biên phòng",
            "Đồn",
            "Đại đội",
            "Đội ",
            "Trung đoàn",
            "Tiểu đoàn",
            "Chỉ huy",
            "Trại tạm giam",
        ),
    ),
    ("school", ("Trường",)),
    (
        "public_service",
        (
            "Y tế",
            "Bệnh viện",
            "Bệnh xá",
            "Trung tâm",
            "Thư viện",
            "Bảo tàng",
            "Đài Phát thanh",
            "Báo ",
        ),
    ),
    (
        "enterprise",
        ("Công ty", "Ngân hàng", "Điện lực", "Bưu điện", "Viettel", "Hợp tác xã", "Xổ số", "Quỹ "),
    ),
)

HIGHLAND_SYLLABLES = _split(
    "Sà; Phìn; Lũng; Sủng; Tả; Pả; Chải; Mã; Pờ; Khâu; Nà; Nậm; Thèn; Cháng; Séo; Lủng; Há; "
    "Súng; Tủng; Vai; Pài; Lầu; Xín; Hồ; Quáng; Chúng; Mò; Sán; Giàng; Lao; Cốc; Ván; Khúa; "
    "Chư; Dìn; Pao; Lùng; Tráng"
)
LOWLAND_SYLLABLES = _split(
    "Tân; Lập; Thác; Vệ; Yên; Bình; Hòa; Tiến; Thắng; Lợi; Minh; Phú; Khánh; Xuân; Quang; "
    "Đồng; Tâm; Nà; Bản; Khuổi; Pác; Làng; Chang; Nặm; Mường; Vĩnh; Trung; Thanh"
)
VILLAGE_SUFFIXES = ("", "", "", "", " A", " B", " Trên", " Dưới", " Thượng", " Hạ")
MEMBER_WEIGHTS = {
    "residential": 22,
    "armed_forces": 18,
    "public_service": 15,
    "school": 14,
    "enterprise": 12,
    "agency": 11,
}


def child_path(parent_path: str, position: int) -> str:
    """Return the path treebeard's add_child gives the position-th child (from 1).

    As MP_Node._get_path: the parent's path, then the position in base 36 over
    Organisation.alphabet, left-padded with the alphabet's zero to steplen characters.
    """
    alphabet, steplen = Organisation.alphabet, Organisation.steplen
    step = ""
    while position:
        position, digit = divmod(position, len(alphabet))
        step = alphabet[digit] + step
    if len(step) > steplen:
        raise ValueError("Too many children for one organisation")
    return parent_path + step.rjust(steplen, alphabet[0])


def cell_type_of(name: str, default: str = "agency") -> str:
    for cell_type, words in CELL_TYPE_WORDS:
        if any(word in name for word in words):
            return cell_type
    return default


def allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split total into parts proportional to weights, each at least minimum, summing exactly."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError("The total is too small for the minimum")
    scale = spare / sum(weights)
    shares = [w * scale for w in weights]
    parts = [int(s) for s in shares]
    # Largest remainders get the units that rounding down left over.
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


def _numbered(listed: tuple[str, ...], pattern: str, count: int) -> list[str]:
    """Return count names: the listed ones first, then the pattern numbered 1, 2, …"""
    names = list(listed[:count])
    names += [pattern.format(i) for i in range(1, count - len(names) + 1)]
    return names


def _short(place: str) -> str:
    for prefix in ("thị trấn ", "phường ", "xã "):
        if place.startswith(prefix):
            return place.removeprefix(prefix)
    return place


@dataclass
class _Cell:
    """A cell to fill with members, and where those members live."""

    org: Organisation
    mix: str
    homes: tuple[str, ...]  # communes its members live in and come from, fully written out
    village: str = ""  # the village or street block of a residential cell


class _Tree:
    """Organisations in the making, with the paths and child counts treebeard would set."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng = rng
        self.today = today
        self.orgs: list[Organisation] = []
        self.parent_code: dict[str, str | None] = {}
        self.cells: list[_Cell] = []

    def add(self, parent, code, name, level, *, cell_type="", place="", founded_on=None):
        parent_path = parent.path if parent else ""
        if parent is not None:
            parent.numchild += 1
        position = parent.numchild if parent else 1
        path = child_path(parent_path, position)
        org = Organisation(
            code=code,
            name=name,
            name_folded=fold(name),
            level=level,
            cell_type=cell_type,
            place=place,
            founded_on=founded_on or self.founded_after(parent),
            path=path,
            depth=len(path) // Organisation.steplen,
            numchild=0,
        )
        self.orgs.append(org)
        self.parent_code[code] = parent.code if parent else None
        return org

    def founded_after(self, parent: Organisation) -> datetime.date:
        latest = add_years(self.today, -1)
        return min(add_years(parent.founded_on, self.rng.randint(0, 20)), latest)

    def villages(self, count: int, syllables: tuple[str, ...]) -> list[str]:
        names: list[str] = []
        while len(names) < count:
            first, second = self.rng.sample(syllables, 2)
            name = f"{first} {second}{self.rng.choice(VILLAGE_SUFFIXES)}"
            if name not in names:
                names.append(name)
        return names


def _plan(rng: random.Random, today: datetime.date) -> _Tree:
    """Lay out every organisation of the province, in the order add_child would number them."""
    tree = _Tree(rng, today)
    root = tree.add(
        None, "TW", "Trung ương", Level.CENTRAL, place="Hà Nội", founded_on=FOUNDED[Level.CENTRAL]
    )
    province = tree.add(
        root,
        "HG",
        "Tỉnh ủy Hà Giang",
        Level.PROVINCE,
        place="tỉnh Hà Giang",
        founded_on=FOUNDED[Level.PROVINCE],
    )
    committee_weights = []
    committees = []
    for s_index, sup in enumerate(SUPERIORS, start=1):
        district = sup.name.removeprefix("Đảng bộ ") if sup.kind == "district" else ""
        where = f"{district}, tỉnh Hà Giang" if district else "tỉnh Hà Giang"
        s_code = f"HG-{s_index:02d}"
        superior = tree.add(
            province,
            s_code,
            sup.name,
            Level.SUPERIOR,
            place=where,
            founded_on=FOUNDED[Level.PROVINCE],
        )
        homes = tuple(f"{p}, {where}" for p in sup.places) or ALL_HOMES
        default = "armed_forces" if sup.kind in ("army", "police", "border") else "agency"
        if sup.kind == "district":
            communes = list(sup.places[: sup.committees - len(DISTRICT_COMMITTEES)])
            c_names = [f"Đảng bộ {c}" for c in communes]
            c_names += [f"{n} {district}" for n in DISTRICT_COMMITTEES]
        else:
            communes = []
            c_names = _numbered(COMMITTEES[sup.kind], "Đảng bộ Đơn vị {}", sup.committees)
        # Grassroots committees first, then grassroots cells, numbered on from them.
        g_index = 0
        for i, name in enumerate(c_names):
            g_index += 1
            commune = communes[i] if i < len(communes) else ""
            place = f"{commune}, {where}" if commune else where
            org = tree.add(
                superior,
                f"{s_code}-{g_index:03d}",
                name,
                Level.GRASSROOTS_COMMITTEE,
                place=place,
                cell_type="residential" if commune else cell_type_of(name, default),
            )
            committees.append((org, sup, commune, place, homes))
            committee_weights.append((14 if commune else 7) * rng.uniform(0.7, 1.3))
        for name in _grassroots_cell_names(sup, district):
            g_index += 1
            org = tree.add(
                superior,
                f"{s_code}-{g_index:03d}",
                name,
                Level.GRASSROOTS_CELL,
                place=where,
                cell_type=cell_type_of(name, default),
            )
            tree.cells.append(_Cell(org, sup.mix, homes))
    for (org, sup, commune, place, homes), count in zip(
        committees, allocate(CELLS, committee_weights, 3), strict=True
    ):
        _plan_subordinate_cells(tree, org, sup, commune, place, homes, count)
    _check_shape(tree.orgs)
    return tree


def _check_shape(orgs: list[Organisation]) -> None:
    """Fail loudly if the name lists above no longer give the published shape."""
    counts = {level: 0 for level in Level}
    for org in orgs:
        counts[org.level] += 1
    expected = {
        Level.SUPERIOR: SUPERIOR_COMMITTEES,
        Level.GRASSROOTS_COMMITTEE: GRASSROOTS_COMMITTEES,
        Level.GRASSROOTS_CELL: GRASSROOTS_CELLS,
        Level.CELL: CELLS,
    }
    wrong = {str(k): v for k, v in counts.items() if k in expected and v != expected[k]}
    if wrong:
        raise RuntimeError(f"The province plan has the wrong shape: {wrong}")


def _grassroots_cell_names(sup: Superior, district: str) -> list[str]:
    if sup.kind != "district":
        return _numbered(
            GRASSROOTS_CELL_NAMES[sup.kind], NUMBERED_GRASSROOTS_CELL[sup.kind], sup.cells
        )
    names = [f"Chi bộ {office} {district}" for office in DISTRICT_OFFICES]
    names += [f"Chi bộ {school} {_short(p)}" for p in sup.places for school in SCHOOLS]
    return names[: sup.cells]


def _plan_subordinate_cells(tree, committee, sup, commune, place, homes, count):
    if commune:
        # Villages (or street blocks) first, then the commune's offices and forces.
        special = SUBORDINATE_CELLS["commune"][: min(4, count // 4)]
        if commune.startswith(("phường", "thị trấn")):
            blocks = [f"tổ dân phố {i}" for i in range(1, count - len(special) + 1)]
        else:
            highland = sup.mix in ("highland", "hills")
            syllables = HIGHLAND_SYLLABLES if highland else LOWLAND_SYLLABLES
            blocks = [f"thôn {v}" for v in tree.villages(count - len(special), syllables)]
        names = [f"Chi bộ {b}" for b in blocks] + [f"{n} {commune}" for n in special]
        villages = blocks + [""] * len(special)
        homes, default = (place,), "agency"
    else:
        kind = sup.kind if sup.kind in SUBORDINATE_CELLS else "office"
        if committee.cell_type == "public_service":
            kind = "health"
        names = _numbered(SUBORDINATE_CELLS[kind], NUMBERED_CELL[kind], count)
        villages = [""] * count
        default = committee.cell_type
    for i, (name, village) in enumerate(zip(names, villages, strict=True), start=1):
        org = tree.add(
            committee,
            f"{committee.code}-{i:03d}",
            name,
            Level.CELL,
            place=place,
            cell_type=cell_type_of(name, default),
        )
        tree.cells.append(_Cell(org, sup.mix, homes, village))


def _founding_changes(tree: _Tree, actor) -> list[OrgChange]:
    return [
        OrgChange(
            organisation=org,
            kind=OrgChange.Kind.FOUNDED,
            effective_on=org.founded_on,
            after={
                "name": org.name,
                "code": org.code,
                "path": org.path,
                "parent": tree.parent_code[org.code],
            },
            recorded_by=actor,
        )
        for org in tree.orgs
    ]


def _member_slots(rng: random.Random, cells: list[_Cell]) -> list[tuple[_Cell, str, bool]]:
    """Return (cell, party post, probationary) for every member, in cell order.

    Sizes follow the kind of cell; posts go to the first members of each cell, and the
    probationary members are drawn among the others (a probationary member holds no post).
    """
    weights = [MEMBER_WEIGHTS.get(c.org.cell_type, 12) * rng.uniform(0.5, 1.5) for c in cells]
    slots = []
    for cell, size in zip(cells, allocate(MEMBERS, weights, 3), strict=True):
        posts = leader_positions(size)
        slots += [(cell, posts[i] if i < len(posts) else "") for i in range(size)]
    plain = [i for i, (_, post) in enumerate(slots) if not post]
    probationary = set(rng.sample(plain, PROBATIONARY))
    return [(cell, post, i in probationary) for i, (cell, post) in enumerate(slots)]


def _insert_members(rng, today, cells: list[_Cell], reason: str) -> None:
    people = People(rng, today)
    slots = _member_slots(rng, cells)
    for start in range(0, len(slots), MEMBER_BATCH):
        batch = []
        for cell, post, probationary in slots[start : start + MEMBER_BATCH]:
            home = rng.choice(cell.homes)
            fields = people.member(
                mix=cell.mix,
                cell_type=cell.org.cell_type,
                home=home,
                residence=f"{cell.village}, {home}" if cell.village else home,
                position=post,
                status=Status.PROBATIONARY if probationary else Status.OFFICIAL,
            )
            batch.append(
                Member(cell_id=cell.org.pk, name_folded=fold(fields["full_name"]), **fields)
            )
        Member.objects.bulk_create(batch, batch_size=INSERT_BATCH)
        MembershipPeriod.objects.bulk_create(
            (
                MembershipPeriod(
                    member_id=m.pk,
                    organisation_id=m.cell_id,
                    started_on=m.admitted_on,
                    reason=reason,
                )
                for m in batch
            ),
            batch_size=INSERT_BATCH,
        )


def is_empty() -> bool:
    return not Organisation.objects.exists() and not Member.objects.exists()


@transaction.atomic
def _refresh_statistics() -> None:
    """Bulk loads leave PostgreSQL's planner statistics empty; without them it plans joins
    over a million attendance rows as if the tables were tiny, and a query that should take
    a second takes minutes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _province_lifecycle(province, seed: int, today) -> dict:
    """The members' paths in bulk, as the actions would write them: probations and
    candidates, transfers and residence contact, courses, badges and endings, a year of
    fees."""
    from chibo.admissions.seeding import seed_province as seed_admissions
    from chibo.fees.seeding import seed_province_fees
    from chibo.members.seeding import province_lifecycle
    from chibo.oversight.inspection_seeding import seed_inspections
    from chibo.oversight.supervision_seeding import seed_supervision
    from chibo.reviews.seeding import seed_province_reviews
    from chibo.transfers.seeding import seed_province_transfers

    summary = {"admissions": seed_admissions(province, seed, today)}
    summary["transfers"] = seed_province_transfers(province, today, seed)
    summary["lifecycle"] = province_lifecycle(random.Random(seed), today)
    # Last, so that the fee summaries count the members as the transfers and endings left
    # them (`chibo fees verify` is clean right after the seed).
    summary.update(seed_province_fees(random.Random(seed), today, province))
    summary["inspection"] = seed_inspections(province, today, random.Random(seed))
    summary["supervision"] = seed_supervision(province, today, random.Random(seed))
    summary["reviews"] = seed_province_reviews(province, today, random.Random(seed))
    return summary


def seed_province(seed: int = 1, history: bool = True) -> dict:
    """Build the province and (unless history is False) its twelve months of meetings;
    return counts, the accounts table and the seconds it took."""
    started = time.monotonic()
    rng = random.Random(seed)
    today = timezone.localdate()
    actor = system_user()
    tree = _plan(rng, today)
    Organisation.objects.bulk_create(tree.orgs, batch_size=INSERT_BATCH)
    OrgChange.objects.bulk_create(_founding_changes(tree, actor), batch_size=INSERT_BATCH)
    # The same reason create_member writes on the first period.
    _insert_members(rng, today, tree.cells, _("Admitted"))
    province = next(o for o in tree.orgs if o.code == "HG")
    by_code = {o.code: o for o in tree.orgs}
    cells = [(c.org, by_code[tree.parent_code[c.org.code]].name) for c in tree.cells]
    meetings = ProvinceHistory(rng, today, province, cells).run() if history else {}
    rows = create_accounts(actor, PROVINCE_ACCOUNTS)
    summary = {
        "seed": seed,
        "organisations": len(tree.orgs),
        "cells": len(tree.cells),
        "members": MEMBERS,
        "probationary": PROBATIONARY,
        "accounts": len(rows),
        **meetings,
    }
    if history:
        summary.update(_province_lifecycle(province, seed, today))
    _refresh_statistics()
    if history:
        # The history is written in bulk, beside the actions: its roll-up is counted here,
        # and the day's warnings are raised as the daily job would (after the planner's
        # statistics: their queries join the attendance).
        rollups.rebuild(province)
        summary["warnings"] = sum(c["raised"] for c in warnings.run(today, province).values())
    summary["seconds"] = round(time.monotonic() - started, 1)
    record(actor, "seed.province", province, province, summary)
    return {**summary, "rows": rows}
