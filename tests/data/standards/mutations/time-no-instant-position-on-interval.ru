# Breaks time-no-instant-position-on-interval.rq: a planning given a year-month position again (as it was).
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
INSERT DATA { kg:planning-2023-01 time:inXSDgYearMonth "2023-01"^^xsd:gYearMonth }
