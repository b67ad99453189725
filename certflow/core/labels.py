"""The label tables that more than one layer shows: one home for the words of the shared codes.

The pages (``certflow.web.labels``), the printed forms (``certflow.printing``), the self-check
(``certflow.schemes.selfcheck``), APL-01's checks (``certflow.applications.identity``) and the
staff register all label the same codes — education fields and levels, eligibility routes, the
purpose of an assessment, documents, the sex and the functional-position level of APL-01. The
services may not import ``certflow.web`` (import-linter), so the tables live here, below both, and
each code has one translation. The labels are lazy (``_l``): translated when shown, in the
reader's language. Tables whose words differ on purpose (the self-check's short route names, the
staff figures' list names) stay with their page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

EDUCATION_FIELD_LABELS = {
    "peksos": _l("Social work (peksos)"),
    "kesos": _l("Social welfare (kesos)"),
    "other": _l("Other field"),
}

EDUCATION_LEVEL_LABELS = {
    "SMA": _l("SMA/SMK (secondary school)"),
    "D1": _l("D1 (one-year diploma)"),
    "D3": _l("D3 (three-year diploma)"),
    "D4": _l("D4 (applied bachelor's degree)"),
    "S1": _l("S1 (bachelor's degree)"),
    "S2": _l("S2 (master's degree)"),
    "S3": _l("S3 (doctorate)"),
}

ROUTE_LABELS = {
    "education": _l("By education: a social-work (peksos/kesos) degree"),
    "experience": _l("By experience: practice hours and the scheme's training"),
    "rpl": _l("By recognition of prior learning: a portfolio for each unit"),
}

PURPOSE_LABELS = {
    "certification": _l("First certification"),
    "recertification": _l("Recertification (renewing a certificate)"),
    "rpl": _l("Recognition of prior learning"),
    "jf_entry": _l("Entering a functional position (inpassing)"),
    "jf_promotion": _l("Moving up a functional-position level"),
}

DOCUMENT_KIND_LABELS = {
    "diploma": _l("Diploma"),
    "work_letter": _l("Work letter"),
    "recommendation": _l("Recommendation of the Kepala Dinas"),
    "practice_log": _l("Practice log"),
    "training_certificate": _l("Training certificate"),
    "portfolio": _l("Portfolio"),
    "photo": _l("Photo"),
    "other": _l("Other document"),
}

DOCUMENT_STATUS_LABELS = {
    "pending": _l("Awaiting review"),
    "valid": _l("Valid"),
    "invalid": _l("Invalid"),
}

SEX_LABELS = {"male": _l("Male"), "female": _l("Female")}

# The functional-position levels of APL-01 and of the staff register (``workflows.identity.JF_LEVELS``).
JF_LEVEL_LABELS = {
    "peksos_terampil": _l("Pekerja Sosial Terampil"),
    "peksos_mahir": _l("Pekerja Sosial Mahir"),
    "peksos_penyelia": _l("Pekerja Sosial Penyelia"),
    "peksos_ahli_pertama": _l("Pekerja Sosial Ahli Pertama"),
    "peksos_ahli_muda": _l("Pekerja Sosial Ahli Muda"),
    "peksos_ahli_madya": _l("Pekerja Sosial Ahli Madya"),
    "peksos_ahli_utama": _l("Pekerja Sosial Ahli Utama"),
    "penyuluh_terampil": _l("Penyuluh Sosial Terampil"),
    "penyuluh_mahir": _l("Penyuluh Sosial Mahir"),
    "penyuluh_penyelia": _l("Penyuluh Sosial Penyelia"),
    "penyuluh_ahli_pertama": _l("Penyuluh Sosial Ahli Pertama"),
    "penyuluh_ahli_muda": _l("Penyuluh Sosial Ahli Muda"),
    "penyuluh_ahli_madya": _l("Penyuluh Sosial Ahli Madya"),
    "penyuluh_ahli_utama": _l("Penyuluh Sosial Ahli Utama"),
    "none": _l("No functional position"),
}
