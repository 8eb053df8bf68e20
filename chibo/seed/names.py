"""Made-up Vietnamese party members: names by ethnicity, dates, IDs, jobs.

Everything is drawn from one random.Random, so one seed gives the same people. Dates are
counted back from "today", so they move with the calendar while the people stay the same.
"""

import datetime
import random

from chibo.dates import add_years
from chibo.members.models import Gender, Status, TheoryLevel

# Name parts by people. Surnames carry a rough share in percent; a part listed twice is
# twice as likely. Tày, Nùng and Giáy names follow the Kinh pattern with surnames and a few
# given names of their own. Huỳnh and Võ are southern forms of Hoàng and Vũ, rare up here.
# fmt: off
KINH_SURNAMES = {
    "Nguyễn": 36, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Phan": 4, "Vũ": 4, "Đặng": 2,
    "Bùi": 2, "Đỗ": 2, "Hồ": 1, "Ngô": 1, "Dương": 1, "Lý": 1, "Huỳnh": 1, "Võ": 1,
}
KINH_MIDDLE = {
    Gender.MALE: "Văn Văn Văn Đức Minh Quốc Hữu Thanh Công Xuân Mạnh Tiến Ngọc Đình Quang",
    Gender.FEMALE: "Thị Thị Thị Thị Thu Ngọc Thanh Minh Hồng Kim Phương Thúy",
}
KINH_GIVEN = {
    Gender.MALE: "An Bình Cường Dũng Đạt Đức Giang Hải Hiếu Hoàng Hùng Huy Khánh Kiên Long "
                 "Mạnh Minh Nam Nghĩa Phong Phúc Quang Quân Sơn Thắng Thành Toàn Trung Tuấn "
                 "Tùng Việt Vinh",
    Gender.FEMALE: "Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Huệ Hương Lan Liên Linh Loan Mai "
                   "Nga Ngân Nhung Oanh Phương Quyên Thảo Thủy Trang Tuyết Vân Yến",
}
TAY_MIDDLE = {
    Gender.MALE: "Văn Văn Văn Đình Thanh Quang Trung",
    Gender.FEMALE: "Thị Thị Thị Thu Kim",
}
TAY_GIVEN = {
    Gender.MALE: KINH_GIVEN[Gender.MALE] + " Khiêm Tiến Thuận Phú Lâm Tình Chiến Lường",
    Gender.FEMALE: KINH_GIVEN[Gender.FEMALE] + " Mến Thơm Lụa Nhài Hoan Dịu",
}
NAMING = {
    "Kinh": (KINH_SURNAMES, KINH_MIDDLE, KINH_GIVEN),
    "Mông": (
        {"Vàng": 20, "Giàng": 18, "Sùng": 15, "Thào": 12, "Mua": 8, "Ly": 8, "Lò": 6,
         "Lầu": 6, "Hầu": 5, "Châu": 2},
        {Gender.MALE: "Mí Mí Seo Seo A Chúng Chứ Nhè Văn", Gender.FEMALE: "Thị"},
        {Gender.MALE: "Tủng Phử Sính Dình Chứ Pó Páo Lử Chư Sử Vảng Sà Dơ Chá Khai Súa Pàng "
                      "Sình Và Lềnh Thề Quáng",
         Gender.FEMALE: "Mỷ Sua Dế Sinh Dung Mai Chía Say Mẩy Pà Sò Cở Dợ Mái Chở Vừ Pằng"},
    ),
    "Tày": (
        {"Nông": 14, "Hoàng": 12, "Nguyễn": 10, "Ma": 8, "Lương": 8, "Hà": 8, "Lục": 5,
         "Vi": 4, "Đàm": 4, "Lộc": 4, "Triệu": 3, "Hứa": 3, "Lường": 2},
        TAY_MIDDLE,
        TAY_GIVEN,
    ),
    "Nùng": (
        {"Hoàng": 15, "Nông": 10, "Lương": 8, "Vi": 8, "Lục": 6, "Sầm": 4, "Mã": 4, "Chu": 4,
         "Triệu": 3, "Lù": 3},
        TAY_MIDDLE,
        TAY_GIVEN,
    ),
    "Giáy": (
        {"Lù": 12, "Hoàng": 10, "Vương": 6, "Sần": 6, "Lò": 5, "Hà": 4}, TAY_MIDDLE, TAY_GIVEN,
    ),
    "Dao": (
        {"Triệu": 20, "Bàn": 18, "Đặng": 12, "Lý": 10, "Chảo": 8, "Phùng": 8, "Tẩn": 5,
         "Chu": 3},
        {Gender.MALE: "Văn Văn Tiến Kiềm Chòi Láo Quẩy Phù", Gender.FEMALE: "Thị"},
        {Gender.MALE: "Sính Lý Phin Quẩy Chiêu Quay Vần Kiều Tài Hin Phú Sơn Minh Dền Lở",
         Gender.FEMALE: "Mùi Nhất Chài Dín Sai Mây Liến Phẩy Hoa Xuân Lan Tá"},
    ),
}

# Who lives where, in percent of party members (the party skews towards Kinh and Tày more
# than the population does).
MIXES = {
    "highland": {"Mông": 56, "Kinh": 14, "Dao": 10, "Tày": 8, "Nùng": 6, "Giáy": 6},
    "hills": {"Dao": 26, "Nùng": 22, "Tày": 20, "Kinh": 15, "Mông": 12, "Giáy": 5},
    "midland": {"Tày": 36, "Kinh": 30, "Dao": 16, "Nùng": 9, "Mông": 7, "Giáy": 2},
    "town": {"Kinh": 56, "Tày": 28, "Nùng": 7, "Dao": 5, "Mông": 4},
    "province": {"Kinh": 50, "Tày": 25, "Mông": 9, "Dao": 8, "Nùng": 8},
}

# Where people come from when not from here, with the province code that begins a citizen
# ID registered there.
HA_GIANG_CODE = 2
OTHER_PROVINCES = (
    ("Nam Định", 36), ("Thái Bình", 34), ("Phú Thọ", 25), ("Tuyên Quang", 8), ("Hà Nội", 1),
    ("Thanh Hóa", 38), ("Nghệ An", 40), ("Yên Bái", 15), ("Cao Bằng", 4), ("Lào Cai", 10),
    ("Thái Nguyên", 19), ("Hưng Yên", 33), ("Hải Dương", 30),
)

# By kind of cell; "" is no qualification worth recording.
OCCUPATIONS = {
    "residential": ("Nông dân", "Nông dân", "Nông dân", "Nông dân", "Kinh doanh",
                    "Lao động tự do", "Cán bộ thôn", "Giáo viên"),
    "school": ("Giáo viên", "Giáo viên", "Giáo viên", "Giáo viên", "Nhân viên"),
    "agency": ("Công chức", "Công chức", "Viên chức", "Chuyên viên"),
    "public_service": ("Bác sĩ", "Điều dưỡng", "Điều dưỡng", "Y sĩ", "Dược sĩ", "Kỹ thuật viên"),
    "enterprise": ("Công nhân", "Công nhân", "Công nhân", "Kỹ sư", "Kế toán",
                   "Nhân viên kinh doanh"),
    "armed_forces": ("Sĩ quan", "Sĩ quan", "Quân nhân chuyên nghiệp", "Hạ sĩ quan"),
    "other": ("Viên chức", "Nhân viên"),
}
QUALIFICATIONS = {
    "residential": ("", "", "", "", "Trung cấp Nông lâm", "Sơ cấp nghề"),
    "school": ("Cử nhân Sư phạm", "Cử nhân Sư phạm", "Cao đẳng Sư phạm", "Thạc sĩ Giáo dục học"),
    "agency": ("Cử nhân Luật", "Cử nhân Kinh tế", "Cử nhân Hành chính", "Thạc sĩ Quản lý công"),
    "public_service": ("Bác sĩ đa khoa", "Cử nhân Điều dưỡng", "Y sĩ đa khoa",
                       "Dược sĩ trung cấp"),
    "enterprise": ("Kỹ sư", "Cử nhân Kế toán", "Trung cấp kỹ thuật", "Công nhân kỹ thuật"),
    "armed_forces": ("Cử nhân Quân sự", "Cao đẳng Biên phòng", "Trung cấp Công an",
                     "Đại học An ninh"),
    "other": ("Cử nhân", "Trung cấp"),
}
JOB_POSITIONS = {
    "residential": ("Trưởng thôn", "Công an viên", "Chi hội trưởng Hội Nông dân",
                    "Chi hội trưởng Hội Phụ nữ", "Bí thư Chi đoàn",
                    "Trưởng Ban công tác Mặt trận"),
    "school": ("Tổ trưởng chuyên môn", "Phó Hiệu trưởng", "Tổng phụ trách Đội"),
    "agency": ("Trưởng phòng", "Phó Trưởng phòng", "Chánh Văn phòng"),
    "public_service": ("Trưởng khoa", "Phó Trưởng khoa", "Điều dưỡng trưởng"),
    "enterprise": ("Quản đốc", "Tổ trưởng sản xuất", "Trưởng phòng Kỹ thuật"),
    "armed_forces": ("Chỉ huy trưởng", "Chính trị viên", "Đội trưởng"),
    "other": ("Trưởng bộ phận",),
}

SECRETARY = "Bí thư chi bộ"
DEPUTY = "Phó Bí thư chi bộ"
COMMITTEE = "Chi ủy viên"

_THEORY = {
    SECRETARY: {TheoryLevel.ELEMENTARY: 20, TheoryLevel.INTERMEDIATE: 62,
                TheoryLevel.ADVANCED: 16, TheoryLevel.BACHELOR: 2},
    DEPUTY: {TheoryLevel.ELEMENTARY: 45, TheoryLevel.INTERMEDIATE: 50, TheoryLevel.ADVANCED: 5},
    COMMITTEE: {TheoryLevel.ELEMENTARY: 55, TheoryLevel.INTERMEDIATE: 42,
                TheoryLevel.ADVANCED: 3},
    "": {TheoryLevel.NONE: 22, TheoryLevel.ELEMENTARY: 66, TheoryLevel.INTERMEDIATE: 11,
         TheoryLevel.ADVANCED: 1},
}

# Birth years (lowest, highest, most common) by kind of cell: villages keep their elders,
# offices and units do not; new members are young.
_BIRTH_YEARS = {
    "residential": (1950, 2003, 1962),
    "armed_forces": (1972, 2003, 1993),
    "probationary": (1983, 2003, 2000),
}
_WORKING_AGE = (1966, 2003, 1984)
# fmt: on


def weighted(rng: random.Random, weights: dict):
    """Return one key of weights, drawn in proportion to its value."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class People:
    """Draws made-up members; keeps citizen IDs and party card numbers unique."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng = rng
        self.today = today
        self._citizen_ids: set[str] = set()
        self._next_card = rng.randrange(10_000_000, 20_000_000)

    def full_name(self, ethnicity: str, gender: str) -> str:
        surnames, middles, givens = NAMING[ethnicity]
        surname = weighted(self.rng, surnames)
        middle = self.rng.choice(middles[gender].split())
        return f"{surname} {middle} {self.rng.choice(givens[gender].split())}"

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def _birth_date(self, cell_type: str, probationary: bool) -> datetime.date:
        low, high, mode = _BIRTH_YEARS.get(
            "probationary" if probationary else cell_type, _WORKING_AGE
        )
        year = round(self.rng.triangular(low, high, mode))
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 364))

    def _citizen_id(self, province_code: int, gender: str, born: datetime.date) -> str:
        # Digits 4-6: sex and century of birth, then the year of birth (Thông tư 59/2021/TT-BCA).
        century = 0 if born.year < 2000 else 2
        sex = century + (1 if gender == Gender.FEMALE else 0)
        prefix = f"{province_code:03d}{sex}{born.year % 100:02d}"
        while True:
            candidate = f"{prefix}{self.rng.randrange(1_000_000):06d}"
            if candidate not in self._citizen_ids:
                self._citizen_ids.add(candidate)
                return candidate

    def _card_number(self) -> str:
        self._next_card += self.rng.randint(1, 9)
        return f"{self._next_card:08d}"

    def member(
        self,
        *,
        mix: str,
        cell_type: str,
        home: str,
        residence: str,
        status: str = Status.OFFICIAL,
        position: str = "",
        exempt_elderly: bool = False,
    ) -> dict:
        """Return the registry fields of one member, ready for create_member.

        status is official or probationary; with exempt_elderly, members over 70 in a
        residential cell are often exempted from activity.
        """
        rng = self.rng
        cell_type = cell_type or "other"
        ethnicity = weighted(rng, MIXES[mix])
        male_share = 0.8 if cell_type == "armed_forces" else 0.6
        gender = Gender.MALE if rng.random() < male_share else Gender.FEMALE
        probationary = status == Status.PROBATIONARY
        born = self._birth_date(cell_type, probationary)
        if probationary:
            admitted = self.today - datetime.timedelta(days=rng.randint(20, 350))
            official = None
        else:
            # Admitted between 18 and 45, and more than a year ago so the probation is over.
            age = min(round(rng.triangular(18, 45, 24)), 2 + self.today.year - born.year)
            latest = self.today - datetime.timedelta(days=400)
            admitted = min(
                self._date_between(add_years(born, age), add_years(born, age + 1)), latest
            )
            admitted = max(admitted, add_years(born, 18))
            official = add_years(admitted, 1)
            elderly = self.today.year - born.year >= 70
            if exempt_elderly and cell_type == "residential" and elderly and rng.random() < 0.45:
                status = Status.EXEMPTED
        # Many Kinh members came up from the lowlands; the other peoples are mostly from here.
        if rng.random() < (0.45 if ethnicity == "Kinh" else 0.04):
            place, code = rng.choice(OTHER_PROVINCES)
            hometown = f"tỉnh {place}"
        else:
            hometown, code = home, HA_GIANG_CODE
        age_now = self.today.year - born.year
        if age_now >= 62 and cell_type == "residential":
            occupation = "Hưu trí"
        else:
            occupation = rng.choice(OCCUPATIONS.get(cell_type, OCCUPATIONS["other"]))
        if not position and rng.random() < 0.12:
            position = rng.choice(JOB_POSITIONS.get(cell_type, JOB_POSITIONS["other"]))
            if "Phụ nữ" in position and gender == Gender.MALE:
                position = ""
        theory = weighted(rng, _THEORY.get(position, _THEORY[""]))
        if probationary:
            theory = TheoryLevel.NONE if rng.random() < 0.6 else TheoryLevel.ELEMENTARY
        if born.year >= 1975:
            education = "12/12" if cell_type != "residential" or rng.random() < 0.8 else "9/12"
        else:
            education = rng.choice(("10/10", "10/10", "7/10", "12/12"))
        phone = ""
        if age_now < 75 or rng.random() < 0.5:
            phone = rng.choice(("09", "09", "09", "03", "08")) + f"{rng.randrange(10**8):08d}"
        return {
            "full_name": self.full_name(ethnicity, gender),
            "gender": gender,
            "date_of_birth": born,
            "ethnicity": ethnicity,
            "hometown": hometown,
            "residence": residence,
            "phone": phone,
            "citizen_id": self._citizen_id(code, gender, born),
            "party_card_number": None if probationary else self._card_number(),
            "education": education,
            "qualification": rng.choice(QUALIFICATIONS.get(cell_type, QUALIFICATIONS["other"])),
            "theory_level": theory,
            "occupation": occupation,
            "position": position,
            "admitted_on": admitted,
            "official_on": official,
            "status": status,
        }
