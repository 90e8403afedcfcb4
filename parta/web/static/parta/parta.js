/* Parta's page behaviour that every page shares; each part also works without it. */
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // The phone's main menu folds behind a button (without a script it lies open, wrapped).
  const button = document.querySelector(".menu-button");
  const menu = document.getElementById("main-menu");
  if (button && menu) {
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("menu-open", open);
    });
  }

  // A table wider than its frame scrolls inside it: keyboard users must be able to reach that
  // scroll, so such a frame (and only such a one) becomes a named, focusable group (not a region:
  // a landmark named like the section around it would be a second landmark of that name).
  const headingBefore = (element) => {
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      for (let sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        const headings = /^H[1-6]$/.test(sibling.tagName) ? [sibling] : sibling.querySelectorAll("h1, h2, h3, h4");
        if (headings.length) return headings[headings.length - 1].textContent.trim();
      }
    }
    return document.title;
  };
  const mark = () => {
    document.querySelectorAll(".table-wrap").forEach((frame) => {
      if (frame.scrollWidth > frame.clientWidth + 1 && !frame.hasAttribute("tabindex")) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "group");
        if (!frame.hasAttribute("aria-label") && !frame.hasAttribute("aria-labelledby")) {
          const table = frame.querySelector("table");
          const caption = table && table.caption ? table.caption.textContent.trim() : "";
          frame.setAttribute("aria-label", caption || (table && table.getAttribute("aria-label")) || headingBefore(frame));
        }
      }
    });
  };
  mark();
  window.addEventListener("resize", mark);
  document.body.addEventListener("htmx:afterSettle", mark);
});
