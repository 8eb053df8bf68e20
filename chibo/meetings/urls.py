from django.urls import path

from chibo.meetings import views
from chibo.meetings.calendar import calendar_feed

app_name = "meetings"
urlpatterns = [
    path("orgs/<str:code>/meetings/", views.plan, name="plan"),
    path("orgs/<str:code>/meetings/plan-year/", views.plan_year, name="plan_year"),
    path("orgs/<str:code>/meetings/new/", views.schedule, name="schedule"),
    path("meetings/<int:meeting_id>/", views.detail, name="detail"),
    path("meetings/<int:meeting_id>/notice/", views.send_notice, name="send_notice"),
    path("meetings/<int:meeting_id>/edit/", views.edit, name="edit"),
    path("meetings/<int:meeting_id>/materials/", views.upload_material, name="upload_material"),
    path(
        "meetings/<int:meeting_id>/materials/release/",
        views.release_materials,
        name="release_materials",
    ),
    path("meetings/<int:meeting_id>/materials/<int:material_id>/", views.material, name="material"),
    path("meetings/<int:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:meeting_id>/agenda/", views.add_agenda_item, name="add_agenda_item"),
    path(
        "meetings/<int:meeting_id>/agenda/<int:item_id>/",
        views.edit_agenda_item,
        name="edit_agenda_item",
    ),
    path("meetings/<int:meeting_id>/guests/", views.add_guest, name="add_guest"),
    path("meetings/<int:meeting_id>/absence/", views.request_absence, name="request_absence"),
    path(
        "meetings/<int:meeting_id>/absence/<int:member_id>/",
        views.decide_absence,
        name="decide_absence",
    ),
    path("meetings/<int:meeting_id>/opinion/", views.post_opinion, name="post_opinion"),
    path("meetings/<int:meeting_id>/start/", views.start, name="start"),
    path("meetings/<int:meeting_id>/check-in/", views.check_in_with_code, name="check_in_code"),
    path("meetings/<int:meeting_id>/check-in/<int:member_id>/", views.check_in, name="check_in"),
    path(
        "meetings/<int:meeting_id>/attendance/<int:member_id>/",
        views.set_attendance,
        name="set_attendance",
    ),
    path("meetings/<int:meeting_id>/speakers/", views.record_speaker, name="record_speaker"),
    path("meetings/<int:meeting_id>/votes/", views.record_vote, name="record_vote"),
    path(
        "meetings/<int:meeting_id>/votes/by-name/",
        views.record_vote_by_name,
        name="record_vote_by_name",
    ),
    path("meetings/<int:meeting_id>/tasks/", views.add_task, name="add_task"),
    path(
        "meetings/<int:meeting_id>/tasks/<int:task_id>/review/",
        views.review_task,
        name="review_task",
    ),
    path("meetings/<int:meeting_id>/close/", views.close, name="close"),
    path("meetings/<int:meeting_id>/score/", views.score, name="score"),
    path("meetings/<int:meeting_id>/assessor/", views.name_assessor, name="name_assessor"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("me/calendar/", views.my_calendar, name="my_calendar"),
    path("meetings/<int:meeting_id>/minutes/", views.minutes_page, name="minutes"),
    path("meetings/<int:meeting_id>/minutes/sign/", views.sign_minutes, name="sign_minutes"),
    path("meetings/<int:meeting_id>/minutes/addenda/", views.add_addendum, name="add_addendum"),
    path(
        "meetings/<int:meeting_id>/minutes/addenda/<int:addendum_id>/sign/",
        views.sign_addendum,
        name="sign_addendum",
    ),
    path(
        "meetings/<int:meeting_id>/minutes.<str:extension>", views.minutes_file, name="minutes_file"
    ),
]
