# The summary rows of some actors (VALUES ?actor bound), before they are recomputed: their
# met-with rows and their actor record.
PREFIX kgo: <https://w3id.org/kg-meetings/ontology#>
DELETE { GRAPH <https://w3id.org/kg-meetings/id/summary/met-with> { ?row ?p ?o } }
WHERE {
  GRAPH <https://w3id.org/kg-meetings/id/summary/met-with> {
    { ?row kgo:summaryActor ?actor ; ?p ?o }
    UNION
    { ?actor kgo:actorRecord ?o BIND(?actor AS ?row) BIND(kgo:actorRecord AS ?p) }
  }
}
