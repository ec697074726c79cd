from django.urls import path

from orienta.cases.views import case_file, register

app_name = "cases"

urlpatterns = [
    path("cases/", case_file.case_list, name="list"),
    path("cases/register/", register.register, name="register"),
    path("cases/register/candidates/", register.candidates, name="candidates"),
    path("cases/break-glass/", case_file.break_glass, name="break_glass"),
    path("cases/<uuid:pk>/", case_file.case_file, name="case"),
    path("cases/<uuid:pk>/identification.pdf", case_file.identification_pdf, name="pdf"),
    path("cases/<uuid:pk>/notes/", case_file.add_note, name="add_note"),
    path("cases/<uuid:pk>/needs/", case_file.add_need, name="add_need"),
    path("cases/<uuid:pk>/needs/<int:need_id>/", case_file.need_status, name="need_status"),
    path("cases/<uuid:pk>/tasks/", case_file.add_task, name="add_task"),
    path("cases/<uuid:pk>/tasks/<int:task_id>/done/", case_file.task_done, name="task_done"),
    path(
        "cases/<uuid:pk>/consents/<int:consent_id>/withdraw/",
        case_file.withdraw_consent,
        name="withdraw_consent",
    ),
    path("cases/<uuid:pk>/status/", case_file.change_status, name="status"),
    path("cases/<uuid:pk>/assign/", case_file.assign, name="assign"),
]
