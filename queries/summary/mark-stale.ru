# Before any write: from now on readers compute relations from the article graphs.
# No PREFIX: kg serve appends this to every update it runs, and Oxigraph reads no
# prologue after a `;`.
DELETE WHERE {
  GRAPH <https://w3id.org/kg-meetings/id/summary/met-with> {
    <https://w3id.org/kg-meetings/id/summary/met-with> <https://w3id.org/kg-meetings/ontology#summaryComplete> ?when
  }
}
