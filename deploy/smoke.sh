#!/usr/bin/env bash
# docs/operator-guide.md's production steps, run for real (CI runs this after the test legs):
# a PostgreSQL role and database of its own, a production install without the development tools,
# migrate, collectstatic, the deployment check, the first school with manage.py school_create,
# then web, worker and beat started by deploy/run as the systemd units start them; a sign-in over
# the HTTPS proxy's header, /healthz, a mark through the API delivered by the worker, a web server
# that rides out its database connections being killed. Everything it made is removed at the end.
#
#   SMOKE_PG         the PostgreSQL server, as its superuser (postgres://postgres@127.0.0.1:5432)
#   SMOKE_DB         the role and database it makes and drops (parta_smoke)
#   SMOKE_REDIS_URL  a Redis database of its own, emptied at the end (redis://127.0.0.1:6379/15)
set -euo pipefail
cd "$(dirname "$0")/.."
pg=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
db=${SMOKE_DB:-parta_smoke}
redis=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/15}
uv=${UV:-.tools/bin/uv}
work=$(mktemp -d)
pids=()
started=$SECONDS

step() { printf '\n--- %s (%ss)\n' "$1" "$((SECONDS - started))"; }
fail() { echo "SMOKE FAILED: $*" >&2; for log in "$work"/*.log; do echo "== $log" >&2; tail -n 40 "$log" >&2; done; exit 1; }
psql_admin() { psql "$pg/postgres" -v ON_ERROR_STOP=1 -q "$@"; }

cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $db" || true
    redis-cli -u "$redis" flushdb >/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step "PostgreSQL: a role and a database of its own"
password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $db" \
    -c "CREATE ROLE $db LOGIN PASSWORD '$password'" -c "CREATE DATABASE $db OWNER $db"

step "install without the development tools (uv sync --frozen --no-dev)"
UV_PROJECT_ENVIRONMENT="$work/venv" UV_PYTHON_DOWNLOADS=never "$uv" sync --frozen --no-dev --offline --quiet \
    || UV_PROJECT_ENVIRONMENT="$work/venv" UV_PYTHON_DOWNLOADS=never "$uv" sync --frozen --no-dev --quiet
if "$work/venv/bin/python" -c 'import pytest' 2>/dev/null; then fail "the production install has pytest"; fi

step "settings: deploy/parta.env with this machine's addresses"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
    cat deploy/parta.env
    echo "PARTA_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
    echo "DATABASE_URL=postgres://$db:$password@127.0.0.1:5432/$db"
    echo "REDIS_URL=$redis"
    echo "PARTA_DATA_DIR=$work/data"
    echo "PARTA_VENV=$work/venv"
    echo "PARTA_BIND=127.0.0.1:$port"
    echo "PARTA_WEB_WORKERS=2"
    echo "PARTA_LOG_LEVEL=INFO"
} >"$work/parta.env"
set -a
# shellcheck disable=SC1091
. "$work/parta.env"
set +a
manage() { "$work/venv/bin/python" manage.py "$@"; }

step "migrate, collectstatic, check --deploy"
manage migrate --noinput -v0
manage collectstatic --noinput -v0
manage check --deploy --fail-level WARNING

step "the first school and its administrator"
created=$(manage school_create --city "Москва" --name "Школа № 1" --admin-username director \
    --admin-last-name "Ермакова" --admin-first-name "Ксения")
echo "$created"
admin_password=${created##* }

# A class, a teacher, a student and a lesson of last week, so that a mark can be written (the
# administrator makes these on the school's pages; here the ORM does it quickly).
world=$(manage shell -v 0 -c '
import datetime as dt
from django.utils import timezone
from parta.accounts.models import User
from parta.schools.models import *
from parta.timetable.models import Lesson
school = School.objects.get()
today = timezone.localdate()
year = AcademicYear.objects.create(school=school, name="smoke", starts_on=today - dt.timedelta(days=60), ends_on=today + dt.timedelta(days=60))
StudyPeriod.objects.create(school=school, year=year, kind=StudyPeriod.Kind.QUARTER, number=1, starts_on=year.starts_on, ends_on=year.ends_on)
building = Building.objects.create(school=school, name="1", address="1")
group = ClassGroup.objects.create(school=school, year=year, building=building, grade=7, letter="А")
teacher = User.objects.create_user("teacher", password="teacher-password-1", last_name="Петров", first_name="Иван")
student = User.objects.create_user("student", last_name="Иванов", first_name="Пётр")
StaffMembership.objects.create(school=school, user=teacher, role=StaffMembership.Role.TEACHER)
Enrolment.objects.create(school=school, year=year, class_group=group, student=student)
subject = Subject.objects.create(code="algebra", name_ru="Алгебра", name_en="Algebra")
assignment = TeachingAssignment.objects.create(school=school, year=year, class_group=group, teacher=teacher, subject=subject, hours_per_week=2)
day = today - dt.timedelta(days=3)
starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
lesson = Lesson.objects.create(school=school, year=year, assignment=assignment, class_group=group, subject=subject, teacher=teacher, date=day, number=1, starts_at=starts, ends_at=starts + dt.timedelta(minutes=45))
print(lesson.pk, student.pk)
')
read -r lesson_id student_id <<<"$world"

step "web, worker and beat, as the systemd units start them"
deploy/run web >"$work/web.log" 2>&1 &
pids+=($!)
deploy/run worker >"$work/worker.log" 2>&1 &
pids+=($!)
deploy/run beat >"$work/beat.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
    curl -fsS -H "Host: school.example.org" "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 1
done

step "over the HTTPS proxy's header: health, sign-in, a mark delivered by the worker"
SMOKE_BASE="http://127.0.0.1:$port" SMOKE_ADMIN_PASSWORD="$admin_password" SMOKE_LESSON="$lesson_id" \
SMOKE_STUDENT="$student_id" SMOKE_ADMIN_DB="$pg/postgres" SMOKE_DB="$db" \
"$work/venv/bin/python" - <<'PY' || fail "the HTTP checks"
import http.client, json, os, subprocess, time, urllib.parse
from http.cookies import SimpleCookie

base = urllib.parse.urlsplit(os.environ["SMOKE_BASE"])
proxy = {"Host": "school.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
cookies: dict[str, str] = {}

def call(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    sent = dict(proxy, **(headers or {}))
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value
            # A deletion (empty, max-age 0: Django drops a read message this way) carries nothing.
            deleted = not morsel.value and morsel["max-age"] == "0"
            assert morsel["secure"] or deleted, f"cookie {name} is not Secure behind HTTPS"
    # The headers as sent (names in any case: granian writes them in lower case).
    return response.status, response.headers, response.read()

status, headers, body = call("GET", "/healthz", headers={"X-Request-ID": "smoke-request-1"})
assert status == 200 and json.loads(body) == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}, body
assert headers.get("X-Request-ID"), headers
status, headers, _ = call("GET", "/login/", headers={"X-Forwarded-Proto": "http"})
assert status == 301 and headers["Location"].startswith("https://school.example.org/"), (status, headers)
status, _, _ = call("GET", "/login/")
assert status == 200 and "csrftoken" in cookies, status
form = urllib.parse.urlencode({"username": "director", "password": os.environ["SMOKE_ADMIN_PASSWORD"], "csrfmiddlewaretoken": cookies["csrftoken"]})
status, headers, _ = call("POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://school.example.org"})
assert status == 302 and "sessionid" in cookies, (status, headers)
# The printed password is for the first sign-in only: every page asks for a new one first.
status, headers, _ = call("GET", "/")
assert status == 302 and headers["Location"].startswith("/password/"), (status, headers)
new_password = "smoke-" + os.urandom(8).hex()
form = urllib.parse.urlencode({"old_password": os.environ["SMOKE_ADMIN_PASSWORD"], "new_password1": new_password, "new_password2": new_password, "next": "/", "csrfmiddlewaretoken": cookies["csrftoken"]})
status, headers, _ = call("POST", "/password/", form, {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://school.example.org"})
assert status == 302 and headers["Location"] == "/", (status, headers)
status, _, _ = call("GET", "/")
assert status == 200, status
print("signed in over the proxy header and chose a password")

cookies.clear()
json_headers = {"Content-Type": "application/json"}
status, _, body = call("POST", "/api/v1/auth/token", json.dumps({"username": "teacher", "password": "teacher-password-1"}), json_headers)
assert status == 200, body
auth = dict(json_headers, Authorization="Bearer " + json.loads(body)["token"])
status, _, body = call("POST", "/api/v1/marks", json.dumps({"lesson": int(os.environ["SMOKE_LESSON"]), "student": int(os.environ["SMOKE_STUDENT"]), "value": 5}), auth)
assert status == 201, body
status, _, body = call("GET", "/api/v1/marks/abc", headers=auth)
assert status == 404 and json.loads(body)["code"] == "not_found" and json.loads(body)["detail"], body

def pending():
    out = subprocess.run([os.environ["PARTA_VENV"] + "/bin/python", "manage.py", "shell", "-v", "0", "-c",
        "from parta.outbox.models import OutboxEvent as E; print(E.objects.count(), E.objects.filter(delivered_at__isnull=True).count())"],
        capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1])

deadline = time.monotonic() + 60
while pending() != (1, 0):
    assert time.monotonic() < deadline, f"the outbox event was not delivered: {pending()}"
    time.sleep(1)
print("the mark's event was delivered by the worker")

# Every server-side connection of the database killed (as by a PostgreSQL restart): the web
# server's next requests reconnect instead of answering 500.
subprocess.run(["psql", os.environ["SMOKE_ADMIN_DB"], "-q", "-c",
    f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{os.environ['SMOKE_DB']}' AND pid <> pg_backend_pid()"],
    check=True, capture_output=True)
for _ in range(4):
    status, _, body = call("GET", "/api/v1/me", headers=auth)
    assert status == 200, (status, body)
print("the web server rode out its database connections being killed")
PY

step "stop: web, worker and beat stop on SIGTERM"
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || true; done
pids=()
grep -q "id=smoke-request-1" "$work/web.log" || fail "the access log has not the proxy's request id"
echo "smoke test passed in $((SECONDS - started)) s"
