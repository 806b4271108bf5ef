// masthead desk: small helpers shared by every desk page. Progressive enhancement only:
// every form works without this file. Licence: AGPL-3.0-or-later, as all of masthead.
// Marks the document so styles can tell the script ran.
document.documentElement.classList.add("js");

// Logging out forgets the editor's copies of unsaved text kept in this browser (editor.js),
// so the next person at a shared computer finds none of it.
document.addEventListener("submit", (e) => {
  if (!(e.target instanceof HTMLFormElement) || e.target.getAttribute("action") !== "/admin/logout") return;
  try {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith("masthead-editor:")) localStorage.removeItem(key);
    }
  } catch {
    // No storage: nothing kept.
  }
});
