# Breaks IC-19: a dimension value that is not a concept of the code list.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX ex: <http://example.org/cube/>
DELETE DATA { ex:o2 ex:area ex:south } ;
INSERT DATA { ex:o2 ex:area ex:west }
