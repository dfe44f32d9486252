# Before any write: the event graphs may no longer match the article graphs.
PREFIX kgo: <https://w3id.org/kg-meetings/ontology#>
DELETE WHERE {
  GRAPH <https://w3id.org/kg-meetings/id/events/state> {
    <https://w3id.org/kg-meetings/id/events/state> kgo:eventsComplete ?when
  }
}
