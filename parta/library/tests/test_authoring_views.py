"""Authoring pages: the material page by kind and by reader, the author's list, creating and
changing (a version each), versions and their comparison, the constructors, presentation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parta.accounts.models import User
from parta.library.models import Material, Review, Status, Use, Visibility
from parta.library.services.authoring import MaterialData, material_create, material_save
from parta.library.services.moderation import material_return, material_submit
from parta.testing.library import app_zip, published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scenario_of(owner: User, *elements: Material, title: str = "Урок") -> Material:
    blocks: list[dict[str, Any]] = [{"type": "heading", "text": "Начало урока"}]
    blocks += [{"type": "material", "material": e.pk} for e in elements]
    return material_create(owner, kind="scenario", data=MaterialData(title=title, content={"blocks": blocks}))


# --- the material page ----------------------------------------------------------------------


def test_the_author_reads_the_latest_text_escaped_in_paragraphs_and_a_view_is_recorded(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher, body="Первый <b>абзац</b>\n\nВторой")
    page = client_for(teacher).get(f"/library/materials/{material.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<p>Первый &lt;b&gt;абзац&lt;/b&gt;</p>" in html and "<p>Второй</p>" in html
    assert f"/library/materials/{material.pk}/edit/" in html and "Submit for review" in html
    assert Use.objects.filter(material=material, kind=Use.Kind.VIEW, user=teacher).count() == 1


def test_a_private_material_is_404_to_another_teacher_and_school(world: World) -> None:
    material = text_material(world.a.subject_teacher)
    for person in (world.a.class_teacher, world.b.subject_teacher, world.a.student, world.outsider):
        assert client_for(person).get(f"/library/materials/{material.pk}/").status_code == 404
    assert Client().get(f"/library/materials/{material.pk}/").status_code == 404


def test_a_colleague_reads_the_published_version_not_the_newer_draft(world: World) -> None:
    teacher = world.a.subject_teacher
    material = published(
        text_material(teacher, title="Опубликовано", body="Старый текст"), world.methodologist
    )
    material_save(teacher, material.pk, data=MaterialData(title="Черновик", content={"body": "Новый текст"}))
    html = client_for(world.b.subject_teacher).get(f"/library/materials/{material.pk}/").content.decode()
    assert "Старый текст" in html and "Новый текст" not in html
    assert "Submit for review" not in html and "/edit/" not in html
    own = client_for(teacher).get(f"/library/materials/{material.pk}/").content.decode()
    assert "Новый текст" in own


def test_the_author_sees_the_review_comments_newest_first(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher)
    material_submit(teacher, material.pk, visibility=Visibility.SCHOOL)
    material_return(world.methodologist, material.pk, comment="Первое замечание")
    material_save(teacher, material.pk, data=MaterialData(title="Т", content={"body": "Ещё"}))
    material_submit(teacher, material.pk, visibility=Visibility.SCHOOL)
    material_return(world.methodologist, material.pk, comment="Второе замечание")
    html = client_for(teacher).get(f"/library/materials/{material.pk}/").content.decode()
    assert html.index("Второе замечание") < html.index("Первое замечание")
    assert Review.objects.count() == 2


def test_submit_and_take_back_from_the_page(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher)
    client = client_for(teacher)
    response = client.post(f"/library/materials/{material.pk}/submit/", {"visibility": "city"})
    assert response.status_code == 302
    material.refresh_from_db()
    assert (material.status, material.requested_visibility) == (Status.SUBMITTED, Visibility.CITY)
    # Twice is refused with the service's message, nothing changes.
    client.post(f"/library/materials/{material.pk}/submit/", {"visibility": "public"})
    material.refresh_from_db()
    assert material.requested_visibility == Visibility.CITY
    assert (
        client_for(world.b.subject_teacher)
        .post(f"/library/materials/{material.pk}/submit/", {"visibility": "city"})
        .status_code
        == 404
    )
    client.post(f"/library/materials/{material.pk}/unshare/")
    material.refresh_from_db()
    assert (material.status, material.requested_visibility) == (Status.DRAFT, "")


def test_an_image_shows_inline_and_a_file_has_a_download_button(world: World) -> None:
    teacher = world.a.subject_teacher
    image = material_create(
        teacher, kind="image", data=MaterialData(title="Схема"), file=SimpleUploadedFile("s.png", PNG)
    )
    html = client_for(teacher).get(f"/library/materials/{image.pk}/").content.decode()
    assert (
        f'<img class="library-image" src="/library/materials/{image.pk}/download/?version=1&amp;shown=1"'
        in html
    )
    document = material_create(
        teacher,
        kind="file",
        data=MaterialData(title="Памятка"),
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
    )
    html = client_for(teacher).get(f"/library/materials/{document.pk}/").content.decode()
    assert "Download" in html and "a.pdf" in html


def test_a_video_service_is_a_link_not_an_embed(world: World) -> None:
    teacher = world.a.subject_teacher
    video = material_create(
        teacher,
        kind="video",
        data=MaterialData(title="Опыт", content={"url": "https://www.youtube.com/watch?v=x"}),
    )
    html = client_for(teacher).get(f"/library/materials/{video.pk}/").content.decode()
    assert (
        'href="https://www.youtube.com/watch?v=x"' in html and "<video" not in html and "<iframe" not in html
    )


def test_an_application_runs_in_a_sandboxed_frame_at_its_signed_address(world: World) -> None:
    teacher = world.a.subject_teacher
    app = material_create(teacher, kind="simulator", data=MaterialData(title="Маятник"), file=app_zip())
    html = client_for(teacher).get(f"/library/materials/{app.pk}/").content.decode()
    assert '<iframe sandbox="allow-scripts" src="/library/apps/' in html


def test_a_scenario_renders_its_elements_inline_in_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    teacher = world.a.subject_teacher
    elements = [text_material(teacher, title=f"Элемент {n}", body=f"Текст {n}") for n in range(6)]
    scenario = scenario_of(teacher, *elements)
    client = client_for(teacher)
    with django_assert_max_num_queries(14):
        html = client.get(f"/library/materials/{scenario.pk}/").content.decode()
    assert all(f"Текст {n}" in html for n in range(6))
    assert "Начало урока" in html and f"/library/materials/{scenario.pk}/present/" in html


def test_a_class_given_a_scenario_reads_its_authors_own_elements(world: World) -> None:
    from parta.library.services.assignments import material_attach_to_lesson

    teacher = world.a.lesson.teacher
    element = text_material(teacher, body="Только в сценарии")
    secret = text_material(world.b.subject_teacher, body="Чужой текст")
    scenario = scenario_of(teacher, element)
    # A block naming someone else's private material (written around the service) shows nothing of it.
    version = scenario.latest
    assert version is not None
    version.content = {"blocks": [*version.content["blocks"], {"type": "material", "material": secret.pk}]}
    version.save()
    material_attach_to_lesson(teacher, lesson_id=world.a.lesson.pk, material_id=scenario.pk)
    html = client_for(world.a.student).get(f"/library/materials/{scenario.pk}/").content.decode()
    assert "Только в сценарии" in html and "Чужой текст" not in html
    assert "This element is not available." in html


def test_a_textbook_has_a_table_of_contents(world: World) -> None:
    teacher = world.a.subject_teacher
    element = text_material(teacher, body="Параграф")
    content = {
        "chapters": [
            {
                "title": "Глава 1",
                "sections": [
                    {"title": "Раздел 1.1", "blocks": [{"type": "material", "material": element.pk}]}
                ],
            },
            {
                "title": "Глава 2",
                "sections": [{"title": "Раздел 2.1", "blocks": [{"type": "text", "text": "Вводный текст"}]}],
            },
        ]
    }
    book = material_create(teacher, kind="textbook", data=MaterialData(title="Учебник", content=content))
    html = client_for(teacher).get(f"/library/materials/{book.pk}/").content.decode()
    assert 'href="#chapter-2-section-1"' in html and 'id="chapter-2-section-1"' in html
    assert "Параграф" in html and "Вводный текст" in html


# --- my materials, new, edit -----------------------------------------------------------------


def test_my_materials_lists_only_the_authors_own(world: World) -> None:
    text_material(world.a.subject_teacher, title="Моё")
    text_material(world.a.class_teacher, title="Коллеги")
    html = client_for(world.a.subject_teacher).get("/library/mine/").content.decode()
    assert "Моё" in html and "Коллеги" not in html
    assert client_for(world.a.student).get("/library/mine/").status_code == 404
    assert client_for(world.a.parent).get("/library/new/").status_code == 404


def test_new_asks_the_type_then_creates_a_text(world: World) -> None:
    client = client_for(world.a.subject_teacher)
    choose = client.get("/library/new/").content.decode()
    assert "?kind=scenario" in choose and "?kind=textbook" in choose and "?kind=fiction" in choose
    form = client.get("/library/new/?kind=text").content.decode()
    assert 'name="body"' in form and 'name="file"' not in form
    response = client.post(
        "/library/new/?kind=text",
        {
            "title": "Дроби",
            "body": "Дробь — часть целого.",
            "language": "ru",
            "licence": "cc-by",
            "grades": ["5", "6"],
        },
    )
    material = Material.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/library/materials/{material.pk}/"
    assert material.grades == [5, 6] and material.latest is not None
    assert material.latest.content == {"body": "Дробь — часть целого."}


def test_new_with_errors_shows_them_at_their_fields_and_saves_nothing(world: World) -> None:
    client = client_for(world.a.subject_teacher)
    response = client.post(
        "/library/new/?kind=text", {"title": "Дроби", "body": "", "language": "ru", "licence": "cc-by"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"body": ["Write the text."]}
    response = client.post(
        "/library/new/?kind=image", {"title": "Схема", "language": "ru", "licence": "cc-by"}
    )
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not Material.objects.exists()


def test_the_topic_picker_follows_subject_and_grade(world: World) -> None:
    from parta.curriculum.models import Section, Topic

    subject = world.a.assignment.subject
    section = Section.objects.create(
        subject=subject, grade=7, code="S7", title_ru="Алгебра 7", title_en="Algebra 7", order=1
    )
    Topic.objects.create(
        section=section,
        subject=subject,
        grade=7,
        code="T7",
        title_ru="Степени",
        title_en="Powers",
        hours=2,
        order=1,
    )
    Topic.objects.create(
        section=section,
        subject=subject,
        grade=8,
        code="T8",
        title_ru="Корни",
        title_en="Roots",
        hours=2,
        order=2,
    )
    client = client_for(world.a.subject_teacher)
    html = client.get(f"/library/new/topics/?kind=text&subjects={subject.pk}&grades=7").content.decode()
    assert "Powers" in html and "Roots" not in html and "<optgroup" in html


def test_edit_saves_a_new_version_with_its_note(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher, title="Дроби")
    client = client_for(teacher)
    form = client.get(f"/library/materials/{material.pk}/edit/")
    assert form.context["form"].initial["title"] == "Дроби"
    client.post(
        f"/library/materials/{material.pk}/edit/",
        {"title": "Дроби и доли", "body": "Новый", "language": "ru", "licence": "cc-by", "note": "название"},
    )
    material.refresh_from_db()
    assert material.latest is not None and (material.latest.number, material.latest.note) == (2, "название")
    assert client_for(world.a.class_teacher).get(f"/library/materials/{material.pk}/edit/").status_code == 404


# --- the constructors -------------------------------------------------------------------------


def test_the_scenario_constructor_saves_its_hidden_json(world: World) -> None:
    teacher = world.a.subject_teacher
    first, second = text_material(teacher, title="Первый"), text_material(teacher, title="Второй")
    blocks = [
        {"type": "material", "material": second.pk},
        {"type": "text", "text": "Обсуждение"},
        {"type": "material", "material": first.pk},
    ]
    client = client_for(teacher)
    page = client.get("/library/new/?kind=scenario").content.decode()
    assert "data-composer" in page and 'name="content"' in page
    client.post(
        "/library/new/?kind=scenario",
        {
            "title": "Урок",
            "language": "ru",
            "licence": "cc-by",
            "content": json.dumps({"blocks": blocks}),
            "composer_js": "1",
        },
    )
    scenario = Material.objects.get(kind="scenario")
    assert scenario.latest is not None and scenario.latest.content["blocks"] == blocks
    edit = client.get(f"/library/materials/{scenario.pk}/edit/").content.decode()
    assert edit.index("Второй") < edit.index("Первый")


def test_without_javascript_the_number_inputs_order_the_blocks(world: World) -> None:
    teacher = world.a.subject_teacher
    scenario = scenario_of(teacher, text_material(teacher, title="Элемент"))
    version = scenario.latest
    assert version is not None
    blocks = version.content["blocks"]
    client_for(teacher).post(
        f"/library/materials/{scenario.pk}/edit/",
        {
            "title": "Урок",
            "language": "ru",
            "licence": "cc-by",
            "content": json.dumps(version.content),
            "order": ["2", "1"],
        },
    )
    scenario.refresh_from_db()
    assert scenario.latest is not None and scenario.latest.content["blocks"] == [blocks[1], blocks[0]]


def test_a_constructor_refuses_a_material_the_author_may_not_open(world: World) -> None:
    other = text_material(world.b.subject_teacher)
    response = client_for(world.a.subject_teacher).post(
        "/library/new/?kind=scenario",
        {
            "title": "Урок",
            "language": "ru",
            "licence": "cc-by",
            "composer_js": "1",
            "content": json.dumps({"blocks": [{"type": "material", "material": other.pk}]}),
        },
    )
    assert response.status_code == 400 and "content" in response.context["form"].errors
    assert not Material.objects.filter(kind="scenario").exists()


def test_pick_finds_own_and_published_elements_by_title(world: World) -> None:
    teacher = world.a.subject_teacher
    text_material(teacher, title="Опыт с маятником")
    published(text_material(world.b.subject_teacher, title="Маятник Фуко"), world.methodologist)
    text_material(world.b.subject_teacher, title="Маятник, черновик")
    html = client_for(teacher).get("/library/compose/pick/?q=маятник").content.decode()
    assert "Опыт с маятником" in html and "Маятник Фуко" in html and "черновик" not in html


def test_preview_renders_unsaved_blocks(world: World) -> None:
    teacher = world.a.subject_teacher
    element = text_material(teacher, body="Тело элемента")
    content = json.dumps(
        {"blocks": [{"type": "heading", "text": "Заголовок"}, {"type": "material", "material": element.pk}]}
    )
    html = (
        client_for(teacher)
        .post("/library/compose/preview/", {"kind": "scenario", "content": content})
        .content.decode()
    )
    assert "Заголовок" in html and "Тело элемента" in html
    other = client_for(world.b.subject_teacher).post(
        "/library/compose/preview/", {"kind": "scenario", "content": content}
    )
    assert "Тело элемента" not in other.content.decode()


# --- versions ---------------------------------------------------------------------------------


def test_versions_list_compare_and_restore(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher, title="Первое", body="строка один\nстрока два")
    material_save(
        teacher,
        material.pk,
        data=MaterialData(title="Второе", content={"body": "строка один\nстрока три"}),
        note="правка",
    )
    client = client_for(teacher)
    listing = client.get(f"/library/materials/{material.pk}/versions/").content.decode()
    assert "правка" in listing and "latest" in listing
    compare = client.get(f"/library/materials/{material.pk}/compare/?old=1&new=2").content.decode()
    assert "<del>Первое</del>" in compare and "<ins>Второе</ins>" in compare
    assert "<del>строка два</del>" in compare and "<ins>строка три</ins>" in compare
    assert client.get(f"/library/materials/{material.pk}/versions/1/").status_code == 200
    assert client.post(f"/library/materials/{material.pk}/versions/1/restore/").status_code == 302
    material.refresh_from_db()
    assert material.latest is not None and (material.latest.number, material.title) == (3, "Первое")


def test_versions_are_the_authors_alone(world: World) -> None:
    material = published(text_material(world.a.subject_teacher), world.methodologist)
    client = client_for(world.b.subject_teacher)
    for url in ("versions/", "versions/1/", "compare/?old=1&new=1"):
        assert client.get(f"/library/materials/{material.pk}/{url}").status_code == 404
    assert client.post(f"/library/materials/{material.pk}/versions/1/restore/").status_code == 404
    assert (
        client_for(world.a.subject_teacher).get(f"/library/materials/{material.pk}/versions/9/").status_code
        == 404
    )


# --- presentation -----------------------------------------------------------------------------


def test_presentation_is_one_block_a_slide_without_the_site_chrome(world: World) -> None:
    teacher = world.a.subject_teacher
    scenario = scenario_of(teacher, text_material(teacher, title="А"), text_material(teacher, title="Б"))
    html = client_for(teacher).get(f"/library/materials/{scenario.pk}/present/").content.decode()
    # A title slide, the heading, two elements.
    assert html.count('class="slide"') == 4 and "topbar" not in html and "present.js" in html
    element = text_material(teacher)
    assert client_for(teacher).get(f"/library/materials/{element.pk}/present/").status_code == 404
    assert (
        client_for(world.b.subject_teacher).get(f"/library/materials/{scenario.pk}/present/").status_code
        == 404
    )


def test_the_textbook_constructor_saves_chapters_and_lists_them_again(world: World) -> None:
    teacher = world.a.subject_teacher
    element = text_material(teacher, title="Параграф о дробях")
    client = client_for(teacher)
    page = client.get("/library/new/?kind=textbook").content.decode()
    assert 'data-list="chapters"' in page and 'data-item="section"' in page  # one empty chapter to start
    chapters = [
        {
            "title": "Дроби",
            "sections": [
                {"title": "Что такое дробь", "blocks": [{"type": "material", "material": element.pk}]}
            ],
        }
    ]
    client.post(
        "/library/new/?kind=textbook",
        {
            "title": "Учебник",
            "language": "ru",
            "licence": "cc-by",
            "composer_js": "1",
            "content": json.dumps({"chapters": chapters}),
        },
    )
    book = Material.objects.get(kind="textbook")
    assert book.latest is not None and book.latest.content["chapters"] == chapters
    edit = client.get(f"/library/materials/{book.pk}/edit/").content.decode()
    assert 'value="Дроби"' in edit and 'value="Что такое дробь"' in edit and "Параграф о дробях" in edit


def test_the_material_page_offers_its_export_and_my_materials_the_import_and_figures(
    world: World,
) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher)
    client = client_for(teacher)
    page = client.get(f"/library/materials/{material.pk}/").content.decode()
    assert f'href="/library/materials/{material.pk}/export.zip?version=1"' in page
    mine = client.get("/library/mine/").content.decode()
    assert 'href="/library/import/"' in mine and 'href="/library/dashboard/"' in mine
