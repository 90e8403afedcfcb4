"""The OneRoster CSV binding: the files, their columns in order, and the enumerations.

Taken from the 1EdTech OneRoster 1.1 and 1.2 CSV bindings (the sources and the table are in
docs/decisions/0013-oneroster.md). Every file has exactly these columns in this order; extension columns
(``metadata.…``) may follow them. Pure data: no Django.
"""

from __future__ import annotations

# --- files -------------------------------------------------------------------------------

MANIFEST = "manifest.csv"
ORGS = "orgs.csv"
SESSIONS = "academicSessions.csv"
COURSES = "courses.csv"
CLASSES = "classes.csv"
USERS = "users.csv"
ROLES = "roles.csv"
ENROLLMENTS = "enrollments.csv"
DEMOGRAPHICS = "demographics.csv"

# The manifest's ``file.<name>`` property of each file.
MANIFEST_NAME = {
    ORGS: "orgs",
    SESSIONS: "academicSessions",
    COURSES: "courses",
    CLASSES: "classes",
    USERS: "users",
    ROLES: "roles",
    ENROLLMENTS: "enrollments",
    DEMOGRAPHICS: "demographics",
}

MANIFEST_COLUMNS = ("propertyName", "value")

COMMON = ("sourcedId", "status", "dateLastModified")

COLUMNS_12: dict[str, tuple[str, ...]] = {
    ORGS: (*COMMON, "name", "type", "identifier", "parentSourcedId"),
    SESSIONS: (*COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    COURSES: (
        *COMMON,
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    CLASSES: (
        *COMMON,
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    USERS: (
        *COMMON,
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    ROLES: (
        *COMMON,
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ),
    ENROLLMENTS: (
        *COMMON,
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    DEMOGRAPHICS: (
        *COMMON,
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
}

# 1.1 differs in users.csv (the role and the orgs are on the user) and has no roles.csv.
COLUMNS_11: dict[str, tuple[str, ...]] = {
    **{name: columns for name, columns in COLUMNS_12.items() if name not in (USERS, ROLES)},
    USERS: (
        *COMMON,
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
    ),
}

VERSIONS = ("1.1", "1.2")


def columns(version: str) -> dict[str, tuple[str, ...]]:
    return COLUMNS_11 if version == "1.1" else COLUMNS_12


# Files a bundle must carry (unless its manifest says ``absent`` — a delta may leave files out).
REQUIRED_FILES = (ORGS, SESSIONS, COURSES, CLASSES, USERS, ENROLLMENTS)

# Columns that must hold a value in an active row (a ``tobedeleted`` row needs its sourcedId only).
REQUIRED_VALUES_12: dict[str, tuple[str, ...]] = {
    ORGS: ("sourcedId", "name", "type"),
    SESSIONS: ("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
    COURSES: ("sourcedId", "title", "orgSourcedId"),
    CLASSES: ("sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"),
    USERS: ("sourcedId", "enabledUser", "givenName", "familyName"),
    ROLES: ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
    ENROLLMENTS: ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    DEMOGRAPHICS: ("sourcedId",),
}
REQUIRED_VALUES_11: dict[str, tuple[str, ...]] = {
    **REQUIRED_VALUES_12,
    USERS: ("sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"),
}


def required_values(version: str) -> dict[str, tuple[str, ...]]:
    return REQUIRED_VALUES_11 if version == "1.1" else REQUIRED_VALUES_12


# --- enumerations ------------------------------------------------------------------------

STATUS = ("active", "tobedeleted")
MANIFEST_MODES = ("absent", "bulk", "delta")
ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ROLE_TYPES = ("primary", "secondary")
# users.csv ``role`` in 1.1; enrollments.csv ``role`` in both.
ROLES_11 = ("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
ENROLLMENT_ROLES = ("administrator", "aide", "proctor", "student", "teacher")
# roles.csv ``role`` in 1.2.
ROLES_12 = (
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
)
SEX = ("male", "female", "other", "unspecified")
BOOLEANS = ("true", "false")

# Columns whose values are lists (comma separated inside one quoted field).
LIST_COLUMNS = frozenset(
    {
        "grades",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
        "agentSourcedIds",
        "orgSourcedIds",
        "userIds",
        "resourceSourcedIds",
    }
)

# What each role is in Parta; a role missing here is reported and skipped.
PARTA_ROLE = {
    "student": "student",
    "teacher": "teacher",
    "parent": "guardian",
    "guardian": "guardian",
    "relative": "guardian",
    "administrator": "admin",
    "siteAdministrator": "admin",
    "principal": "admin",
}

# The manifest a Parta export writes, in this order (the 1.2 binding's file list).
MANIFEST_FILES_12 = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)
