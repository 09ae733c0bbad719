"""Server-rendered routes: the third front end beside the pages (portal.ui) and the JSON API
(portal.api), never importing either (.importlinter). Today: the Atom feeds under /feeds."""
