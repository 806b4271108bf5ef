// masthead desk: small helpers shared by every desk page. Progressive enhancement only:
// every form works without this file. Licence: AGPL-3.0-or-later, as all of masthead.
// Marks the document so styles can tell the script ran.
document.documentElement.classList.add("js");
