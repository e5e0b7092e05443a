"""optviz entry point: page config, language switch, navigation and the note on a link's unusable
values. Nothing else."""

from pathlib import Path

import streamlit as st

from ui import classroom, links
from ui.common import PAGES, keep_memory_flat, language_picker, navigating, present_in_link, presentation_switch, tr

keep_memory_flat()  # one process serves the whole class
st.set_page_config(page_title="optviz", page_icon="📉", layout="wide",  # a projector: sidebar folded away
                   initial_sidebar_state="collapsed" if present_in_link() else "auto")
link = links.snapshot()
notice = st.container()  # above the page: link values that could not be used
language_picker()
presentation_switch()


CLASSROOM = "pages/classroom.py"
THUMBNAILS = Path(__file__).parent / "docs" / "home"  # one small picture per page, made by scripts/thumbnails.py


def home() -> None:
    st.title(tr("app.title"))
    st.write(tr("home.intro"))
    st.subheader(tr("home.pages"))
    st.write(tr("home.order"))
    for first in range(0, len(PAGES), 2):  # two lessons a row, however many there are
        for column, (n, (path, label, url, icon)) in zip(st.columns(2), enumerate(PAGES[first:first + 2], first + 1),
                                                         strict=False):  # the last row may have one
            with column.container(border=True):
                st.caption(tr("home.step", n=n))
                st.page_link(path, label=f"**{tr(label)}**", icon=icon)
                if (picture := THUMBNAILS / f"{url}.png").exists():  # a new lesson may have none yet
                    st.image(str(picture), width="stretch")
                st.caption(tr(label + ".what"))
    st.caption(tr("home.share"))
    st.page_link(CLASSROOM, label=tr("home.class"), icon="🎓")


pages = [st.Page(home, title=tr("home.nav"), icon="🏠", default=True)] + [
    st.Page(path, title=tr(label), url_path=url, icon=icon) for path, label, url, icon in PAGES
] + [st.Page(CLASSROOM, title=tr("room.nav"), url_path="classroom", icon="🎓")]
page = st.navigation(pages)
navigating()
classroom.from_link()
classroom.badge(page.url_path)
try:
    page.run()
finally:
    links.report(notice, link)
    classroom.follow_teacher(page.url_path)
