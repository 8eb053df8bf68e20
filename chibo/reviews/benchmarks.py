"""Review timings for `chibo bench`, on the province's seeded reviews (a confirmed 2025
round and an open 2026 one): the results page of the province, the grassroots committee
with the most members deciding them, and a cell's sheet; the distribution counted by the
database against the same counts made in Python from every review row (the baseline,
measured in the same run)."""

from collections import Counter

from django.test import Client

from chibo.orgs.models import Level, Organisation
from chibo.oversight.benchmarks import timed
from chibo.reviews import queries
from chibo.reviews.models import MemberReview, ReviewRound, Stage


def naive_distribution(org: Organisation, year: int) -> Counter:
    """The members' confirmed levels counted in Python over every review row of the year."""
    counts: Counter = Counter()
    for path, level, stage in MemberReview.objects.filter(round__year=year).values_list(
        "cell__path", "level", "stage"
    ):
        if stage == Stage.CONFIRMED and path.startswith(org.path):
            counts[level] += 1
    return counts


def review_timings(user, province: Organisation, runs: int, naive_runs: int = 5) -> dict:
    done = ReviewRound.objects.filter(closed_on__isnull=False).order_by("-year").first()
    current = ReviewRound.objects.filter(closed_on__isnull=True).order_by("-year").first()
    if done is None or current is None:
        raise RuntimeError("the province has no seeded review rounds")
    years = queries.years_with_rounds(province)[:5]
    committee = (
        Organisation.objects.filter(
            path__startswith=province.path, level=Level.GRASSROOTS_COMMITTEE
        )
        .order_by("-numchild", "path")
        .first()
    )
    cell = Organisation.objects.filter(path__startswith=committee.path, level=Level.CELL).first()
    members = queries.reviewed_members(current, committee).count()
    client = Client()
    client.force_login(user)
    statuses: dict[str, int] = {}

    def page(name, url):
        def get():
            statuses[name] = client.get(url).status_code

        return get

    pages = {
        "results_province": f"/orgs/{province.code}/reviews/results/?year={done.year}",
        "decider_sheet_members": f"/reviews/{done.id}/decide/{committee.code}/member/",
        "cell_sheet": f"/reviews/{current.id}/cells/{cell.code}/",
    }
    timings = {f"page_{name}": timed(page(name, url), runs) for name, url in pages.items()}
    timings["distribution_province"] = timed(lambda: queries.distribution(province, years), runs)
    timings["baseline_naive_distribution"] = timed(
        lambda: naive_distribution(province, done.year), naive_runs
    )
    if set(statuses.values()) != {200}:
        raise RuntimeError(f"a review page failed: {statuses}")
    (counted,) = queries.distribution(province, [done.year])
    if Counter({k: v for k, v in counted.members.items() if v}) != naive_distribution(
        province, done.year
    ):
        raise RuntimeError("the distribution differs from the rows")
    naive = timings["baseline_naive_distribution"]["median_ms"]
    served = timings["distribution_province"]["median_ms"] / max(len(years), 1)
    return {
        "years": years,
        "reviews": MemberReview.objects.count(),
        "decider": committee.code,
        "decider_members": members,
        "timings": timings,
        "ratio_naive_to_distribution_per_year": round(naive / served, 1) if served else None,
    }
