# Before any write: from now on readers compute relations from the article graphs.
PREFIX kgo: <https://w3id.org/kg-meetings/ontology#>
DELETE WHERE {
  GRAPH <https://w3id.org/kg-meetings/id/summary/met-with> {
    <https://w3id.org/kg-meetings/id/summary/met-with> kgo:summaryComplete ?when
  }
}
